"""Issue a pre-filled form to the member of staff who must complete it, and remember it was issued."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PipelineError, message
from .quarter import Quarter
from .roles import closest, fold
from .spec import Catalogue, FormSpec
from .spec.contract import ASSIGNEE_ROLES
from .store import IssuedForm, Store
from .templates import build_form, file_name
from .workspace import unique_path

if TYPE_CHECKING:
    from .admin import Person


def choose_spec(catalogue: Catalogue, form: str, theme: str | None) -> FormSpec:
    """The spec for *form*, or its themed variant when *theme* names one (by variant id or theme text)."""
    base = catalogue.find(form)
    if not theme:
        return base
    for variant in catalogue.variants(base.id):
        if theme in (variant.variant, variant.theme) or theme.casefold() == (variant.theme or "").casefold():
            return variant
    if base.role_field("theme") is not None:
        return base  # a one-off theme with no questions of its own: written into the theme field
    known = ", ".join(v.variant for v in catalogue.variants(base.id)) or "none"
    raise PipelineError(message("unknown_theme", form=form, theme=theme, known=known))


def roster_name(assignee: str, roster: list[Person], roster_file: str = "admin/roster.xlsx") -> str:
    """*assignee* as the roster writes it; PipelineError with a did-you-mean when nobody there has that name."""
    names = {fold(person.name): person.name for person in roster}
    if fold(assignee) in names:
        return names[fold(assignee)]
    suggestion = closest(assignee, names.values())
    hint = message("did_you_mean", suggestion=suggestion) if suggestion else ""
    raise PipelineError(message("unknown_assignee", name=assignee, file=roster_file, hint=hint))


def issue_form(
    catalogue: Catalogue,
    store: Store,
    form: str,
    quarter: str,
    assignee: str,
    out_dir: Path,
    theme: str | None = None,
    child_id: str | None = None,
    *,
    roster: Path | None = None,
    issued_on: dt.date | None = None,
    issue_id: str | None = None,
    path: Path | None = None,
    prefill: dict[str, object] | None = None,
    rows: list[dict[str, object]] | None = None,
    by_id: dict[str, object] | None = None,
) -> Path:
    """Write a pre-filled copy with a unique issue id into *out_dir*, record it, and return its path.

    With a *roster* (the roster workbook's path), the assignee must be on it and is written as the roster
    writes them; it is read once the other options are known to be right. *prefill* adds answers by
    role, *rows* the rows of the form's children group (each by role), *by_id* answers by field id.
    *issue_id* and *path*, when given (the watcher's schedule records them before issuing), are used
    instead of new ones. The file is written beside and renamed, so it is there whole or not at all.
    """
    try:
        quarter = Quarter.from_label(quarter).label
    except ValueError as err:
        raise PipelineError("--quarter: " + message("bad_quarter_option", error=err)) from None
    spec = choose_spec(catalogue, form, theme)
    if child_id and spec.role_field("child_id") is None:
        raise PipelineError(message("no_child_id_field", title=spec.display_title))
    if child_id and not catalogue.settings.is_child_id(child_id):
        raise PipelineError(message("child_id_option", value=child_id, example=catalogue.settings.child_id_example))
    if roster is not None:
        from .admin import read_roster

        assignee = roster_name(assignee, read_roster(roster))
    answers: dict[str, object] = {"quarter": quarter, **dict.fromkeys(ASSIGNEE_ROLES, assignee)}
    if spec.theme or theme:
        answers["theme"] = spec.theme or theme
    if child_id:
        answers["child_id"] = child_id
    answers |= {role: value for role, value in (prefill or {}).items() if _fits(spec.role_field(role), value)}
    values = spec.by_id(answers) | (by_id or {})
    group = spec.role_group("children")
    groups = None
    if rows and group is not None:
        groups = {group.id: [{item.id: row[item.role] for item in group.fields
                              if item.role in row and _fits(item, row[item.role])} for row in rows]}
    issue_id = issue_id or new_issue_id(quarter, spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = path or unique_path(out_dir, file_name(spec, quarter, assignee, child_id or "", issue_id[-6:]))
    temp = path.with_name(f".{path.name}.writing")
    temp.write_bytes(build_form(spec, values, groups, issue_id=issue_id))
    temp.replace(path)
    store.record_issue(IssuedForm(issue_id, spec.id, spec.variant, quarter, assignee, child_id,
                                  _issued_at(issued_on), str(path)))
    return path


def new_issue_id(quarter: str, spec: FormSpec) -> str:
    """A new issue id: '2022-23-Q3-CCR-4F2A9C'."""
    return f"{quarter}-{spec.id.upper().replace('_', '')}-{secrets.token_hex(3).upper()}"


def _issued_at(issued_on: dt.date | None) -> str:
    """When a form is recorded as issued: now, or on *issued_on* (the schedule's date) at the time now."""
    now = dt.datetime.now()
    return (dt.datetime.combine(issued_on, now.time()) if issued_on else now).isoformat(timespec="seconds")


def _fits(item, value: object) -> bool:
    """Whether *value* may be pre-filled in the field *item*: a choice only when it is one of the field's choices."""
    if item is None or value in (None, ""):
        return False
    return not item.options or value in item.options


def issue_from_sample(catalogue: Catalogue, store: Store, workspace, sample: Path, config, *,
                      form: str | None = None, quarter: str | None = None, assignee: str | None = None,
                      theme: str | None = None, out_dir: Path | None = None) -> list[Path]:
    """Issue the forms a sample workbook lists: a CCR per child to its lead reviewer, a dip sample per auditor.

    A child already issued a CCR for the quarter is not issued another (so running it again issues only
    the rows added since).

    Every row is checked before anything is issued (PipelineError listing each bad row); the child's
    name is taken from the caseload extract, only when it has a name column, and only into the CCR's
    name field (the field marked ``identifying: name``).
    """
    from .admin import read_roster
    from .sample_frame import read_sample

    sheet = read_sample(sample)
    form = form or sheet.form
    quarter = quarter or sheet.quarter
    if not form or not quarter:
        raise PipelineError(message("from_sample_no_form", file=sample.name))
    spec = choose_spec(catalogue, form, theme)
    is_ccr = spec.id == "ccr"
    heading = "Lead reviewer" if is_ccr else "Auditor"
    needed = ("Child ID", "Team", "Level of need") + (() if is_ccr and assignee else (heading,))
    if sheet.rows:
        for column in needed:
            if column not in sheet.rows[0][1]:
                raise PipelineError(message("from_sample_column", file=sample.name, heading=column))
    if not sheet.rows:
        raise PipelineError(message("from_sample_empty", file=sample.name))
    roster = read_roster(workspace.roster_path)
    names = {fold(person.name): person.name for person in roster}
    problems, first, plan = [], {}, []
    for number, row in sheet.rows:
        where = lambda text: message("from_sample_row", file=sample.name, row=number, problem=text)  # noqa: E731
        child_id = row.get("Child ID", "")
        who = row.get(heading, "") or (assignee or "")
        if not child_id:
            problems.append(where(message("from_sample_no_id")))
        elif not catalogue.settings.is_child_id(child_id):
            problems.append(where(message("from_sample_bad_id", example=catalogue.settings.child_id_example)))
        elif fold(child_id) in first:
            problems.append(where(message("from_sample_repeat", first=first[fold(child_id)])))
        else:
            first[fold(child_id)] = number
        if not who:
            problems.append(where(message("from_sample_no_assignee", heading=heading)))
        elif fold(who) not in names:
            suggestion = closest(who, names.values())
            hint = message("did_you_mean", suggestion=suggestion) if suggestion else ""
            problems.append(where(message("from_sample_assignee", heading=heading, name=who, hint=hint)))
        else:
            plan.append((names[fold(who)], row))
    if problems:
        raise PipelineError("\n".join(problems))
    try:
        quarter = Quarter.from_label(quarter).label
    except ValueError as err:
        raise PipelineError("--quarter: " + message("bad_quarter_option", error=err)) from None
    folder = out_dir or workspace.outbox / "issued" / quarter
    facts = lambda row: {"child_id": row["Child ID"], "team": row.get("Team", ""),  # noqa: E731
                         "level_of_need": row.get("Level of need", ""), "social_worker": row.get("Social worker", ""),
                         "team_manager": row.get("Team manager", ""), "selection_reason": row.get("Why chosen", "")}
    paths = []
    if is_ccr:
        issued = {fold(i.child_id) for i in store.issued(quarter) if i.form == spec.id and i.child_id}
        plan = [(who, row) for who, row in plan if fold(row["Child ID"]) not in issued]
        child_names = _names_from_extract(workspace, config, catalogue)
        name_fields = spec.identifying_fields("name") & {item.id for item in spec.fields()}
        for who, row in plan:
            name = child_names.get(fold(row["Child ID"]), "")
            paths.append(issue_form(catalogue, store, form, quarter, who, folder / _folder(who), theme,
                                    row["Child ID"], prefill=facts(row), issued_on=config.today(),
                                    by_id={field_id: name for field_id in name_fields} if name else None))
        return paths
    by_auditor: dict[str, list[dict[str, object]]] = {}
    for who, row in plan:
        by_auditor.setdefault(who, []).append(facts(row))
    for who, rows in by_auditor.items():
        paths.append(issue_form(catalogue, store, form, quarter, who, folder / _folder(who), theme, rows=rows,
                                issued_on=config.today()))
    return paths


def _folder(name: str) -> str:
    """A person's folder under outbox/issued/<quarter>/, as the schedule names it."""
    from .schedule import person_folder

    return person_folder(name)


def _names_from_extract(workspace, config, catalogue: Catalogue) -> dict[str, str]:
    """Children's names by folded ID from the caseload extract, when it has a name column (else none)."""
    from .caseload import read_caseload
    from .errors import WorkspaceError
    from .sample_frame import find_extract

    try:
        path = find_extract(workspace, None)
        levels = catalogue.find("ccr").role_field("level_of_need").options
        caseload = read_caseload(path, config, levels, catalogue.settings.is_child_id)
    except WorkspaceError:
        return {}
    return {fold(child.child_id): child.name for child in caseload.children if child.name} if caseload.has_names else {}
