"""`qa status`'s moderation part: what awaits moderation, feedback or follow-through, and for how long."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .cli_handsoff import config_with_today
from .moderation import CLOSED, FEEDBACK_GIVEN, MODERATED, SUBMITTED, ModerationQueue, moderation_queue

HEADINGS = {
    SUBMITTED: "Awaiting moderation",
    MODERATED: "Moderated, feedback to the practitioner not yet recorded",
    FEEDBACK_GIVEN: "Feedback given, follow-through not yet complete",
}


def moderation_status(obj, assessment, clean: Callable[[object], str]) -> ModerationQueue:
    """The moderation queue for `qa status`: returns to date, as of the workspace's today (QA_TODAY if set).

    *clean* is status's redactor: a child's name typed in the reviewer box is never printed.
    """
    today = config_with_today(obj.workspace, None).today()
    return moderation_queue(assessment.to_date, assessment.everything, today, clean)


def moderation_lines(queue: ModerationQueue) -> list[str]:
    """The queue as `qa status` prints it: the counts, then each open return, oldest first in its state."""
    counts = queue.counts
    lines = ["", f"Moderation of reviews and audits to date (as of {_day(queue.as_of)}): {counts[SUBMITTED]} awaiting "
                 f"moderation, {counts[MODERATED]} awaiting feedback, {counts[FEEDBACK_GIVEN]} awaiting follow-through, "
                 f"{counts[CLOSED]} closed"]
    for state, heading in HEADINGS.items():
        waiting = queue.waiting(state)
        if not waiting:
            continue
        lines.append(f"  {heading} ({len(waiting)})")
        for item in waiting:
            what = {SUBMITTED: "submitted", MODERATED: "moderated", FEEDBACK_GIVEN: "feedback given"}[state]
            detail = ""
            if state != SUBMITTED and item.outcome:
                detail = f" ({item.outcome}{'; no reason for the change given' if item.reason_missing else ''})"
            missing = f"; still to record: {', '.join(item.to_do)}" if item.to_do else ""
            lines.append(f"    {item.ref}  {item.title} {item.quarter}, reviewer {item.reviewer or 'not given'}: "
                         f"{what} {_day(item.state_since)}{detail}, {_days(item.days_in_state)}{missing}")
    return lines


def _day(iso: str) -> str:
    return f"{dt.date.fromisoformat(iso):%d/%m/%Y}"


def _days(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
