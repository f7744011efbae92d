"""Turn raw answers into typed values checked against the form spec, one small rule per field type."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .errors import Problem, message
from .quarter import Quarter
from .read.raw import RawSubmission
from .spec import Field, FormSpec

MAX_TEXT = 100_000  # characters in one answer: a long evaluation is a few thousand
GRADE_ALIASES = {"ri": "Requires improvement", "requires improvement": "Requires improvement"}
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")
_EXCEL_1900 = dt.date(1899, 12, 30)  # serial 1 = 1 Jan 1900, allowing for Excel's phantom 29 Feb 1900
_EXCEL_1904 = dt.date(1904, 1, 1)
# Characters XML 1.0 cannot carry, so no report, export or note could show them: C0 controls but
# tab, new line and carriage return; lone surrogates; U+FFFE and U+FFFF. They reach us only from
# Excel's '_xHHHH_' escapes (a control character pasted into a cell) and are invisible to the
# person who typed them, so they are dropped rather than refused; vertical tab and form feed are
# line and page breaks in Office text and become new lines.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_AS_NEW_LINE = {"\x0b", "\x0c"}


class Invalid(Exception):
    """One answer broke one rule; carries the catalogue message."""


@dataclass
class Submission:
    """A form's typed answers, ready to store: values by field id and rows of each repeat group."""

    form: str
    variant: str | None
    version: int
    values: dict[str, object]
    groups: dict[str, list[dict[str, object]]]
    issue_id: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def quarter(self) -> str | None:
        return self.values.get("quarter")  # type: ignore[return-value]

    @property
    def child_id(self) -> str | None:
        return self.values.get("child_id")  # type: ignore[return-value]

    @property
    def author(self) -> str | None:
        return self.values.get("completed_by")  # type: ignore[return-value]


def validate(spec: FormSpec, raw: RawSubmission) -> Submission:
    """Check every answer in *raw* against *spec*; problems name each field by its label."""
    problems = list(raw.problems)
    # A field the reader already reported (a formula, a duplicated box) was filled in, just not
    # usably: saying it is also missing would contradict the first message.
    reported = {problem.field for problem in raw.problems if problem.field}
    values = _check_fields(list(spec.fields()), raw.values, raw.epoch_1904, "", problems, reported)
    groups: dict[str, list[dict[str, object]]] = {}
    for group in spec.groups():
        rows = raw.groups.get(group.id, [])
        if len(rows) > group.max_rows:
            problems.append(Problem(message("too_many_rows", label=group.label, count=len(rows), limit=group.max_rows), group.id))
            rows = rows[: group.max_rows]
        if len(rows) < group.min_rows:
            problems.append(Problem(message("min_rows", label=group.label, minimum=group.min_rows, count=len(rows)), group.id))
        numbers = raw.row_numbers.get(group.id) or range(1, len(rows) + 1)
        groups[group.id] = [
            _check_fields(list(group.fields), row, raw.epoch_1904, f" (row {number})", problems, reported, f"{group.id}.{number}.")
            for number, row in zip(numbers, rows)
        ]
    return Submission(
        form=spec.id,
        variant=spec.variant,
        version=spec.version,
        values=values,
        groups=groups,
        issue_id=raw.properties.get("qa_issue_id") or None,
        problems=problems,
    )


def _check_fields(
    fields: list[Field],
    raw: dict[str, object],
    epoch_1904: bool,
    where: str,
    problems: list[Problem],
    reported: set[str],
    key_prefix: str = "",
) -> dict[str, object]:
    typed: dict[str, object] = {}
    for item in fields:
        label = item.label + where
        try:
            typed[item.id] = convert(item, raw.get(item.id), label, epoch_1904)
        except Invalid as err:
            problems.append(Problem(str(err), key_prefix + item.id))
            typed[item.id] = None
    for item in fields:
        if key_prefix + item.id in reported:
            continue
        if _is_empty(typed[item.id]) and _is_empty(raw.get(item.id)):
            rule = _missing(item, typed, fields, item.label + where)
            if rule:
                problems.append(Problem(rule, key_prefix + item.id))
    return typed


