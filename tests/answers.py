"""Valid answers for any form spec, so tests can fill every field of every form the way a person would."""

from __future__ import annotations

import datetime as dt

from pipeline.spec import GRADES, Field, FormSpec

QUARTER = "2022-23-Q3"


def answer(item: Field, n: int = 1) -> object:
    """A valid answer for *item*; *n* varies it between rows."""
    if item.type == "quarter":
        return QUARTER
    if item.type == "date":
        return dt.date(2022, 11, 1 + n % 28)
    if item.type == "number":
        low = item.minimum if item.minimum is not None else 0
        high = item.maximum if item.maximum is not None else low + 100
        return min(high, low + 7 * n)
    if item.type in ("choice", "grade"):
        options = GRADES if item.type == "grade" else item.choices
        return options[n % len(options)]
    if item.type == "multi_choice":
        return list(item.choices[: 1 + n % len(item.choices)])
    if item.type == "yes_no":
        return n % 2 == 1
    if item.pattern or item.identifying == "child_id":  # child ids and the like
        return f"C{1000 + n}"
    if item.type == "long_text":
        return f"{item.label}: first line & <second> \"quoted\"\n  indented line {n}\n\nafter a blank line"
    return f"{item.label[:24]} {n}"


def full_answers(spec: FormSpec, rows: int = 3) -> tuple[dict[str, object], dict[str, list[dict[str, object]]]]:
    """Answers to every field and *rows* rows of every repeat group."""
    values = {item.id: answer(item) for item in spec.fields()}
    groups = {g.id: [{item.id: answer(item, n) for item in g.fields} for n in range(1, rows + 1)] for g in spec.groups()}
    return values, groups


def stored(value: object) -> object:
    """How a typed value comes back out of the store (dates as ISO strings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and "\n" not in value:
        return value.strip()
    return value
