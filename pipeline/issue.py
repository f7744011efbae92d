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
) -> Path:
    """Write a pre-filled copy with a unique issue id into *out_dir*, record it, and return its path.

    With a *roster* (the roster workbook's path), the assignee must be on it and is written as the roster
    writes them; it is read once the other options are known to be right. *issue_id* and *path*, when given
    (the watcher's schedule records them before issuing), are used instead of new ones. The file is written
    beside and renamed, so it is there whole or not at all.
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
    values = spec.by_id(answers)
    issue_id = issue_id or new_issue_id(quarter, spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = path or unique_path(out_dir, file_name(spec, quarter, assignee, child_id or "", issue_id[-6:]))
    temp = path.with_name(f".{path.name}.writing")
    temp.write_bytes(build_form(spec, values, issue_id=issue_id))
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
