"""The pipeline's errors and the catalogue of messages users read."""

from __future__ import annotations

from dataclasses import dataclass


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class SpecError(PipelineError):
    """A form spec is broken: the message names the file, the field and the fix."""


class ReadError(PipelineError):
    """A file could not be opened or read as a form."""


class WorkspaceError(PipelineError):
    """The workspace or one of its admin inputs (roster, plan, targets) is unusable."""


class NotAWorkspaceError(WorkspaceError):
    """The folder a command was pointed at is not a workspace: a usage mistake, so the CLI exits 2."""

    exit_code = 2


class StoreError(PipelineError):
    """The store cannot be opened or used as asked (a newer schema, an unreachable database, a failed copy)."""


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
    "to_fix_note": "A copy of your form with a comment on each of these answers is beside this note: '{name}'. Correct the answers in that copy and drop it in the inbox.",
    "required_when": "{label}: this is required when {when_label} is '{when_value}'. Fill it in and drop the form in the inbox again.",
    "forms_moderation_reason": "{label}: this is required when the {moderated} is not the {grade}. Fill it in and drop the form in the inbox again.",
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
    "settings_min_pairs": "{file}: moderation_min_pairs '{value}' is not a whole number from 1 to 1000. Write the fewest moderated grades agreement figures may rest on without a warning, for example 10.",
    "settings_text": "{file}: {setting} '{value}' must be text. Put it in quotes.",
    "pseudonym_key": "{path} is not a pseudonym key (64 hex digits). Put back the copy from your backup: a new key would give every child a new pseudonym, so new exports could no longer be joined with earlier ones.",
    # What an operator reads when an OS error stops one file (pipeline/failures.py).
    "recovered_by_layout": "Saved by another editor, which dropped the names of some boxes: every answer was placed by the form's layout (recorded on the submission).",
    "unreadable_file": "The file cannot be read ({detail}), so it has not been opened. It is {where}, unchanged. Give the account that runs qa permission to read it, then run qa ingest again.",
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

# Every text a QA admin reads about their roster, plan and targets.
ADMIN_MESSAGES = {
    "missing_roster": "No staff roster: {file} does not exist. Run 'qa init' to write an example roster to edit, "
                      "or save your roster there (sheet 'Staff' with the headings Name, Role, Team, Line manager, Start date).",
    "missing_plan": "No QA plan: {file} does not exist. Run 'qa init' to write an example plan to edit, "
                    "or save your plan there (sheet 'Plan' with the headings Month, Week beginning, Activity, Theme, Who, DLT date, Learning event, Notes).",
    "unreadable": "{file}: cannot be opened as an Excel workbook ({detail}). Open it in Excel, use File → Save As → "
                  "Excel Workbook (.xlsx), and try again.",
    "no_rows": "{file} · sheet '{sheet}': nothing is listed. Put the headings {columns} in the first row and one row per entry below.",
    "missing_columns": "{file} · sheet '{sheet}' row {row}: no {missing} column. Put the headings {columns} in the first row.",
    "bad_role": "{where}: Role '{value}' is not a role. Use one of: {roles}.",
    "empty_role": "{where}: Role is empty. Use one of: {roles}.",
    "empty_name": "{where}: Name is empty. Enter the person's full name, or delete the row.",
    "empty_team": "{where}: Team is empty. Enter the team they work in.",
    "empty_manager": "{where}: Line manager is empty. Enter their line manager's name as it is written in the Name column "
                     "(only the DCS has none).",
    "unknown_manager": "{where}: Line manager '{value}' is not in the Name column.{hint} Add them to the roster, "
                       "or correct the spelling to match their row.",
    "self_manager": "{where}: {name} is entered as their own line manager. Enter the person they report to.",
    "duplicate_name": "{where}: {name} is already listed in row {first}. Give each person one row; if two people "
                      "share a name, add a middle initial to tell them apart.",
    "bad_date": "{where}: {column} '{value}' is not a date. Enter it as dd/mm/yyyy, for example 05/09/2022.",
    "bad_activity": "{where}: Activity '{value}' is not a QA activity.{hint} Use one of: {activities}.",
    "empty_activity": "{where}: Activity is empty. Use one of: {activities}.",
    "bad_month": "{where}: Month '{value}' is not a month. Enter the month with its year, for example October 2022.",
    "empty_month": "{where}: Month is empty. Enter the month with its year, for example October 2022.",
    "merged_cells": "{file} · sheet '{sheet}' cells {cells}: these cells are merged, so only the first holds a value "
                    "and the rows below read as empty. Select them, choose Home → Merge & Center → Unmerge Cells, "
                    "and type the value into every row it applies to.",
    "team_typo": "{where}: Team '{value}' is on this row only. Did you mean '{suggestion}' ({count} people)? Write the "
                 "team as the other rows do, or it will be counted as a team of its own.",
    # Performance data (admin/performance.xlsx): one row per indicator per month.
    "performance_empty": "{where}: {column} is empty. Fill it in, or delete the row.",
    "performance_bad_month": "{where}: Month '{value}' is not a month. Write the month and year, for example "
                             "October 2022.",
    "performance_bad_number": "{where}: {column} '{value}' is not a number. Write the number alone, for example 85 "
                              "(put % in the Unit column).",
    "performance_bad_direction": "{where}: Higher is better '{value}' is not Yes or No. Write Yes when a higher value "
                                 "is better (visits in timescale), No when lower is better (caseloads).",
    "performance_duplicate": "{where}: '{name}' for {month} is also on row {first}. Keep one row per indicator per month.",
    "performance_direction_changed": "{where}: Higher is better for '{name}' differs from row {first}. Write the same "
                                     "on every row of one indicator.",
}

