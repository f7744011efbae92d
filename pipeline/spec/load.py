"""Load form specs from YAML into FormSpec dataclasses, checking each so a broken spec says what to fix."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError, message
from .model import (
    CHOICE_TYPES,
    FIELD_TYPES,
    IDENTIFYING,
    SENSITIVE_KINDS,
    THEME_KINDS,
    TYPE_ALIASES,
    WITHIN_QUARTER,
    Condition,
    Field,
    FormSpec,
    Group,
    Section,
)
from .themes import themes

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FORM_KEYS = {"form", "version", "title", "format", "about", "description", "sections"}
_VARIANT_KEYS = {"extends", "variant", "theme", "version", "title", "description", "questions"}
_SECTION_KEYS = {"title", "guidance", "layout", "fields", "group"}
_FIELD_KEYS = {
    "id", "label", "type", "required", "guidance", "choices", "pattern", "min", "max",
    "required_when", "message", "sensitive", "width", "identifying", "within_quarter", "role", "since", "theme_of",
}
_GROUP_KEYS = {"id", "label", "guidance", "rows", "min_rows", "max_rows", "fields", "role", "since"}
_LAYOUTS = ("table", "grid", "wide")


class _Context:
    """Where in which file we are, so every error names the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, key: str, /, **details: object) -> SpecError:
        """The error for catalogue message *key*, prefixed with the file and where in it."""
        return SpecError(f"{self.source}: {where}: {message(key, **details)}")

    def check_keys(self, mapping: Any, allowed: set[str], where: str) -> dict:
        if not isinstance(mapping, dict):
            raise self.fail(where, "spec_not_mapping", kind=type(mapping).__name__)
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else f" Allowed keys: {', '.join(sorted(allowed))}."
                raise self.fail(where, "spec_unknown_key", key=key, hint=hint)
        return mapping


def load_spec_file(path: Path, bases: dict[str, FormSpec] | None = None) -> FormSpec:
    """Read one YAML spec; *bases* supplies the forms a themed variant extends."""
    ctx = _Context(path.name)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise ctx.fail(where, "spec_yaml", detail=getattr(err, "problem", err)) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ctx.fail("file", "spec_unreadable", detail=err) from err
    if isinstance(document, dict) and "extends" in document:
        return _variant(document, ctx, bases or {})
    return _form(document, ctx)


def _form(document: Any, ctx: _Context) -> FormSpec:
    ctx.check_keys(document, _FORM_KEYS, "form")
    for key in ("form", "version", "title", "format", "sections"):
        if key not in document:
            raise ctx.fail("form", "spec_missing_key", key=key)
    form_id = document["form"]
    if not isinstance(form_id, str) or not _ID.match(form_id):
        raise ctx.fail("form", "spec_form_id", value=form_id)
    fmt = document["format"]
    if fmt not in ("docx", "xlsx"):
        raise ctx.fail("format", "spec_format", value=fmt)
    about = document.get("about", "practice")
    if about not in ("child", "practice", "service"):
        raise ctx.fail("about", "spec_about", value=about)
    sections = document["sections"]
    if not isinstance(sections, list) or not sections:
        raise ctx.fail("sections", "spec_no_sections")
    spec = FormSpec(
        id=form_id,
        version=_version(document["version"], ctx),
        title=str(document["title"]),
        format=fmt,
        sections=tuple(_section(raw, index, ctx) for index, raw in enumerate(sections, 1)),
        description=str(document.get("description", "")).strip(),
        about=about,
        source=ctx.source,
    )
    _check_form(spec, ctx)
    return spec


def _variant(document: dict, ctx: _Context, bases: dict[str, FormSpec]) -> FormSpec:
    ctx.check_keys(document, _VARIANT_KEYS, "themed form")
    base_id = document["extends"]
    if base_id not in bases:
        known = ", ".join(sorted(k for k in bases if "/" not in k))
        raise ctx.fail("extends", "spec_extends", form=base_id, known=known)
    for key in ("variant", "theme", "questions"):
        if key not in document:
            raise ctx.fail("themed form", "spec_variant_key", key=key)
    variant = document["variant"]
    if not isinstance(variant, str) or not _ID.match(variant):
        raise ctx.fail("variant", "spec_variant_id", value=variant)
    version = _version(document.get("version", 1), ctx)
    base = bases[base_id].at_version(min(version, bases[base_id].version))  # a v1 variant of a v2 base: base as v1
    questions = ctx.check_keys(document["questions"], {"group", "before", "fields"}, "questions")
    group_id = questions.get("group") or next((g.id for g in base.groups()), None)
    try:
        group = base.group(group_id)
    except KeyError:
        raise ctx.fail("questions", "spec_no_group", form=base_id, group=group_id) from None
    new_fields = tuple(_field(raw, f"question {i}", ctx) for i, raw in enumerate(questions.get("fields") or [], 1))
    if not new_fields:
        raise ctx.fail("questions", "spec_no_questions")
    before = questions.get("before")
    ids = [item.id for item in group.fields]
    if before is not None and before not in ids:
        raise ctx.fail("questions", "spec_before", before=before, group=group_id, known=", ".join(ids))
    cut = ids.index(before) if before else len(ids)
    themed = Group(**{**group.__dict__, "fields": group.fields[:cut] + new_fields + group.fields[cut:]})
    sections = tuple(
        Section(s.title, tuple(themed if item is group else item for item in s.items), s.guidance, s.layout)
        for s in base.sections
    )
    spec = FormSpec(
        id=base.id,
        version=version,
        title=str(document.get("title", base.title)),
        format=base.format,
        sections=sections,
        description=str(document.get("description", base.description)).strip(),
        about=base.about,
        variant=variant,
        theme=str(document["theme"]),
        source=ctx.source,
    )
    _check_form(spec, ctx)
    return spec


