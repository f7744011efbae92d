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


class Message(str):
    """A catalogue message; ``public`` is its wording for collated outputs, which never quotes what was typed."""

    public: str


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submitted file, said so that its author can fix it.

    ``message`` quotes what was typed and goes only into the note beside the rejected file, which
    is for its author; ``public`` names the field and the rule without quoting, for every collated
    output (report, ledger, status, ingest log). A catalogue message brings its public wording along.
    """

    message: str
    field: str | None = None  # field id, or "group.N.field" for a repeat row
    public: str = ""

    def __post_init__(self) -> None:
        if not self.public:
            object.__setattr__(self, "public", getattr(self.message, "public", self.message))

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
    # A name found in the wrong box is not repeated, even in the note: its author knows what they typed.
    "child_id_is_name": "{label}: what was typed here is the same as, or close to, the name typed in {name_label}. Enter the child's ID from the case record, for example {example}, never their name.",
    "name_in_other_field": "{label}: what was typed here is the child's name, as typed in {name_label}. The name belongs only there: enter what this box asks for.",
    "child_id": "{label}: '{value}' does not look like a child's ID. Enter the ID from the case record, for example {example}, never the child's name.",
    "child_id_option": "--child-id: '{value}' does not look like a child's ID. Give the ID from the case record, for example {example}, never the child's name (the format is child_id_pattern in qa.yaml).",
    "outside_quarter": "{label}: {date} is outside the quarter {quarter} ({start} to {end}). Enter the date it took place, or correct {quarter_label} if the form belongs to another quarter.",
    "completed_outside_quarter": "{label}: {date} is outside the dates a {quarter} form is completed on ({start} to {end}: the quarter and the {grace} days after it). Enter the date it was completed, or correct {quarter_label} if the form belongs to another quarter.",
    # The workspace settings file, qa.yaml, read by the QA admin.
    "settings_yaml": "{file}: not valid YAML ({detail}). Check the indentation, and put any text containing ? : , # or {{ }} in quotes.",
    "settings_unknown": "{file}: unknown setting '{setting}'.{hint}",
    "settings_pattern": "{file}: child_id_pattern '{value}' is not a valid regular expression ({detail}). Write it as in the comments of a new qa.yaml (run 'qa init' in an empty folder to see one).",
    "settings_example": "{file}: child_id_example '{value}' does not match child_id_pattern. Give an ID in your case system's format, so the example in messages is one that would be accepted.",
    "settings_days": "{file}: completion_grace_days '{value}' is not a number of days from 0 to 366. Write a whole number, for example 31.",
    "settings_text": "{file}: {setting} '{value}' must be text. Put it in quotes.",
    "pseudonym_key": "{path} is not a pseudonym key (64 hex digits). Put back the copy from your backup: a new key would give every child a new pseudonym, so new exports could no longer be joined with earlier ones.",
    # What an operator reads when an OS error stops one file (pipeline/failures.py).
    "unreadable": "The file cannot be read ({detail}), so it has not been opened. It is {where}, unchanged. Give the account that runs qa permission to read it, then run qa ingest again.",
    "not_handled_space": "The disk holding {folder} is full, so the file could not be put there. It is {where}, unchanged. Free some space on that disk, then run qa ingest again.",
    "not_handled_permission": "Permission was denied on {path}, so the file could not be dealt with. It is {where}, unchanged. Give the account that runs qa read and write access there, then run qa ingest again.",
    "not_handled_long_name": "The name is too long for the disk ({path}). It is {where}, unchanged. Shorten the file's name (or its folder's) and drop it in the inbox again.",
    "not_handled_busy": "The store ({path}) stayed locked by another program for over a minute, so the file could not be recorded. It is {where}, unchanged. Run qa ingest again; if this keeps happening, look for a program holding the store open.",
    "not_handled_other": "The file could not be dealt with ({detail}). It is {where}, unchanged. Run qa ingest again; if it happens again, tell the system administrator.",
    "not_placed": "The file was {status} and recorded in the store, but could not be put in {folder} ({detail}). It is still in {claim}, unchanged. {fix} The next qa ingest puts it there.",
    "not_tidied": "The file was {status} and kept as {destination}, but its claimed copy {claim} could not be removed ({detail}). The next qa ingest removes it; nothing else needs doing.",
    "unreadable_folder": "The inbox folder {folder} cannot be read ({detail}), so the files in it were not looked at. Give the account that runs qa permission to read it, then run qa ingest again.",
}

# The wording of messages in every collated output (report, drafts, ledger, status, the ingest log):
# the same rule and field label, never what was typed. A name typed into the wrong box (a date box,
# the ID box) would otherwise be quoted to everyone who reads the report. The note beside the
# rejected file, which goes back only to its author, keeps the full message.
NOT_SHOWN = "the value typed (not shown here)"
PUBLIC_MESSAGES = {
    "lost_tags": "{count} fill-in boxes have lost their names, so their answers cannot be placed safely. The form was probably re-saved by a program other than Microsoft Word (LibreOffice, for example). Fill in a fresh copy of the form in Microsoft Word and drop that in the inbox.",
    "lost_tag": "A fill-in box has lost its name, so its answer cannot be placed safely. Fill in a fresh copy of the form in Microsoft Word and drop that in the inbox.",
    "choice": f"{{label}}: {NOT_SHOWN} is not one of the choices. Choose {{choices}}.",
    "grade": f"{{label}}: {NOT_SHOWN} is not a grade. Choose Outstanding, Good, Requires improvement or Inadequate.",
    "date": f"{{label}}: {NOT_SHOWN} is not a date. Enter the date as dd/mm/yyyy, for example 03/11/2022.",
    "number": f"{{label}}: {NOT_SHOWN} is not a whole number. Enter digits only, for example 45.",
    "yes_no": f"{{label}}: {NOT_SHOWN} is not Yes or No. Tick the box for Yes, leave it clear for No.",
    "pattern": f"{{label}}: {NOT_SHOWN} is not in the expected form. {{hint}}",
    "quarter": f"{{label}}: {NOT_SHOWN} is not a quarter. Write the financial-year quarter as 2022-23-Q3 (Q1 = April to June).",
    "formula": "{label}: the cell holds a formula. Type the value itself instead of a formula.",
    "child_id": f"{{label}}: {NOT_SHOWN} does not look like a child's ID. Enter the ID from the case record, for example {{example}}, never the child's name.",
}


def message(key: str, **details: object) -> Message:
    """Return catalogue message *key* with its details filled in, carrying its public wording."""
    text = Message(MESSAGES[key].format(**details))
    text.public = PUBLIC_MESSAGES[key].format(**details) if key in PUBLIC_MESSAGES else str(text)
    return text


def public_message(key: str, **details: object) -> str:
    """The wording of message *key* in collated outputs: it never quotes what was typed (so needs no value)."""
    return PUBLIC_MESSAGES.get(key, MESSAGES[key]).format(**details)
