"""How `qa` prints what a command found: per-file ingest lines and the status table (no logic of its own)."""

from __future__ import annotations

import itertools
import json
import sys
import textwrap

import click

from .errors import message
from .workspace import Workspace


def report_outcomes(workspace: Workspace, outcomes: list, held: list, as_json: bool) -> None:
    """One line per file, the counts, the claims no process here is finishing; exit 1 if a file failed."""
    from .ingest import printable

    for outcome in outcomes:
        if as_json:
            click.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            click.echo(f"{outcome.status:9} {printable(outcome.file)}" + (f" ({outcome.form})" if outcome.form else ""))
            for problem in outcome.public:  # the note beside the file quotes what was typed; a log never does
                click.echo(f"          · {problem}")
            if outcome.recovered:
                click.echo(f"          · {message('recovered_by_layout')}")
    if not as_json:
        extra = tuple(s for s in ("left", "failed") if any(o.status == s for o in outcomes))
        statuses = ("accepted", "replaced", "duplicate", "rejected") + extra
        counts = {s: sum(o.status == s for o in outcomes) for s in statuses}
        click.echo(", ".join(f"{n} {s}" for s, n in counts.items()) + f" ({len(outcomes)} file(s))")
    for item in held:
        click.echo(item.describe(workspace), err=as_json)
    if any(outcome.status == "failed" for outcome in outcomes):
        sys.exit(1)


_RAG_COLOURS = {"Green": "green", "Amber": "yellow", "Red": "red"}


def status_lines(assessment, with_files: bool = False) -> list[str]:
    """The assessment as a table with RAG, then who owes what, the spread of CCRs, unreturned and rejected forms."""
    def wrap(text: str, indent: str = "    ", hanging: str = "    ") -> list[str]:
        return textwrap.wrap(text, width=110, initial_indent=indent, subsequent_indent=hanging)

    def rag(value: str, width: int = 0) -> str:
        return click.style(value.ljust(width), fg=_RAG_COLOURS.get(value))

    result = assessment.compliance
    lines = [f"QA activity against the framework's minimums: {result.quarter} ({result.months})", ""]
    header = (f"{'Activity':<32} {'Counted over':<22} {'Minimum':>7} {'Received':>8} {'Counted':>7} {'Rejected':>8} "
              f"{'Outstanding':>11}  RAG")
    lines += wrap("Received: everything returned. Counted: the part that counts towards the minimum (each person's "
                  "returns up to what they owe); Outstanding = Minimum − Counted. Rejected: files not yet resolved by a "
                  "corrected one.", "", "")
    lines += ["", header, "-" * len(header)]
    for line in result.activities:
        name = line.activity
        if len(name) > 32:  # a long name ('Service area return: Complaints and compliments') on a line of its own
            lines.append(name)
            name = ""
        lines.append(f"{name:<32} {line.span:<22} {line.minimum:>7} {line.received:>8} {line.counted:>7} "
                     f"{line.rejected:>8} {line.outstanding:>11}  {rag(line.rag)}")
        lines += wrap(line.explanation)
    spread = result.ccr_spread
    lines += ["", "Collaborative case reviews, children by level of need and by team"]
    lines += wrap(" · ".join(f"{t.name} {t.count}" for t in spread.by_level_of_need), "  Level of need: ", "  ")
    lines += wrap(" · ".join(f"{t.name} {t.count}" for t in spread.by_team) or "none", "  Team: ", "  ")
    lines += plan_lines(assessment, wrap, rag)
    owing = result.outstanding_people()
    lines += ["", f"Still to do, by person ({len({line.person for line in owing})} people; --json lists everyone)"]
    for person, group in itertools.groupby(owing, key=lambda line: line.person):
        group = list(group)
        detail = ", ".join(part for part in (group[0].role, group[0].team) if part)
        lines.append(f"  {person}" + (f" ({detail})" if detail else ""))
        for line in group:
            text = wrap(f"{line.activity}: {line.explanation}", f"    {line.rag:<5} ", " " * 10)
            lines += [text[0].replace(f"{line.rag:<5}", rag(line.rag, 5), 1), *text[1:]]
    if not owing:
        lines.append("  Nobody: every obligation so far is met.")
    lines += ["", f"Issued forms not yet returned ({len(result.unreturned)})"]
    for issued in result.unreturned:
        form = f"{issued.form}/{issued.variant}" if issued.variant else issued.form
        child = f", child {issued.child_id}" if issued.child_id else ""
        lines.append(f"  {issued.issue_id}  {form} — {issued.assignee}{child}, issued {issued.issued_at[:10]}")
    count = assessment.rejected
    lines += ["", f"Rejected files ({count.total}: {count.resolved} resolved by a corrected resubmission, "
                  f"{count.outstanding} outstanding; the reasons are in the note beside each file in rejected/)"]
    for rejected in assessment.rejections:
        what = (f"resolved by {rejected.resolved_by} on {rejected.resolved_at[:10]}" if rejected.resolved
                else "outstanding")
        file = f"  {assessment.files[rejected.ref]}" if with_files else ""
        lines.append(f"  {rejected.ref}  {rejected.form or 'form not identified'}, rejected {rejected.at[:10]}: {what}{file}")
    if with_files:
        lines += ["", "Returns this quarter, by reference (file names as people typed them: for the QA admin only)"]
        lines += [f"  {ref}  {file}" for ref, file in assessment.files.items() if ref.startswith("S-")]
    if result.unknown_names:
        lines += ["", "Names on this quarter's returns that are not on the roster (add them, or correct the spelling)"]
        for unknown in result.unknown_names:
            lines.append(f"  '{unknown.name}': {unknown.form}, {unknown.field} ({unknown.count})")
    return lines


def plan_lines(assessment, wrap, rag) -> list[str]:
    """The quarter's due date and late returns, the plan against what happened, and rows of the plan not matched."""
    due = assessment.deadline
    lines = [""]
    for note in assessment.method:
        lines += wrap(f"Method: {note}", "", "  ")
    lines += ["", "When the quarter's returns are due"]
    lines += wrap(due.explanation, "  ", "  ")
    if assessment.plan or assessment.plan_problems:
        lines += ["", f"Activity against the QA plan ({len(assessment.plan)} planned this quarter)"]
    for line in assessment.plan:
        week = f"w/b {line.week_beginning:%d/%m/%Y}" if line.week_beginning else line.month
        text = wrap(f"{line.activity} ({week}{', ' + line.theme if line.theme else ''}): {line.explanation}",
                    f"  {line.rag:<5} ", " " * 8)
        lines += [text[0].replace(f"{line.rag:<5}", rag(line.rag, 5), 1), *text[1:]]
    for problem in assessment.plan_problems:
        lines += wrap(problem, "  Plan: ", "        ")
    return lines