def _version(raw: Any, ctx: _Context) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ctx.fail("version", "spec_version", value=raw)
    return raw


def _section(raw: Any, index: int, ctx: _Context) -> Section:
    where = f"section {index}"
    ctx.check_keys(raw, _SECTION_KEYS, where)
    title = raw.get("title")
    if not title:
        raise ctx.fail(where, "spec_section_title")
    where = f"section '{title}'"
    layout = raw.get("layout", "table")
    if layout not in _LAYOUTS:
        raise ctx.fail(where, "spec_layout", value=layout, known=", ".join(_LAYOUTS))
    if ("fields" in raw) == ("group" in raw):
        raise ctx.fail(where, "spec_fields_or_group")
    if "group" in raw:
        items: tuple = (_group(raw["group"], where, ctx),)
    else:
        if not isinstance(raw["fields"], list) or not raw["fields"]:
            raise ctx.fail(where, "spec_no_fields")
        items = tuple(_field(item, f"{where}, question {i}", ctx) for i, item in enumerate(raw["fields"], 1))
    return Section(str(title), items, str(raw.get("guidance", "")).strip(), layout)


def _group(raw: Any, where: str, ctx: _Context) -> Group:
    ctx.check_keys(raw, _GROUP_KEYS, f"{where}, group")
    group_id = raw.get("id")
    if not isinstance(group_id, str) or not _ID.match(group_id):
        raise ctx.fail(f"{where}, group", "spec_group_id", value=group_id)
    fields = raw.get("fields")
    if not isinstance(fields, list) or not fields:
        raise ctx.fail(f"group '{group_id}'", "spec_group_fields")
    counts = {}
    for key, default in (("rows", 5), ("min_rows", 0), ("max_rows", 5000)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ctx.fail(f"group '{group_id}'", "spec_rows", key=key, value=value)
        counts[key] = value
    return Group(
        id=group_id,
        label=str(raw.get("label", group_id.replace("_", " ").capitalize())),
        fields=tuple(_field(item, f"group '{group_id}', column {i}", ctx) for i, item in enumerate(fields, 1)),
        guidance=str(raw.get("guidance", "")).strip(),
        role=_role(raw, f"group '{group_id}'", ctx),
        since=_since(raw, f"group '{group_id}'", ctx),
        **counts,
    )


def _field(raw: Any, where: str, ctx: _Context) -> Field:
    ctx.check_keys(raw, _FIELD_KEYS, where)
    field_id = raw.get("id")
    if not isinstance(field_id, str) or not _ID.match(field_id):
        raise ctx.fail(where, "spec_field_id", value=field_id)
    where = f"field '{field_id}'"
    label = raw.get("label")
    if not label:
        raise ctx.fail(where, "spec_label")
    kind = TYPE_ALIASES.get(raw.get("type", "short_text"), raw.get("type", "short_text"))
    if kind not in FIELD_TYPES:
        raise ctx.fail(where, "spec_type", value=raw.get("type"), known=", ".join(FIELD_TYPES))
    choices = raw.get("choices") or ()
    theme_of, theme_kind = _theme_of(raw, kind, where, ctx)
    if theme_of and not choices:
        choices = list(themes())  # the one list, unless the spec gives its own
    if kind in ("choice", "multi_choice"):
        if not isinstance(choices, list) or not choices:
            raise ctx.fail(where, "spec_choices_missing", kind=kind)
        choices = tuple(str(c) for c in choices)
        if len(set(choices)) != len(choices):
            raise ctx.fail(where, "spec_choice_twice")
        if kind == "multi_choice" and any(":" in c for c in choices):
            raise ctx.fail(where, "spec_choice_colon")
    elif choices:
        raise ctx.fail(where, "spec_choices_not_choice", kind=kind)
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ctx.fail(where, "spec_pattern", pattern=pattern, detail=err) from err
    minimum, maximum = raw.get("min"), raw.get("max")
    for name, value in (("min", minimum), ("max", maximum)):
        if value is not None and (kind != "number" or isinstance(value, bool) or not isinstance(value, int)):
            raise ctx.fail(where, "spec_min_max", key=name)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ctx.fail(where, "spec_min_above_max", minimum=minimum, maximum=maximum)
    identifying = raw.get("identifying")
    if identifying is not None and (identifying not in IDENTIFYING or kind not in ("short_text", "long_text")):
        raise ctx.fail(where, "spec_identifying", value=identifying, known=", ".join(IDENTIFYING))
    within = raw.get("within_quarter")
    if within is not None and (within not in WITHIN_QUARTER or kind != "date"):
        raise ctx.fail(where, "spec_within_quarter", value=within, known=" or ".join(WITHIN_QUARTER))
    condition = None
    if raw.get("required_when") is not None:
        cond = ctx.check_keys(raw["required_when"], {"field", "equals"}, f"{where}, required_when")
        if "field" not in cond or "equals" not in cond:
            raise ctx.fail(where, "spec_required_when")
        condition = Condition(str(cond["field"]), str(cond["equals"]))
    return Field(
        id=field_id,
        label=str(label),
        type=kind,
        required=bool(raw.get("required", False)),
        guidance=str(raw.get("guidance", "")).strip(),
        choices=choices,
        pattern=pattern,
        minimum=minimum,
        maximum=maximum,
        required_when=condition,
        message=raw.get("message"),
        sensitive=bool(raw.get("sensitive", False)) or identifying in SENSITIVE_KINDS,
        width=raw.get("width"),
        identifying=identifying,
        within_quarter=within,
        role=_role(raw, where, ctx),
        since=_since(raw, where, ctx),
        theme_of=theme_of,
        theme_kind=theme_kind,
    )


def _since(raw: dict, where: str, ctx: _Context) -> int:
    value = raw.get("since", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ctx.fail(where, "spec_since", value=value)
    return value


def _theme_of(raw: dict, kind: str, where: str, ctx: _Context) -> tuple[str | None, str | None]:
    if raw.get("theme_of") is None:
        return None, None
    spec = ctx.check_keys(raw["theme_of"], {"field", "kind"}, f"{where}, theme_of")
    if kind != "choice" or spec.get("kind") not in THEME_KINDS or not isinstance(spec.get("field"), str):
        raise ctx.fail(where, "spec_theme_of", kinds=" or ".join(THEME_KINDS))
    return spec["field"], spec["kind"]


def _role(raw: dict, where: str, ctx: _Context) -> str | None:
    # Which roles exist and what they need is the contract's to say (spec/contract.py, run by Catalogue.load).
    role = raw.get("role")
    if role is not None and (not isinstance(role, str) or not _ID.match(role)):
        raise ctx.fail(where, "spec_role_name", value=role)
    return role


def _check_form(spec: FormSpec, ctx: _Context) -> None:
    top = list(spec.fields())
    groups = list(spec.groups())
    _check_scope(top, groups, "form", ctx)
    for group in groups:
        _check_scope(list(group.fields), [], f"group '{group.id}'", ctx)
    for item, group in spec.all_fields():
        newest = max(item.since, group.since if group else 1)
        if newest > spec.version:
            where = f"field '{item.id}'" if item.since > spec.version or group is None else f"group '{group.id}'"
            raise ctx.fail(where, "spec_since_version", since=newest, version=spec.version)
    if spec.format == "xlsx" and len(groups) != 1:
        raise ctx.fail("format", "spec_xlsx_groups")


def _check_scope(fields: list[Field], groups: list[Group], scope: str, ctx: _Context) -> None:
    seen: dict[str, str] = {}
    labels: dict[str, str] = {}
    for item in [*fields, *groups]:
        if item.id in seen:
            raise ctx.fail(f"field '{item.id}'", "spec_id_twice", scope=scope)
        seen[item.id] = item.label
        if item.label.casefold() in labels:
            raise ctx.fail(f"field '{item.id}'", "spec_label_twice", label=item.label, other=labels[item.label.casefold()])
        labels[item.label.casefold()] = item.id
    by_id = {item.id: item for item in fields}
    for item in fields:
        if item.theme_of is not None:
            text = by_id.get(item.theme_of)
            if text is None or text.type not in ("short_text", "long_text"):
                raise ctx.fail(f"field '{item.id}'", "spec_theme_text", field=item.theme_of, scope=scope)
            if item.since < text.since:
                raise ctx.fail(f"field '{item.id}'", "spec_theme_since", field=text.id, since=text.since)
    for item in fields:
        if item.required_when is None:
            continue
        other = by_id.get(item.required_when.field)
        if other is None:
            raise ctx.fail(f"field '{item.id}'", "spec_when_field", field=item.required_when.field, scope=scope)
        if other.type in CHOICE_TYPES + ("yes_no",) and item.required_when.equals not in other.options:
            raise ctx.fail(f"field '{item.id}'", "spec_when_value", value=item.required_when.equals, label=other.label, choices=", ".join(other.options))