TARGET_MESSAGES = {
    "targets_unreadable": "{file}: cannot be read as YAML ({detail}). Compare it with the example 'qa init' writes "
                          "and correct the line named.",
    "targets_unknown": "{file} · {key}: not a setting. Settings {where}: {known}.",
    "targets_count": "{file} · {key}: '{value}' is not a whole number. Write a whole number such as {example}.",
    "targets_flag": "{file} · {key}: '{value}' is not true or false. Write true or false.",
    "targets_text": "{file} · {key}: '{value}' is not text. Write the wording, for example {example}.",
    "targets_list": "{file} · {key}: '{value}' is not a list. Write a list in brackets, for example [{example}].",
    "targets_role": "{file} · {key}: '{value}' is not a role. Use one of: {roles}.",
    "targets_choice": "{file} · {key}: '{value}' is not one of the {title} form's choices for {label}, so no return "
                      "would ever match it.{hint} Use one of: {choices}.",
    "targets_rules": "{file} · rules: not a list of rules by name. Write each rule as 'name:' with its settings "
                     "indented beneath, as in the example 'qa init' writes.",
    "targets_rule_body": "{file} · {key}: not a rule. Give it the settings {settings}, indented beneath its name.",
    "targets_rule_activity": "{file} · {key}: '{value}' is not an activity a rule can count.{hint} Use one of: {known}.",
    "targets_rule_period": "{file} · {key}: give either per_quarter or per_month (how many are owed), not both or neither.",
    "targets_dcs_follows": "{file} · observation.dcs_follows: '{value}' is neither §6.5 nor Appendix 6. Write \"§6.5\" "
                           "(once every six months) or \"Appendix 6\" (once a quarter).",
    "plan_theme": "qa-plan.xlsx · sheet 'Plan' row {row}: Theme '{value}' is not a theme of the {activity} forms, so no return can be "
                  "matched to it as planned.{hint} Themes: {themes}.",
    "targets_rag": "{file} · rag: amber_percent ({amber}) is above green_percent ({green}). Make amber lower than green.",
}