def _missing(item: Field, typed: dict[str, object], fields: list[Field], label: str) -> str | None:
    if item.required and item.type != "yes_no":
        return message("required", label=label)
    condition = item.required_when
    if condition is not None:
        other = next(f for f in fields if f.id == condition.field)
        actual = typed.get(condition.field)
        hit = condition.equals in actual if isinstance(actual, list) else _as_text(actual) == condition.equals
        if hit:
            return message("required_when", label=label, when_label=other.label, when_value=condition.equals)
    return None


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def convert(item: Field, value: object, label: str, epoch_1904: bool = False) -> object:
    """The typed value of one answer; raises Invalid with the catalogue message."""
    if isinstance(value, str):
        value = xml_safe(value)
    if item.type == "yes_no":
        return _yes_no(value, label)
    if _is_empty(value) or (isinstance(value, str) and not value.strip()):
        return [] if item.type == "multi_choice" and value == [] else None
    return _CONVERTERS[item.type](item, value, label, epoch_1904)


def xml_safe(text: str) -> str:
    """*text* without the characters XML cannot carry (vertical tab and form feed become new lines)."""
    return _NOT_XML.sub(lambda match: "\n" if match.group() in _AS_NEW_LINE else "", text)


def _text(item: Field, value: object, label: str, _epoch: bool) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.strftime("%d/%m/%Y")
    text = str(value)
    if item.type == "short_text":
        text = text.strip()
    if len(text) > MAX_TEXT:
        raise Invalid(message("too_long", label=label, length=len(text), limit=MAX_TEXT))
    if item.pattern and not re.fullmatch(item.pattern, text):
        hint = item.message or "Check what was typed."
        raise Invalid(message("pattern", label=label, value=_short(text), hint=hint))
    return text


def _date(item: Field, value: object, label: str, epoch_1904: bool) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial number that lost its date format.
        if 1 <= value < 200_000:
            return (_EXCEL_1904 if epoch_1904 else _EXCEL_1900) + dt.timedelta(days=int(value))
        raise Invalid(message("date", label=label, value=value))
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Invalid(message("date", label=label, value=_short(text)))


def _number(item: Field, value: object, label: str, _epoch: bool) -> int:
    if isinstance(value, bool):
        raise Invalid(message("number", label=label, value=value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,15}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise Invalid(message("number", label=label, value=_short(str(value))))
    if item.minimum is not None and value < item.minimum:
        raise Invalid(message("minimum", label=label, value=value, minimum=item.minimum))
    if item.maximum is not None and value > item.maximum:
        raise Invalid(message("maximum", label=label, value=value, maximum=item.maximum))
    return value


def _choice(item: Field, value: object, label: str, _epoch: bool) -> str:
    text = str(value).strip()
    for option in item.options:
        if text.casefold() == option.casefold():
            return option
    if item.type == "grade":
        if text.casefold() in GRADE_ALIASES:
            return GRADE_ALIASES[text.casefold()]
        raise Invalid(message("grade", label=label, value=_short(text)))
    raise Invalid(message("choice", label=label, value=_short(text), choices=_or_list(item.options)))


def _multi_choice(item: Field, value: object, label: str, _epoch: bool) -> list[str]:
    chosen = value if isinstance(value, list) else [part for part in re.split(r"\s*;\s*", str(value)) if part]
    result = []
    for option in chosen:
        result.append(_choice(item, option, label, _epoch))
    return [option for option in item.choices if option in result]


def _yes_no(value: object, label: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("yes", "y", "true", "1", "x", "\u2612"):
        return True
    if text in ("no", "n", "false", "0", "", "\u2610"):
        return False
    raise Invalid(message("yes_no", label=label, value=_short(str(value))))


def _quarter(item: Field, value: object, label: str, _epoch: bool) -> str:
    try:
        return Quarter.from_label(str(value)).label
    except ValueError:
        raise Invalid(message("quarter", label=label, value=_short(str(value)))) from None


_CONVERTERS = {
    "short_text": _text,
    "long_text": _text,
    "date": _date,
    "number": _number,
    "choice": _choice,
    "grade": _choice,
    "multi_choice": _multi_choice,
    "quarter": _quarter,
}


def _or_list(options: tuple[str, ...]) -> str:
    if len(options) == 1:
        return options[0]
    return ", ".join(options[:-1]) + " or " + options[-1]


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "…"

