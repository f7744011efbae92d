"""Turn raw answers into typed values checked against the form spec, one small rule per field type."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from .errors import Problem, message
from .quarter import Quarter
from .read.raw import RawSubmission
from .spec import Field, FormSpec, WorkspaceSettings

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
    spec: FormSpec | None = field(default=None, repr=False, compare=False)  # finds answers by role

    def answer(self, role: str) -> object:
        """The answer to the field with *role* (spec/contract.py), or None."""
        return self.spec.by_role(self.values).get(role) if self.spec else None

    @property
    def quarter(self) -> str | None:
        return self.answer("quarter")  # type: ignore[return-value]

    @property
    def child_id(self) -> str | None:
        return self.answer("child_id")  # type: ignore[return-value]

    @property
    def author(self) -> str | None:
        return self.answer("author")  # type: ignore[return-value]


def validate(spec: FormSpec, raw: RawSubmission, settings: WorkspaceSettings | None = None) -> Submission:
    """Check every answer in *raw* against *spec* and the workspace's *settings*; problems name each field by its label."""
    settings = settings or WorkspaceSettings()
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
    scopes = _scopes(spec, values, groups, raw.row_numbers)
    problems += _name_problems(scopes, settings)
    problems += _date_problems(spec, scopes, settings)
    problems += _moderation_problems(scopes)
    return Submission(
        form=spec.id,
        variant=spec.variant,
        version=spec.version,
        values=values,
        groups=groups,
        issue_id=raw.properties.get("qa_issue_id") or None,
        problems=problems,
        spec=spec,
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
            problems.append(Problem(err.args[0], key_prefix + item.id))
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


# --- rules across fields: a child's ID is not a name, dates fit the quarter ------------------------

MIN_NAME_LETTERS = 3  # fewer letters in an ID than this cannot spell a name
NAME_LIKENESS = 0.8  # difflib ratio from which an ID's letters are taken for a name ('PEvans1' for 'Poppy Evans')


@dataclass
class _Scope:
    """The form's own answers, or one repeat row's: the fields to check, and what they are checked with."""

    fields: list[Field]
    answers: dict[str, object]
    names: list[tuple[str, str]]  # (label, value) of each child's name typed in reach: a row sees the form's too
    where: str = ""  # " (row 3)"
    key_prefix: str = ""  # "children.3."

    def problem(self, key: str, item: Field, **details: object) -> Problem:
        return Problem(message(key, label=item.label + self.where, **details), self.key_prefix + item.id)


def _scopes(spec: FormSpec, values: dict[str, object], groups: dict[str, list[dict[str, object]]],
            row_numbers: dict[str, list[int]]) -> list[_Scope]:
    top = list(spec.fields())
    top_names = _names(top, values)
    scopes = [_Scope(top, values, top_names)]
    for group in spec.groups():
        rows = groups.get(group.id, [])
        for number, row in zip(row_numbers.get(group.id) or range(1, len(rows) + 1), rows):
            names = top_names + _names(list(group.fields), row)
            scopes.append(_Scope(list(group.fields), row, names, f" (row {number})", f"{group.id}.{number}."))
    return scopes


def _moderation_problems(scopes: list[_Scope]) -> list[Problem]:
    """A moderated grade that differs from the grade given says why (§8.4, issue 14.5): on the form, or in its row."""
    problems = []
    for scope in scopes:
        roles = {item.role: item for item in scope.fields if item.role}
        grade, moderated, reason = (roles.get(role) for role in ("overall_grade", "moderated_grade", "moderation_reason"))
        if grade is None or moderated is None or reason is None:
            continue
        given, changed = scope.answers.get(grade.id), scope.answers.get(moderated.id)
        if given and changed and given != changed and _is_empty(scope.answers.get(reason.id)):
            problems.append(scope.problem("forms_moderation_reason", reason, moderated=moderated.label, grade=grade.label))
    return problems


def _names(fields: list[Field], answers: dict[str, object]) -> list[tuple[str, str]]:
    return [(f.label, answers[f.id]) for f in fields if f.identifying == "name" and isinstance(answers.get(f.id), str)]


def _name_problems(scopes: list[_Scope], settings: WorkspaceSettings) -> list[Problem]:
    """A child's ID is in the workspace's ID format and is not their name; no other short answer is their name.

    A name typed in the wrong box would otherwise travel to every output that shows that box (a team
    column, an ID in a list of children), where only the name field is kept out.
    """
    problems = []
    for scope in scopes:
        for item in scope.fields:
            value = scope.answers.get(item.id)
            if not isinstance(value, str) or item.identifying == "name" or not (scope.names or item.identifying):
                continue
            if item.identifying == "child_id":
                name_label = next((label for label, name in scope.names if _close_to_name(value, name)), None)
                if name_label:
                    problems.append(scope.problem("child_id_is_name", item, value=_short(value), name_label=name_label,
                                                  example=settings.child_id_example))
                elif not settings.is_child_id(value):
                    problems.append(scope.problem("child_id", item, value=_short(value), example=settings.child_id_example))
            elif item.type == "short_text" and scope.names:
                name_label = next((label for label, name in scope.names if _words(value) and _words(value) == _words(name)), None)
                if name_label:
                    problems.append(scope.problem("name_in_other_field", item, value=_short(value), name_label=name_label))
    return problems


def _words(text: str) -> list[str]:
    return [word.casefold() for word in re.findall(r"[^\W\d_]+", text)]


def _close_to_name(value: str, name: str) -> bool:
    """Whether an ID's letters spell the name, or one of its words, or nearly do ('PEvans1' for 'Poppy Evans')."""
    letters = "".join(ch for ch in value.casefold() if ch.isalpha())
    words = _words(name)
    if len(letters) < MIN_NAME_LETTERS or not words:
        return False
    candidates = {"".join(words), *(word for word in words if len(word) >= MIN_NAME_LETTERS)}
    return any(difflib.SequenceMatcher(None, letters, candidate).ratio() >= NAME_LIKENESS for candidate in candidates)


def _date_problems(spec: FormSpec, scopes: list[_Scope], settings: WorkspaceSettings) -> list[Problem]:
    """Dates marked `within_quarter` fall in the form's quarter (completion: or up to the grace days after it)."""
    quarter_field = spec.role_field("quarter")  # the quarter the form counts in (spec/contract.py)
    label = scopes[0].answers.get(quarter_field.id) if quarter_field else None
    if not isinstance(label, str):
        return []  # no quarter, or one already reported as wrong: nothing to measure dates against
    quarter = Quarter.from_label(label)
    last = {"activity": quarter.end, "completion": quarter.end + dt.timedelta(days=settings.completion_grace_days)}
    key = {"activity": "outside_quarter", "completion": "completed_outside_quarter"}
    problems = []
    for scope in scopes:
        for item in scope.fields:
            day = scope.answers.get(item.id) if item.within_quarter else None
            if isinstance(day, dt.date) and not quarter.start <= day <= last[item.within_quarter]:
                problems.append(scope.problem(
                    key[item.within_quarter], item, date=f"{day:%d/%m/%Y}", quarter=quarter.label, quarter_label=quarter_field.label,
                    start=f"{quarter.start:%d/%m/%Y}", end=f"{last[item.within_quarter]:%d/%m/%Y}", grace=settings.completion_grace_days,
                ))
    return problems


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