# Every text a spec's author reads about a broken form spec (load.py's after "<file>: <where>: ").
SPEC_MESSAGES = {
    "spec_none": "{folder}: no form specs (*.yaml) found. Run 'qa init' to create a workspace with the standard forms.",
    "spec_no_form": "There is no form '{key}'. Known forms: {known}.",
    "spec_defined_twice": "{file}: form '{key}' is also defined in {other}. Give one of them another id or variant.",
    "spec_not_mapping": 'expected a mapping of keys, got {kind}. Indent its keys under it.',
    "spec_unknown_key": "unknown key '{key}'.{hint}",
    "spec_yaml": 'not valid YAML ({detail}). Check the indentation, and put any text containing ? : , # or {{ }} in quotes.',
    "spec_unreadable": 'cannot be read ({detail}).',
    "spec_missing_key": "'{key}' is missing. Add '{key}:' at the top of the spec.",
    "spec_form_id": "'{value}' is not a valid form id. Use lower-case letters, digits and underscores, e.g. dip_sample.",
    "spec_format": "'{value}' is not a format. Use docx (a Word form) or xlsx (an Excel list).",
    "spec_about": "'{value}' is not allowed. Use child, practice or service.",
    "spec_no_sections": "there must be at least one section, written as a list ('- title: …').",
    "spec_extends": "there is no form '{form}' to extend. Use one of: {known}.",
    "spec_variant_key": "'{key}' is missing. A themed form needs variant, theme and questions.",
    "spec_variant_id": "'{value}' is not a valid id. Use lower-case letters, digits and underscores.",
    "spec_no_group": "form '{form}' has no repeat group '{group}' to add questions to.",
    "spec_no_questions": "add at least one question under 'fields:'.",
    "spec_before": "'before: {before}' names no field of '{group}'. Use one of: {known}.",
    "spec_version": "'{value}' is not a version. Use a whole number from 1, raised whenever a field changes.",
    "spec_section_title": "'title' is missing. Give the section the heading people will see.",
    "spec_layout": "layout '{value}' is unknown. Use one of: {known}.",
    "spec_fields_or_group": "give either 'fields:' (a list of questions) or 'group:' (a repeating table), not both or neither.",
    "spec_no_fields": "'fields' must be a list with at least one question.",
    "spec_group_id": "id '{value}' is not valid. Use lower-case letters, digits and underscores.",
    "spec_group_fields": "'fields' must list the columns of each row.",
    "spec_rows": "'{key}: {value}' must be a whole number of rows.",
    "spec_field_id": "id '{value}' is not valid. Use lower-case letters, digits and underscores, e.g. review_date.",
    "spec_label": "'label' is missing. Give the question as staff should read it.",
    "spec_type": "type '{value}' is unknown. Use one of: {known}.",
    "spec_choices_missing": "a {kind} field needs 'choices:', a list of the options.",
    "spec_choice_twice": 'a choice is listed twice. Remove the repeat.',
    "spec_choice_colon": "multi-choice options cannot contain ':'. Reword the option.",
    "spec_choices_not_choice": "'choices' only applies to choice and multi_choice fields, not {kind}.",
    "spec_pattern": "pattern '{pattern}' is not a valid regular expression ({detail}).",
    "spec_min_max": "'{key}' must be a whole number and only applies to number fields.",
    "spec_min_above_max": 'min {minimum} is greater than max {maximum}.',
    "spec_identifying": "'identifying: {value}' must be one of {known}, on a text field.",
    "spec_within_quarter": "'within_quarter: {value}' must be {known}, on a date field.",
    "spec_required_when": "required_when needs 'field:' and 'equals:', e.g. {{field: nature, equals: Other}}.",
    "spec_since": "'since: {value}' is not a version. Give the whole number (from 1) of the form version that added the question.",
    "spec_since_version": "'since: {since}' is newer than the form (version {version}). Raise the form's 'version:' to {since}, or lower 'since:'.",
    "spec_theme_of": "theme_of needs a choice field and 'field:' and 'kind:' ({kinds}), e.g. {{field: strengths, kind: strength}}.",
    "spec_theme_text": "theme_of names '{field}', which is not a text question in the {scope}. Name the strength or worry it themes.",
    "spec_theme_since": "the theme is older than the text it themes ('{field}' has since: {since}). Give the theme since: {since} or more.",
    "spec_role_name": "role '{value}' is not a role name. Write one role, e.g. role: overall_grade.",
    # The contract between a spec and the code that reads it (spec/contract.py): whole messages, naming the file.
    "role_missing": "{file}: {consumer} needs a field with role {role} (type {types}). Add 'role: {role}' to the question that holds it.",
    "role_missing_group": "{file}: {consumer} needs a repeat group with role {group}. Add 'role: {group}' to the group that holds it.",
    "role_missing_in_group": "{file}: {consumer} needs a field with role {role} (type {types}) in group '{group}'. Add 'role: {role}' to the column that holds it.",
    "role_unknown": "{file}: field '{field}': role '{role}' is unknown. Use one of: {known}.",
    "role_unknown_group": "{file}: group '{group}': role '{role}' is unknown. Use one of: {known}.",
    "role_type": "{file}: field '{field}': role {role} needs a {types} field, not {type}. Change the type, or move the role to the right question.",
    "role_twice": "{file}: role {role} is given twice in the {where}. Give it to one question only.",
    "spec_xlsx_groups": 'an Excel form holds exactly one repeating table (one row per child). Add one group or use format: docx.',
    "spec_id_twice": 'the id is used twice in the {scope}. Give each question its own id.',
    "spec_label_twice": "label '{label}' is also used by '{other}'. Labels must differ so answers can be told apart.",
    "spec_when_field": "required_when names '{field}', which is not a field in the {scope}.",
    "spec_when_value": "required_when value '{value}' is not one of {label}'s choices ({choices}).",
}

