"""Spec → Word or Excel form, blank or filled in: the one place forms are written."""

from __future__ import annotations

from ..spec import FormSpec

Answers = dict[str, object]


def build_form(
    spec: FormSpec,
    values: Answers | None = None,
    groups: dict[str, list[Answers]] | None = None,
    issue_id: str | None = None,
) -> bytes:
    """The form for *spec* in its own format, with any answers typed in, as file bytes."""
    theme = spec.role_field("theme")
    if spec.theme and theme and not (values or {}).get(theme.id):
        values = {**(values or {}), theme.id: spec.theme}  # a themed form states its theme
    if spec.format == "xlsx":
        from .xlsx_form import build_xlsx

        rows = next(iter((groups or {}).values()), None)
        return build_xlsx(spec, values=values, rows=rows, issue_id=issue_id)
    from .docx_fill import fill_docx

    blank = _blank_docx(spec)
    if not values and not groups and not issue_id:
        return blank
    return fill_docx(blank, spec, values, groups, issue_id)


_BLANKS: dict[int, tuple[FormSpec, bytes]] = {}


def _blank_docx(spec: FormSpec) -> bytes:
    """The blank Word form, built once per spec object: issuing a batch fills copies of it."""
    cached = _BLANKS.get(id(spec))
    if cached is None or cached[0] is not spec:
        from .docx_form import build_docx

        cached = _BLANKS[id(spec)] = (spec, build_docx(spec))
    return cached[1]


def file_name(spec: FormSpec, *parts: str) -> str:
    """A file name staff recognise: 'ccr-2022-23-Q3-Jo-Bloggs.docx'."""
    words = [spec.id if not spec.variant else f"{spec.id}-{spec.variant}", *[p for p in parts if p]]
    safe = "-".join("".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in word).strip("-") for word in words)
    return f"{safe}.{spec.format}"
