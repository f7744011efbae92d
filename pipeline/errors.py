"""The pipeline's errors and the catalogue of messages users read."""

from __future__ import annotations

from dataclasses import dataclass


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class SpecError(PipelineError):
    """A form spec is broken: the message names the file, the field and the fix."""


class ReadError(PipelineError):
    """A file could not be opened or read as a form."""


class ValidationError(PipelineError):
    """A submission does not satisfy its form spec."""


class WorkspaceError(PipelineError):
    """The workspace or one of its admin inputs (roster, plan, targets) is unusable."""


class ReportError(PipelineError):
    """A report could not be built or rendered."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submitted file, said so that its author can fix it."""

    message: str
    field: str | None = None  # field id, or "group.N.field" for a repeat row

    def __str__(self) -> str:
        return self.message


# The message catalogue: every text a form-filler or QA admin reads about a rejected file.
# Tests import these so a reworded message is changed in one place.
MESSAGES = {
    "empty_file": "The file is empty (0 bytes). It was probably saved or copied while still open; save it again in Word or Excel and drop the new copy in the inbox.",
    "too_large": "The file is {size_mb:.0f} MB, larger than the {limit_mb} MB a form can be. Remove pasted pictures or attachments, save it again and drop the new copy in the inbox.",
    "not_office": "This is not a Word (.docx) or Excel (.xlsx) file. Open the form in Word or Excel, use Save As → Word Document (.docx) or Excel Workbook (.xlsx), and drop that copy in the inbox.",
    "corrupt": "The file is damaged or incomplete ({detail}). It may have been copied before it finished saving. Open it in Word or Excel; if it opens, save it again and drop the new copy in the inbox; if not, fill in a fresh copy of the form.",
    "encrypted": "The file is password-protected, so it cannot be read. Open it in Word or Excel, remove the password (File → Info → Protect → Encrypt with Password, clear the box), save, and drop it in the inbox again.",
    "legacy_doc": "This is an old-style Word 97–2003 (.doc) file. Open it in Word, use File → Save As → Word Document (.docx), and drop the .docx in the inbox.",
    "legacy_xls": "This is an old-style Excel 97–2003 (.xls) file. Open it in Excel, use File → Save As → Excel Workbook (.xlsx), and drop the .xlsx in the inbox.",
    "legacy_ole": "This is an old-style Office 97–2003 file. Open it in Word or Excel and save it as a .docx or .xlsx, then drop that copy in the inbox.",
    "macro_enabled": "The file contains macros ({kind}), which are not accepted for safety. Open it, use File → Save As → {save_as} (without macros), and drop that copy in the inbox.",
    "unsafe_zip": "The file is not a safe Office document ({detail}). It has not been opened. Fill in a fresh copy of the form and drop that in the inbox.",
    "too_much_content": "The form holds {size_mb:.0f} MB of text and layout, more than the {limit_mb} MB a form can hold, usually because thousands of rows were added or large tables were pasted in. Split the work into several forms and drop those in the inbox.",
    "unsafe_xml": "The file contains XML that could be used to attack the server ({detail}). It has not been read. Fill in a fresh copy of the form and drop that in the inbox.",
    "symlink": "This is a shortcut (symbolic link), not a form. It has not been followed. Copy the completed form itself into the inbox.",
    "not_a_file": "This is not an ordinary file (a named pipe or device). It has not been opened. Copy the completed form itself into the inbox.",
    "unknown_form": "This file is not one of the QA forms (no form id in its properties). Use a form issued by the QA team or made with 'qa templates', copy your answers into it, and drop it in the inbox.",
    "unknown_form_id": "The form '{form}' is not in the catalogue. Use a current form issued by the QA team, copy your answers into it, and drop it in the inbox.",
    "unknown_version": "This is version {version} of the {title} form, but only version {current} is accepted. Ask the QA team for the current form, copy your answers into it, and drop it in the inbox.",
    "no_controls": "The form's fill-in boxes are missing: the file was probably re-saved by another program, which removed them. Fill in a fresh copy of the form in Microsoft Word and drop that in the inbox.",
    "resaved_unplaceable": "The form was re-saved by a program other than Microsoft Word (LibreOffice, for example), which removed the names of its fill-in boxes, and the boxes no longer match the form's layout closely enough to show which question each answer belongs to. No answers were taken from it. Fill in a fresh copy of the form in Microsoft Word and drop that in the inbox.",
    "duplicate_control": "{label}: the form has two boxes for this answer (it may have been copied and pasted). Fill in a fresh copy of the form and drop that in the inbox.",
    "legacy_fields": "{label}: this answer is in an old-style Word form field, not a content control. Fill in a fresh copy of the form issued by the QA team and drop that in the inbox.",
    "missing_sheet": "The workbook has lost its form sheet or the named cells on it. Fill in a fresh copy of the form and drop that in the inbox.",
    "required": "{label}: this is required. Fill it in and drop the form in the inbox again.",
    "required_when": "{label}: this is required when {when_label} is '{when_value}'. Fill it in and drop the form in the inbox again.",
    "choice": "{label}: '{value}' is not one of the choices. Choose {choices}.",
    "grade": "{label}: '{value}' is not a grade. Choose Outstanding, Good, Requires improvement or Inadequate.",
    "date": "{label}: '{value}' is not a date. Enter the date as dd/mm/yyyy, for example 03/11/2022.",
    "number": "{label}: '{value}' is not a whole number. Enter digits only, for example 45.",
    "minimum": "{label}: {value} is less than {minimum}. Enter a number of at least {minimum}.",
    "maximum": "{label}: {value} is more than {maximum}. Enter a number no more than {maximum}.",
    "yes_no": "{label}: '{value}' is not Yes or No. Tick the box for Yes, leave it clear for No.",
    "pattern": "{label}: '{value}' is not in the expected form. {hint}",
    "quarter": "{label}: '{value}' is not a quarter. Write the financial-year quarter as 2022-23-Q3 (Q1 = April to June).",
    "too_long": "{label}: the answer is {length:,} characters, more than the {limit:,} a field can hold. Shorten it and drop the form in the inbox again.",
    "too_many_rows": "{label}: the form has {count:,} rows, more than the {limit:,} allowed. Split the work into several forms.",
    "formula": "{label}: the cell holds a formula ({formula}). Type the value itself instead of a formula.",
    "min_rows": "{label}: at least {minimum} row(s) must be filled in; {count} found. Add the missing rows and drop the form in the inbox again.",
}


def message(key: str, **details: object) -> str:
    """Return catalogue message *key* with its details filled in."""
    return MESSAGES[key].format(**details)
