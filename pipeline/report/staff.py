"""Staff treated as the framework asks (§6.7): points about a practitioner's practice are attributed to team and role.

Observations of practice and audits of supervision are for learning, not judgement, so the report
never prints a person's name beside what they were observed or audited on: each source of those
points becomes "Social worker, Assessment (S-0165)" — the role and team of the practitioner (from
the roster, else from the form's own answers) and the return's reference.
"""

from __future__ import annotations

from collections.abc import Callable

from ..roles import fold
from ..store import StoredSubmission
from .sources import CollatedPoint

# Folded name → (role, team), from the roster.
StaffIndex = dict[str, tuple[str, str]]


def staff_index(people) -> StaffIndex:
    """The roster as {folded name: (role as written, team)}."""
    index: StaffIndex = {}
    for person in people:
        index[fold(person.name)] = (str(person.role), person.team or "")
    return index


def attribute_to_team(
    points: list[CollatedPoint],
    returns: list[StoredSubmission],
    subject_role: str,
    staff: StaffIndex,
    clean: Callable[[object], str],
) -> list[CollatedPoint]:
    """*points* with each source's author replaced by the role and team of the person the return is about."""
    by_ref = {submission.file: submission for submission in returns}
    for point in points:
        for source in point.sources:
            submission = by_ref.get(source.file)
            role, team = "Practitioner", ""
            if submission is not None:
                subject = str(submission.answer(subject_role) or "")
                role, team = staff.get(fold(subject), ("", ""))
                role = role or clean(submission.answer("supervisee_role")) or "Practitioner"
                team = team or clean(submission.answer("team"))
            source.author, source.area = role, team
            source.source = " · ".join(part for part in (source.form, role, team, source.file) if part)
    return points
