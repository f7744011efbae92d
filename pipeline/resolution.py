"""A rejected file's life told truthfully: when an accepted file corrects it, the rejection is resolved.

Ingest calls :func:`resolve_rejections` once a file is stored. Each earlier, unresolved rejection of
the same form that the new file corrects — the same issue id, or the same form, quarter, author
and subject — is recorded in the store as resolved by the new submission, and the note beside the
rejected file gains a line saying when and by which submission. Nothing is deleted or rewritten:
the rejected file stays as it was, and the note is only appended to.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from .roles import fold
from .spec import Catalogue
from .spec.contract import DISTINCT_ROLES, IDENTITY_ROLES
from .store import LogEntry, Store, StoredSubmission, bind, rejection_ref, submission_ref
from .validate import Submission
from .workspace import Workspace

log = logging.getLogger("pipeline.resolution")
# A rejected file is read again in full only up to this size (a form is tens of kilobytes): a file of
# thousands of rows, or one with photos pasted in, is matched by its issue id alone, read from its
# properties in milliseconds, so the next accepted file never waits seconds on an old rejection.
FULL_READ_LIMIT = 256 * 1024


def match_key(submission: Submission | StoredSubmission) -> dict[str, object]:
    """What identifies a return: its issue id, and its form, variant, quarter, author and subject."""
    return {
        "issue_id": submission.issue_id or "",
        "form": submission.form,
        "variant": submission.variant or "",
        "quarter": submission.quarter or "",
        "author": fold(str(submission.author or "")),
        "subject": [fold(str(submission.answer(role) or "")) for role in IDENTITY_ROLES]
        + [str(submission.answer(role)) for role in DISTINCT_ROLES if submission.answer(role)],
    }


def corrects(accepted: dict[str, object], rejected: dict[str, object]) -> bool:
    """Whether the *accepted* return is a corrected resubmission of the *rejected* one (both as match_key()).

    The same issue id when both carry one; otherwise the same form, variant, quarter, author and
    subject (child ID, practitioner, supervisee, source, area or service), quarter and author given.
    """
    if rejected["issue_id"] and accepted["issue_id"]:
        return rejected["issue_id"] == accepted["issue_id"]
    if not rejected["quarter"] or not rejected["author"]:
        return False
    return all(rejected[part] == accepted[part] for part in ("form", "variant", "quarter", "author", "subject"))


def resolve_rejections(workspace: Workspace, catalogue: Catalogue, store: Store, claim: str) -> list[str]:
    """Resolve the rejections the file stored under *claim* corrects; their references ('R-0007').

    Never raises: a rejected file that cannot be read again (moved away by the admin) stays
    unresolved, and ingest goes on.
    """
    try:
        entry = store.claimed_outcome(claim)
        if entry is None or entry.submission_id is None or not entry.form:
            return []
        accepted = store.submission(entry.submission_id)
        if accepted is None:
            return []
        resolved = []
        for rejected in store.unresolved_rejections(entry.form, entry.id):
            first_look = rejected.match_key is None
            earlier = _rejected_key(store, rejected, catalogue)
            if earlier is None:
                continue
            # The first look at a rejection also checks the files accepted since it: a store made before
            # rejections were resolved, or a crash before this ran, may already hold its correction.
            for later in store.accepted_between(entry.form, rejected.id, entry.id) if first_look else [entry]:
                submission = accepted if later.id == entry.id else store.submission(later.submission_id or 0)
                if submission is None or not corrects(match_key(bind([submission], catalogue)[0]), earlier):
                    continue
                at = store.resolve_rejection(rejected.id, submission.id, later.at)
                if at is not None:  # else another process resolved it a moment ago
                    _append_to_note(rejected, submission, later.file, at)
                    resolved.append(rejection_ref(rejected.id))
                    log.info("%s\tresolved %s (%s) as %s", later.file, rejection_ref(rejected.id), rejected.file,
                             submission_ref(submission.id))
                break
        return resolved
    except Exception:  # noqa: BLE001 - resolving is a courtesy; a failure must never stop an ingest
        log.warning("could not check which rejected files %s resolves", claim, exc_info=True)
        return []


def resolution_line(accepted_file: str, submission_id: int, at: str) -> str:
    """The line added to a rejected file's note when a corrected file is accepted."""
    when = dt.datetime.fromisoformat(at)
    return (f"Resolved on {when:%d/%m/%Y at %H:%M}: the corrected file '{accepted_file}' was accepted as submission "
            f"{submission_ref(submission_id)}. Nothing more is needed for this file.")


def _rejected_key(store: Store, rejected: LogEntry, catalogue: Catalogue) -> dict[str, object] | None:
    # The rejected file is read again only once: its key is kept in the log for every later file to compare with.
    if rejected.match_key is not None:
        return json.loads(rejected.match_key) or None
    from .errors import ReadError
    from .ingest import examine
    from .read.package import MAX_FILE_BYTES, open_package

    path = Path(rejected.destination or "")
    if not rejected.destination or not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
        return None  # moved away for now: looked for again next time
    data = path.read_bytes()
    if len(data) <= FULL_READ_LIMIT:
        submission = examine(path.name, data, catalogue).submission
        key = match_key(submission) if submission is not None else {}
    else:
        try:
            issue_id = open_package(path.name, data).issue_id
        except ReadError:
            issue_id = None
        key = {"issue_id": issue_id, "form": "", "variant": "", "quarter": "", "author": "", "subject": []} if issue_id else {}
    store.remember_match_key(rejected.id, json.dumps(key))
    return key or None


def _append_to_note(rejected: LogEntry, accepted: StoredSubmission, accepted_file: str, at: str) -> None:
    from .ingest import note_path

    note = note_path(Path(rejected.destination or ""))
    if note.is_file():
        with note.open("a", encoding="utf-8") as text:
            text.write("\n" + resolution_line(accepted_file, accepted.id, at) + "\n")