# What the `qa` command says about the workspace and the options it was given.
CLI_MESSAGES = {
    "not_workspace": "{root} is not a QA workspace ({why}). Looked in {source}. Point at your workspace with "
                     "--workspace DIR (before or after the command name) or QA_WORKSPACE=DIR, or run "
                     "'qa init --workspace {root}' to make a new workspace there.",
    "not_workspace_missing": "it does not exist",
    "not_workspace_file": "it is not a folder",
    "not_workspace_unmarked": "it has no {marker} file and no inbox/, archive/ and rejected/ folders",
    "looked_in_current": "the current folder, as neither --workspace nor QA_WORKSPACE was given",
    "looked_in_option": "the folder --workspace names",
    "looked_in_env": "the folder QA_WORKSPACE names",
    "bad_quarter_option": "{error}. Write it as 2022-23-Q3 (Q1 = April to June).",
    "empty_assignee": "the name is empty. Give the full name of the person who must complete the form, as written in the roster's Name column.",
    "unknown_assignee": "--assignee '{name}' is not on the staff roster ({file}).{hint} Use the name as written in the roster's "
                        "Name column, or add the person to the roster first.",
    "plan_note": "Note: the QA plan needs correcting (the report reads its DLT dates): {problem}",
    "did_you_mean": " Did you mean '{suggestion}'?",
    "xlsx_needs_out": "--format xlsx needs --out FILE.",
    "demo_not_empty": "{folder} is not empty. Choose a new folder for the demo, e.g. qa demo demo-2.",
    "interval_needs_polling": "--interval sets the polling interval: add --polling, or leave --interval out.",
    "unknown_theme": "Form '{form}' has no theme '{theme}'. Themes with their own questions: {known}.",
    "no_child_id_field": "The {title} form has no Child ID field; leave out --child-id.",
    "report_locked": "{files}: cannot be replaced, because another program has it open (Word or Excel?) or it is "
                     "read-only. Close it and run qa report again; nothing was changed.",
    "report_locked_midway": "{file}: cannot be replaced, because another program has it open (Word or Excel?). "
                            "{done} of {total} files were replaced; the versions they replaced are in {previous}. "
                            "Close it and run qa report again.",
    "report_was_open": "{file} was open in Word or Excel on another computer when it was replaced: close it there and "
                       "open it again to see the new version.",
    "evidence_vignettes_written": "{count} case vignette(s) drafted in {file}, marked DRAFT: the Principal Social Worker "
                                  "edits them in Word before the report is final.",
    "evidence_vignettes_kept": "{file} was already there, so it was left as it is (the PSW's edits are kept): delete it "
                               "to have the vignettes drafted again from this quarter's reviews.",
}

