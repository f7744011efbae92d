"""Form spec dataclasses: the one typed description of every form, built once by the loader."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Union

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
YES_NO = ("Yes", "No")

# The one table of field types: name → how staff see it. Aliases map spellings a QA admin might use.
FIELD_TYPES = {
    "short_text": "Short text",
    "long_text": "Long text",
    "date": "Date (dd/mm/yyyy)",
    "number": "Whole number",
    "choice": "One choice from a list",
    "multi_choice": "Any number of choices from a list",
    "yes_no": "Yes / No tick box",
    "grade": "Grade (Outstanding, Good, Requires improvement, Inadequate)",
    "quarter": "Financial-year quarter, e.g. 2022-23-Q3",
}
TYPE_ALIASES = {
    "text": "short_text",
    "string": "short_text",
    "paragraph": "long_text",
    "textarea": "long_text",
    "integer": "number",
    "int": "number",
    "whole_number": "number",
    "select": "choice",
    "select_one": "choice",
    "dropdown": "choice",
    "select_many": "multi_choice",
    "checkboxes": "multi_choice",
    "boolean": "yes_no",
    "checkbox": "yes_no",
    "yesno": "yes_no",
}
CHOICE_TYPES = ("choice", "multi_choice", "grade")


# What a field's answer says about a child (`identifying:` in a spec). A name and free text about
# the child are sensitive: left out of exports unless asked for, never printed in a report. A child
# ID must look like one (the workspace's child_id_pattern), must not be a name typed elsewhere on
# the form, and is what `qa export --pseudonymise` replaces.
IDENTIFYING = ("name", "child_id", "text")
SENSITIVE_KINDS = ("name", "text")
# Dates that must fall in the form's quarter (`within_quarter:`): the day the activity took place,
# or the day the form was completed, which may also be a few days after the quarter (qa.yaml).
WITHIN_QUARTER = ("activity", "completion")
# What a themed text says (`theme_of: {field: …, kind: …}`): a strength, a worry, or a dip-sample finding,
# which is a strength where the row's `compliant` answer is Yes and a worry otherwise.
THEME_KINDS = ("strength", "worry", "finding")


@dataclass(frozen=True)
class Condition:
    """'Required when <field> is <value>' (within the same row for repeat-group fields)."""

    field: str
    equals: str


@dataclass(frozen=True)
class Field:
    """One answer on a form."""

    id: str
    label: str
    type: str
    required: bool = False
    guidance: str = ""
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    required_when: Condition | None = None
    message: str | None = None  # the form author's own hint, used when a pattern fails
    sensitive: bool = False  # stored, never reported, left out of exports unless asked for
    width: int | None = None  # Excel column width / Word column share
    identifying: str | None = None  # one of IDENTIFYING: what the answer says about a child
    within_quarter: str | None = None  # one of WITHIN_QUARTER, for date fields
    role: str | None = None  # what the pipeline reads this answer as (spec/contract.py ROLES)
    since: int = 1  # the form version that added the field: older versions are read without it
    theme_of: str | None = None  # for a theme choice: the id of the strength / worry text it themes
    theme_kind: str | None = None  # with theme_of: one of THEME_KINDS

    @property
    def options(self) -> tuple[str, ...]:
        """The values a choice-like field accepts."""
        if self.type == "grade":
            return GRADES
        if self.type == "yes_no":
            return YES_NO
        return self.choices


@dataclass(frozen=True)
class ThemePair:
    """A strength / worry text and the theme choice beside it (*group* is the repeat group they sit in, or None)."""

    kind: str  # one of THEME_KINDS
    text: Field
    theme: Field
    group: Group | None = None

    def kind_for(self, row: dict[str, object] | None = None) -> str:
        """'strength' or 'worry' for one answer: a finding is a strength where *row*'s compliant role is Yes."""
        if self.kind != "finding":
            return self.kind
        return "strength" if (row or {}).get("compliant") == "Yes" else "worry"


@dataclass(frozen=True)
class Group:
    """A repeat group: a table of rows, each holding the same fields."""

    id: str
    label: str
    fields: tuple[Field, ...]
    guidance: str = ""
    rows: int = 5  # blank rows a template offers
    min_rows: int = 0
    max_rows: int = 5000
    role: str | None = None  # what the pipeline reads these rows as (spec/contract.py GROUP_ROLES)
    since: int = 1  # the form version that added the group

    def field(self, field_id: str) -> Field:
        """The field with this id; KeyError if absent."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)

    def role_field(self, role: str) -> Field | None:
        """The column with this role, or None."""
        return next((item for item in self.fields if item.role == role), None)

    def by_role(self, row: dict[str, object]) -> dict[str, object]:
        """One row's answers keyed by role (columns without a role left out)."""
        return {item.role: row.get(item.id) for item in self.fields if item.role}


