"""Read a rendered DLT report (.docx) as a reader does and list every place it contradicts itself.

Each check is one contradiction a reader found in a demo report; :func:`contradictions` returns a
line per one found, so a test asserts the list is empty and shows what is wrong when it is not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from docx import Document

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def paragraphs(document) -> list[str]:
    """Every paragraph's text, in order (body paragraphs only)."""
    return [p.text for p in document.paragraphs]


def table(document, header: list[str]):
    """The first table headed *header*, or None."""
    for found in document.tables:
        if [cell.text for cell in found.rows[0].cells] == header:
            return found
    return None


def tables(document, header: list[str]) -> list:
    """Every table headed *header*."""
    return [t for t in document.tables if [cell.text for cell in t.rows[0].cells] == header]


def rows(found) -> list[list[str]]:
    """The table's rows after the header, as cell texts (a note row, one cell across the table, left out)."""
    texts = [[cell.text for cell in row.cells] for row in found.rows[1:]] if found is not None else []
    return [row for row in texts if len(row) == 1 or len(set(row)) > 1 or not row[0]]


def section(document, heading: str) -> list[str]:
    """The paragraphs under each heading *heading*, up to the next heading of any level."""
    found, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            inside = paragraph.text == heading
        elif inside:
            found.append(paragraph.text)
    return found