# What the store says: its schema, the database it is in, copying it (`qa db`).
STORE_MESSAGES = {
    "store_newer_schema": "The store ({where}) has schema step {found}, but this qa knows steps up to {known}: a newer "
                          "version of qa has used it. Install that version here (pip install --upgrade qa-pipeline); "
                          "nothing was changed.",
    "store_copy_not_empty": "The store at {where} already holds rows ({held}), so nothing was copied: copying into it "
                            "would mix two workspaces. Copy into a new database, or give this workspace its own "
                            "'council:' code in qa.yaml.",
    "store_copy_counts": "The copy into {where} did not match the workspace's store (expected {expected}; found "
                         "{found}), so it was undone. Nothing was changed; run qa db copy again.",
    "store_copy_needs_sqlite": "qa db copy moves the workspace's own store (qa.sqlite3) into PostgreSQL, but this "
                               "workspace already uses {where}. Unset QA_DATABASE_URL (and 'database:' in qa.yaml) to copy "
                               "from the SQLite store.",
    "store_copy_needs_url": "--to must be a PostgreSQL address such as postgresql://qa@dbserver/qa, not '{url}'.",
    "store_bad_council": "qa.yaml: council '{council}' is not a council code. Write a short code of letters, digits "
                         "and _ starting with a letter, for example 'council: STH'.",
    "region_needs_postgres": "qa region report compares the councils sharing one PostgreSQL database, but this workspace's "
                             "store is {where}. Set QA_DATABASE_URL (or 'database:' in qa.yaml) to the region's database.",
    "store_bad_lease": "{source} '{value}' is not a number of seconds. Write a whole number from 1 to 86400, for "
                       "example 60 (how long a claimed file's lease lasts before another host takes the file over).",
    "store_not_handled_unreachable": "The PostgreSQL store could not be written ({detail}), so the file could not be "
                                     "recorded. It is {where}, unchanged. Check that the database server is running and "
                                     "reachable from this computer, then run qa ingest (qa watch tries again by itself).",
    "store_unreachable": "Cannot connect to the PostgreSQL database {where}: {error}. Check the address in QA_DATABASE_URL "
                         "(or 'database:' in qa.yaml) and that the server is running and lets this computer in.",
}

