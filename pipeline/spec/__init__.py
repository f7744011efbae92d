"""Form specs: the dataclasses, the YAML loader and the catalogue of every form in a workspace."""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError, message
from .contract import check_contract
from .load import load_spec_file
from .model import CHOICE_TYPES, FIELD_TYPES, GRADES, THEME_KINDS, Condition, Field, FormSpec, Group, Section, ThemePair
from .settings import SETTINGS_FILE, WorkspaceSettings, load_settings
from .themes import themes

__all__ = [
    "CHOICE_TYPES", "FIELD_TYPES", "GRADES", "SETTINGS_FILE", "Catalogue", "Condition", "Field", "FormSpec",
    "Group", "Section", "SpecError", "THEME_KINDS", "ThemePair", "WorkspaceSettings", "load_settings", "load_spec_file",
    "themes",
]


class Catalogue:
    """Every form spec in a folder, keyed by form id and themed variant, with the workspace's settings."""

    def __init__(self, specs: dict[str, FormSpec], settings: WorkspaceSettings | None = None) -> None:
        self._specs = specs
        self.settings = settings or WorkspaceSettings()

    @classmethod
    def load(cls, folder: Path, settings: WorkspaceSettings | None = None) -> Catalogue:
        """Load every *.yaml in *folder*: base forms first, then themed variants that extend them."""
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        if not files:
            raise SpecError(message("spec_none", folder=folder))
        specs: dict[str, FormSpec] = {}
        pending = []
        for path in files:
            if _extends(path):
                pending.append(path)
                continue
            spec = load_spec_file(path)
            _add(specs, spec)
        for path in pending:
            _add(specs, load_spec_file(path, specs))
        for spec in specs.values():
            check_contract(spec)  # the roles report, compliance, store and issue read answers by
        return cls(specs, settings)

    def get(self, form_id: str, variant: str | None = None) -> FormSpec:
        """The spec for *form_id* (and *variant*); KeyError if there is none."""
        return self._specs[f"{form_id}/{variant}" if variant else form_id]

    def find(self, key: str) -> FormSpec:
        """Look up 'form' or 'form/variant' as typed on the command line; SpecError with the known keys if absent."""
        if key in self._specs:
            return self._specs[key]
        raise SpecError(message("spec_no_form", key=key, known=", ".join(self.keys())))

    def keys(self) -> list[str]:
        """Catalogue keys in a stable order."""
        return sorted(self._specs)

    def __iter__(self):
        return iter(self._specs[key] for key in self.keys())

    def __len__(self) -> int:
        return len(self._specs)

    def variants(self, form_id: str) -> list[FormSpec]:
        """Themed variants of a base form."""
        return [spec for spec in self if spec.id == form_id and spec.variant]


def _extends(path: Path) -> bool:
    # A cheap look at the top-level keys: variants need their base loaded first.
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:  # the real load reports the problem with its line number
        return False
    return isinstance(document, dict) and "extends" in document


def _add(specs: dict[str, FormSpec], spec: FormSpec) -> None:
    if spec.key in specs:
        raise SpecError(message("spec_defined_twice", file=spec.source, key=spec.key, other=specs[spec.key].source))
    specs[spec.key] = spec