@dataclass(frozen=True)
class Section:
    """A titled block of a form: fields laid out as a labelled table, a grid, or one repeat group."""

    title: str
    items: tuple[Union[Field, Group], ...]
    guidance: str = ""
    layout: str = "table"  # table | grid (label, evaluation, grade per row) | wide (label above answer)


@dataclass(frozen=True)
class FormSpec:
    """A whole form: identity, layout and rules. Themed variants are FormSpecs of their own."""

    id: str
    version: int
    title: str
    format: str  # docx | xlsx
    sections: tuple[Section, ...]
    description: str = ""
    about: str = "practice"  # child | practice | service
    variant: str | None = None
    theme: str | None = None
    source: str = ""  # the YAML file it came from

    @property
    def key(self) -> str:
        """Catalogue key: 'dip_sample' or 'dip_sample/networks_contingency'."""
        return f"{self.id}/{self.variant}" if self.variant else self.id

    @property
    def display_title(self) -> str:
        """Title with theme, as shown on the form and in lists."""
        return f"{self.title}: {self.theme}" if self.theme else self.title

    def fields(self) -> Iterator[Field]:
        """Top-level (non-repeating) fields in form order."""
        for section in self.sections:
            for item in section.items:
                if isinstance(item, Field):
                    yield item

    def groups(self) -> Iterator[Group]:
        """Repeat groups in form order."""
        for section in self.sections:
            for item in section.items:
                if isinstance(item, Group):
                    yield item

    def field(self, field_id: str) -> Field:
        """The top-level field with this id; KeyError if absent."""
        for item in self.fields():
            if item.id == field_id:
                return item
        raise KeyError(field_id)

    def group(self, group_id: str) -> Group:
        """The repeat group with this id; KeyError if absent."""
        for item in self.groups():
            if item.id == group_id:
                return item
        raise KeyError(group_id)

    def role_field(self, role: str) -> Field | None:
        """The top-level field with this role (the first, for a role several fields share), or None."""
        return next((item for item in self.fields() if item.role == role), None)

    def role_fields(self, role: str) -> list[Field]:
        """Every top-level field with this role, in form order (e.g. each CCR domain grade)."""
        return [item for item in self.fields() if item.role == role]

    def role_group(self, role: str) -> Group | None:
        """The repeat group with this role, or None."""
        return next((group for group in self.groups() if group.role == role), None)

    def by_role(self, values: dict[str, object]) -> dict[str, object]:
        """Top-level answers keyed by role: what report, compliance, store and issue read."""
        found: dict[str, object] = {}
        for item in self.fields():
            if item.role and item.role not in found:
                found[item.role] = values.get(item.id)
        return found

    def by_id(self, answers: dict[str, object]) -> dict[str, object]:
        """*answers* keyed by role as values keyed by field id (roles the form lacks left out): for pre-filling."""
        return {item.id: answers[item.role] for item in self.fields() if item.role in answers}

    def sensitive_fields(self) -> set[str]:
        """Ids (top-level and in groups) left out of exports and reports: names and free text about a child."""
        return {item.id for item, _ in self.all_fields() if item.sensitive}

    def identifying_fields(self, kind: str) -> set[str]:
        """Ids (top-level and in groups) marked `identifying: <kind>` (name, child_id or text)."""
        return {item.id for item, _ in self.all_fields() if item.identifying == kind}

    def theme_pairs(self) -> list[ThemePair]:
        """Every strength / worry text with its companion theme choice, top-level first, then by group."""
        pairs = []
        for item, group in self.all_fields():
            if item.theme_of:
                text = (group.field(item.theme_of) if group else self.field(item.theme_of))
                pairs.append(ThemePair(str(item.theme_kind), text, item, group))
        return pairs

    def at_version(self, version: int) -> FormSpec:
        """This form as version *version* was: fields added later (``since:``) left out. Same spec for its own version."""
        if version == self.version:
            return self
        sections = []
        for section in self.sections:
            items = []
            for item in section.items:
                if isinstance(item, Group):
                    kept = tuple(f for f in item.fields if f.since <= version)
                    if item.since <= version and kept:
                        items.append(replace(item, fields=kept))
                elif item.since <= version:
                    items.append(item)
            if items:
                sections.append(replace(section, items=tuple(items)))
        return replace(self, version=version, sections=tuple(sections))

    def all_fields(self) -> Iterator[tuple[Field, Group | None]]:
        """Every field with the repeat group it sits in (None for a top-level field)."""
        for item in self.fields():
            yield item, None
        for group in self.groups():
            for item in group.fields:
                yield item, group