# Choosing children (qa sample, qa issue --from-sample), reminders and receipts (qa remind, qa watch).
PEOPLE_MESSAGES = {
    "caseload_unreadable": "{file}: cannot be read ({detail}). Save the caseload extract as .csv or .xlsx and try again.",
    "caseload_empty": "{file}: nothing is listed. Export the caseload with its headings in the first row.",
    "caseload_no_column": "{file} row {row}: no '{heading}' column (the headings there are {found}). Set {setting} in "
                          "qa.yaml to the heading your extract uses.",
    "caseload_no_id": "{heading} is empty.",
    "caseload_bad_id": "{heading} (not shown here) is not in the form of a child's ID.",
    "caseload_repeat": "{heading} repeats row {first}.",
    "caseload_empty_cell": "{heading} is empty.",
    "caseload_bad_level": "{heading} '{value}' is not one of {levels}.",
    "caseload_bad_date": "{heading} '{value}' is not a date.",
    "caseload_row_left_out": "The row is left out of the sample: correct it in the extract to include the child.",
    "caseload_missing": "No caseload extract: give it with --extract FILE (the .csv or .xlsx your case-management "
                        "system exports), or save it as {file}.",
    "sample_no_children": "No child in {file} can be sampled for {quarter}: {reason}",
    "sample_size": "--size must be at least 1.",
    "sample_no_auditors": "No one on the roster ({file}) dip-samples: targets.yaml names the roles {roles}. Add them to "
                          "the roster, or the roles to dip_sample: auditor_roles in admin/targets.yaml.",
    "sample_form": "qa sample draws children for ccr or dip_sample, not '{form}'.",
    "from_sample_unreadable": "{file}: cannot be read ({detail}). Give the sample workbook qa sample wrote (or your "
                              "edited copy of it).",
    "from_sample_no_form": "{file}: the 'Read me' sheet does not say which form and quarter the sample is for. Give "
                           "FORM and --quarter, e.g. qa issue ccr --quarter 2022-23-Q3 --from-sample {file}.",
    "from_sample_column": "{file} · sheet 'Sample': no '{heading}' column. Keep the headings qa sample wrote in the "
                          "first row.",
    "from_sample_empty": "{file} · sheet 'Sample': no children are listed. Add one row per child, or draw a new "
                         "sample with qa sample.",
    "from_sample_row": "{file} · sheet 'Sample' row {row}: {problem}",
    "from_sample_no_id": "Child ID is empty. Fill it in, or delete the row.",
    "from_sample_bad_id": "Child ID (not shown here) is not in the form of a child's ID, e.g. {example}.",
    "from_sample_no_assignee": "{heading} is empty. Choose who completes it, or give --assignee NAME for rows "
                               "without one.",
    "from_sample_assignee": "{heading} '{name}' is not on the staff roster.{hint}",
    "from_sample_repeat": "Child ID repeats row {first}: delete one of the rows.",
    "from_sample_options": "--from-sample takes the children from the sample: leave out --child-id.",
    "issue_needs": "Missing {what}. Give FORM, --quarter and --assignee, or --from-sample FILE.",
    "remind_no_one": "Nobody owes anything for {quarter} on {day}: no reminder written.",
    "remind_bad_email": "{file} · sheet '{sheet}' row {row}: Email '{value}' is not an email address: the reminder is "
                        "written but not sent. Write it as name@example.gov.uk.",
    "mail_no_address": "{name} has no Email on the roster ({file}): their reminder is written but not sent. Add an "
                       "Email column to the Staff sheet with their address.",
    "mail_failed": "Sending to {to} through {host}:{port} failed ({detail}). Nothing more was sent; run qa remind "
                   "again once the mail server is reachable (what was sent is not sent twice in a day).",
    "mail_login": "The mail server {host}:{port} refused the login ({detail}). Check the user name and password in the "
                  "environment variables {user_env} and {password_env}.",
}

CATALOGUES = (MESSAGES, ADMIN_MESSAGES, TARGET_MESSAGES, SPEC_MESSAGES, CLI_MESSAGES, STORE_MESSAGES, PEOPLE_MESSAGES)


def message(key: str, /, **details: object) -> Message:
    """Catalogue message *key* (from whichever catalogue holds it) filled in, carrying its public wording."""
    for catalogue in CATALOGUES:
        if key in catalogue:
            text = Message(catalogue[key].format(**details))
            text.public = PUBLIC_MESSAGES[key].format(**details) if key in PUBLIC_MESSAGES else str(text)
            return text
    raise KeyError(key)


def public_message(key: str, **details: object) -> str:
    """The wording of message *key* in collated outputs: it never quotes what was typed (so needs no value)."""
    return PUBLIC_MESSAGES.get(key, MESSAGES[key]).format(**details)