def contradictions(path, staff_names: Iterable[str] = (), received: tuple[dt.date, dt.date] | None = None) -> list[str]:
    """Every contradiction found in the report at *path* (empty when it reads consistently).

    *staff_names* are the roster's names (none may stand beside an area for development); *received*
    the first and last day a return of the quarter can have been received.
    """
    document = Document(str(path))
    texts = paragraphs(document)
    everything = "\n".join(texts)
    found: list[str] = []

    # 1. Inadequate: page one, the overall grade table, the list of inadequate reviews and the trend say the same number.
    judgement = next((cell.text for t in document.tables for cell in t.rows[0].cells if "quality of practice in" in cell.text), "")
    said = re.search(r"and (\d+) \(\d+%\) inadequate", judgement)
    overall = table(document, ["Domain", "Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Good or better"])
    overall_row = next((r for r in rows(overall) if r[0] == "Overall grade"), None)
    listed = rows(table(document, ["Child ID", "Team", "Level of need", "Reviewer", "Grade", "Moderated"]))
    trend = rows(table(document, ["Quarter", "Reviews (n)", "Good or better (95% CI)", "Inadequate (95% CI)"]))
    trend_inadequate = re.search(r"\((\d+) of \d+", trend[-1][3]) if trend else None
    numbers = {
        "page one": said.group(1) if said else None,
        "overall grade table": overall_row[4] if overall_row else None,
        "trend table": trend_inadequate.group(1) if trend_inadequate else None,
    }
    if listed or (overall_row and overall_row[4] != "0"):
        numbers["reviews graded inadequate list"] = str(len(listed))
    if len({n for n in numbers.values() if n is not None}) > 1 or None in numbers.values():
        found.append(f"inadequate reviews counted differently: {numbers}")

    # 2. Red: the activities said to be red are the red rows; the people red by team add up to the red said.
    activity = table(document, ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"])
    red_rows = sum(1 for r in rows(activity) if r[6] == "Red")
    for text in texts:
        match = re.search(r"activities green, (\d+) amber and (\d+) red overall", text)
        if match and int(match.group(2)) != red_rows:
            found.append(f"section 2 says {match.group(2)} activities red, the table shows {red_rows}")
    # 3. Outstanding is the minimum less what counted, on every activity row.
    for r in rows(activity):
        minimum, counted, outstanding = int(r[1]), int(r[3]), int(r[4])
        if outstanding != max(0, minimum - counted):
            found.append(f"{r[0].splitlines()[0]}: minimum {minimum} less {counted} counted is not {outstanding} outstanding")
    by_team = rows(table(document, ["Team", "Still to do", "Red", "Amber", "Activities"]))
    people = re.search(r"(\d+) obligation\(s\) still to do: (\d+) red, (\d+) amber", everything)
    if people and by_team:
        total, red, amber = (int(g) for g in people.groups())
        if (sum(int(r[1]) for r in by_team), sum(int(r[2]) for r in by_team), sum(int(r[3]) for r in by_team)) != (total, red, amber):
            found.append(f"people still to do by team do not add up to {total} ({red} red, {amber} amber)")

    # 4. Feedback: the returns by source add up to the returns; a point is credited to the source that made it.
    feedback = re.search(r"(\d+) feedback return\(s\).*?returns by source: ([^)]*)\)", everything)
    if feedback:
        parts = [int(n) for n in re.findall(r" (\d+)(?:;|$)", feedback.group(2))]
        if sum(parts) != int(feedback.group(1)):
            found.append(f"feedback returns by source add to {sum(parts)}, not {feedback.group(1)}")
    for header in (["Point", "Raised by: area — author · return"],):
        for found_table in tables(document, header):
            for point, sources in rows(found_table):
                if re.search(r"care leaver", point, re.I) and "Parent or carer" in sources and "Care leavers" not in sources:
                    found.append(f"a care leavers' point is credited to a parent: {point!r}")
                # 5. 'raised by N people in M returns' counts people, not one person's identical sentences.
                said_count = re.search(r"raised by (\d+) (?:person|people) in (\d+) returns", point)
                if said_count:
                    lines = [line for line in sources.splitlines() if " · " in line]
                    authors = {line.rsplit(" · ", 1)[0].split(" — ")[-1] for line in lines}
                    if (int(said_count.group(1)), int(said_count.group(2))) != (len(authors), len(lines)):
                        found.append(f"{point.splitlines()[0]!r}: says {said_count.group(0)}, sources show "
                                     f"{len(authors)} people in {len(lines)} returns")

    # 6. Thematic worries: the body's counts by grade are the appendix's.
    worries = rows(table(document, ["Child ID", "Team", "Grade", "Worry"]))
    said_worries = re.search(r"worry for (\d+) children, (\d+) of them graded requires improvement or inadequate and (\d+) graded "
                             r"good or better", everything)
    if said_worries:
        counted = (len(worries), sum(1 for w in worries if w[2] in ("Requires improvement", "Inadequate")),
                   sum(1 for w in worries if w[2] in ("Outstanding", "Good")))
        if tuple(int(g) for g in said_worries.groups()) != counted:
            found.append(f"thematic worries: the body says {said_worries.groups()}, the appendix lists {counted}")
    if any(t.startswith("What auditors are worried about") for t in texts):
        found.append("a list of worries in the body, where a child graded outstanding reads as a worry")

    # 7. Supervision: a good grade beside most audits answering No or Partly is reconciled in words.
    supervision = section(document, "Supervision audits")
    if supervision:
        questions = _supervision_questions(document)
        short = [q for q, no, total in questions if total and 2 * no >= total]
        if short and not any("yet " in text.lower() for text in supervision):
            found.append(f"supervision graded good beside audits answering No or Partly on {short}, unreconciled")

    # 8. No practitioner named beside an area for development.
    for heading in ("Areas for development", "What we are worried about"):
        for text in section(document, heading):
            named = [name for name in staff_names if name in text]
            if named:
                found.append(f"{heading}: {named} named beside {text[:60]!r}")

    # 9. Dates: every return was received in the quarter it belongs to (or just after), not the day a demo ran.
    sources = rows(table(document, ["Ref", "Form", "Completed by", "Received", "Child ID"]))
    if received:
        for r in sources:
            day, month, year = r[3].split()
            on = dt.date(int(year), MONTHS[month], int(day))
            if not received[0] <= on <= received[1]:
                found.append(f"{r[0]} received {r[3]}, outside {received[0]} to {received[1]}")

    # 10. Compared with: a previous quarter only when there is one.
    compared = next((r[1] for t in document.tables for r in rows(t) if len(r) == 2 and r[0] == "Compared with"), None)
    previous_reviews = re.search(r"returned for \S+ \((\d+) for (\S+)\)", everything)
    if compared and previous_reviews and previous_reviews.group(1) == "0" and not compared.startswith("no previous quarter"):
        found.append(f"the cover compares with {compared}, which has no reviews")
    return found


def _supervision_questions(document) -> list[tuple[str, int, int]]:
    """(question, No or Partly answers, total) from the supervision audits' question table."""
    found = []
    for t in tables(document, ["Question", "Answers"]):
        for question, answers in rows(t):
            if "Supervision held" not in question and not found:
                continue
            counts = {a.strip(): int(n) for a, n in re.findall(r"([\w ]+): (\d+) \(", answers)}
            found.append((question, counts.get("No", 0) + counts.get("Partly", 0), sum(counts.values())))
        if found:
            return found
    return found
