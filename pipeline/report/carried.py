"""Learning followed through (§13): what earlier quarters said we would do, carried forward with a status until closed.

Three kinds of point are carried: the priorities page one set (each CCR domain below its target),
the Heads of Service's and service areas' "what needs to happen", and the feedback returns' "what
we will do in response". Each has a stable reference (LRN-22Q2-1A2B3C). Its status is worked out
from the evidence: a priority closes when this quarter's domain meets its target and otherwise says
whether the change is clear; a point closes when the QA admin records it done in the action register
(admin/action-updates.xlsx, a row with its Ref and a "Completed on" date), and otherwise says whether
it was raised again this quarter. A point closed in an earlier quarter is no longer shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from ..quarter import Quarter
from ..spec import FormSpec
from ..store import StoredSubmission
from .practice import Distribution, domains
from .sources import Sourcer, split_points
from .trends import QualityTargets, change_between, quarters_back

CARRY_QUARTERS = 4  # how far back a point is followed
POINT_ROLES = {"hos_summary": ("needs_to_happen", "service"), "service_summary": ("needs_to_happen", "area"),
               "child_family_feedback": ("response", "source")}
KINDS = {"hos_summary": "Head of Service: what needs to happen", "service_summary": "Service area: what needs to happen",
         "child_family_feedback": "Feedback: what we will do"}


@dataclass
class CarriedItem:
    """One thing we said we would do, where it came from and what has happened since."""

    ref: str
    said_in: str  # the quarter it was first said
    kind: str  # 'Priority' or where the point came from
    text: str
    source: str  # area or service (never a practitioner's name)
    status: str  # 'Open' | 'Closed'
    happened: str  # what happened, in words
    evidence: str


@dataclass
class CarriedLearning:
    """'Last quarter we said — what happened — evidence', for every point still open (or closed this quarter)."""

    points: list[CarriedItem] = field(default_factory=list)
    open: int = 0
    closed: int = 0
    register: str = ""


def learning_ref(quarter: str, kind: str, text: str) -> str:
    """A reference that stays the same every render: 'LRN-22Q2-1A2B3C'."""
    key = f"{kind}|{' '.join(text.split()).casefold().rstrip('.')}"
    digest = hashlib.blake2s(key.encode("utf-8"), digest_size=3).hexdigest().upper()
    return f"LRN-{quarter[2:4]}{quarter[-2:]}-{digest}"


def carried_learning(
    spec: FormSpec,
    to_date: list[StoredSubmission],
    quarter: Quarter,
    targets: QualityTargets,
    completions: dict,
    sourcer: Sourcer,
    register: str = "",
) -> CarriedLearning:
    """Every point said in the last four quarters before *quarter*, with its status at *quarter*."""
    earlier = [q.label for q in quarters_back(quarter, CARRY_QUARTERS + 1)[:-1]]
    by_quarter: dict[str, list[StoredSubmission]] = {}
    for submission in to_date:
        by_quarter.setdefault(submission.quarter, []).append(submission)
    now = by_quarter.get(quarter.label, [])
    items: dict[str, CarriedItem] = {}
    _priorities(spec, by_quarter, earlier, now, quarter, targets, items)
    raised_now = {_key(p.text) for s in now if s.form in POINT_ROLES
                  for p in sourcer.points(s, POINT_ROLES[s.form][0], split=True)}
    said: dict[str, list[str]] = {}  # point → its reference in every quarter it was said (any one closes it)
    for label in earlier:
        for submission in by_quarter.get(label, []):
            if submission.form in POINT_ROLES:
                for text in split_points(sourcer.text(submission.answer(POINT_ROLES[submission.form][0]))):
                    said.setdefault(_key(text), []).append(learning_ref(label, KINDS[submission.form], text))
    for label in earlier:
        for submission in by_quarter.get(label, []):
            if submission.form not in POINT_ROLES:
                continue
            role, area_role = POINT_ROLES[submission.form]
            area = sourcer.clean(submission.answer(area_role))
            for text in split_points(sourcer.text(submission.answer(role))):
                key = f"point|{_key(text)}"
                if key in items:
                    continue
                ref = learning_ref(label, KINDS[submission.form], text)
                done = next((completions[r] for r in said.get(_key(text), []) if r in completions), None)
                if done is not None and done.on is not None and done.on < quarter.start:
                    items[key] = None  # type: ignore[assignment]  # closed before this quarter: not shown again
                    continue
                if done is not None:
                    status, happened = "Closed", f"Recorded as done{_on(done.on)} in the action register."
                elif _key(text) in raised_now:
                    status, happened = "Open", f"Raised again in {quarter.label}."
                else:
                    status, happened = "Open", f"Not raised again in {quarter.label}; no completion recorded."
                items[key] = CarriedItem(ref, label, KINDS[submission.form], text.rstrip(".") + ".", area, status, happened,
                                         f"{sourcer.title(submission)}, {sourcer.clean(submission.file)}")
    shown = [item for item in items.values() if item is not None]
    shown.sort(key=lambda i: (i.status != "Open", i.kind != "Priority", i.said_in, i.kind, i.text.casefold()))
    return CarriedLearning(shown, sum(1 for i in shown if i.status == "Open"), sum(1 for i in shown if i.status == "Closed"), register)


def _priorities(spec: FormSpec, by_quarter: dict, earlier: list[str], now: list[StoredSubmission], quarter: Quarter,
                targets: QualityTargets, items: dict) -> None:
    """Each domain below target in an earlier quarter, judged on this quarter's reviews."""
    target = targets.good_or_better_min_percent
    for label in earlier:
        reviews = [s for s in by_quarter.get(label, []) if s.form == "ccr"]
        if not reviews:
            continue
        for field_id, name in domains(spec):
            then = Distribution.of(name, (r.values.get(field_id) for r in reviews))
            key = f"priority|{field_id}"
            if not then.total or (then.good_or_better_percent or 0) >= target or key in items:
                continue
            current = Distribution.of(name, (r.values.get(field_id) for s in [now] for r in s if r.form == "ccr"))
            text = f"Improve {name.lower()}: {then.good_or_better_percent:.0f}% good or better against a target of at least {target:.0f}%."
            evidence = f"{then.good_or_better_percent:.0f}% of {then.total} in {label}"
            if not current.total:
                status, happened = "Open", f"No reviews in {quarter.label} to judge it by."
            else:
                change, _, _ = change_between(then.good_or_better, then.total, current.good_or_better, current.total)
                evidence += f" → {current.good_or_better_percent:.0f}% of {current.total} in {quarter.label}"
                if (current.good_or_better_percent or 0) >= target:
                    status, happened = "Closed", f"Target met in {quarter.label} ({change} since {label})."
                else:
                    status, happened = "Open", f"Still below target in {quarter.label}: {change} since {label}."
            items[key] = CarriedItem(learning_ref(label, "Priority", text), label, "Priority", text, "Collaborative case reviews",
                                     status, happened, evidence)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def _on(day: dt.date | None) -> str:
    return f" on {day.day} {day:%B %Y}" if day else ""
