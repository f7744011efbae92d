"""The framework's minimum QA activity: targets.yaml read over the shipped defaults into one dataclass."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .errors import WorkspaceError, message
from .roles import ROLE_NAMES, Role, closest, fold, parse_role

if TYPE_CHECKING:
    from .spec import Catalogue

DEFAULT_TARGETS = Path(os.fspath(resources.files("pipeline") / "defaults" / "targets.yaml"))  # package data



# What a rule can count (`rules:` in targets.yaml): activity → (form, the roles naming who did it, unit).
RULE_ACTIVITIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "thematic_audit": ("thematic_audit", ("auditor",), "audits"),
    "ccr": ("ccr", ("reviewer",), "children"),
    "supervision_dip_sample": ("supervision_dip_sample", ("auditor", "reviewer"), "supervisions"),
}
_RULE_SETTINGS = ("activity", "who", "per_quarter", "per_month", "needs", "reference")


@dataclass(frozen=True)
class Rule:
    """One cell of Appendix 6 that a person owes in person: who, what, how many a quarter or a month, and why."""

    id: str
    activity: str  # a key of RULE_ACTIVITIES
    who: tuple[Role, ...]
    minimum: int  # per quarter, or per month when *monthly*
    monthly: bool
    needs: tuple[Role, ...]  # applies only when someone with one of these roles is on the roster
    reference: str

    @property
    def form(self) -> str:
        return RULE_ACTIVITIES[self.activity][0]

    @property
    def by(self) -> tuple[str, ...]:
        return RULE_ACTIVITIES[self.activity][1]

    @property
    def unit(self) -> str:
        return RULE_ACTIVITIES[self.activity][2]


def _count_text(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


@dataclass(frozen=True)
class Targets:
    """The framework's minimum QA activity, as set in targets.yaml (see pipeline/defaults/targets.yaml)."""

    green_percent: int
    amber_percent: int
    hos_summaries_per_quarter: int
    safeguarding_reports_per_quarter: int
    safeguarding_area: str
    dip_sample_children_per_auditor: int
    dip_sample_roles: tuple[Role, ...]
    line_manager_observations_per_year: int
    observed_roles: tuple[Role, ...]
    ad_observations_per_quarter: int
    dcs_observations_per_half_year: int
    supervision_audits_per_person_per_year: int
    supervision_audit_only_supervisors: bool
    thematic_audits_per_quarter: int
    thematic_audits_per_year: int
    ccr_children_per_quarter: int
    ccr_levels_of_need: tuple[str, ...]
    ccr_every_practice_team: bool
    forum_feedback_per_quarter: int
    forum_sources: tuple[str, ...]
    staff_feedback_per_quarter: int
    staff_feedback_sources: tuple[str, ...]
    service_area_returns_per_quarter: int = 1
    service_areas: tuple[str, ...] = ()
    dcs_follows: str = "§6.5"
    dcs_observations_per_quarter: int = 1
    dcs_references: str = ""
    returns_due_days_before_meeting: int = 7
    rules: tuple[Rule, ...] = ()

    @property
    def dcs_quarterly(self) -> bool:
        """Whether the DCS's observations are judged quarterly (Appendix 6) rather than six-monthly (§6.5)."""
        return fold(self.dcs_follows) == fold("Appendix 6")

    def dcs_choice(self) -> str:
        """The method note's statement of which reference the DCS's observations follow, with both references."""
        chosen = (f"Appendix 6 ({_count_text(self.dcs_observations_per_quarter)} a quarter)" if self.dcs_quarterly
                  else f"§6.5 ({_count_text(self.dcs_observations_per_half_year)} every six months)")
        return f"{self.dcs_references} This report follows {chosen}, as set in admin/targets.yaml (observation.dcs_follows)."

    def rag(self, achieved: int, minimum: int) -> str:
        """'Green', 'Amber' or 'Red' for *achieved* against *minimum* (no minimum is Green)."""
        if minimum <= 0 or achieved * 100 >= self.green_percent * minimum:
            return "Green"
        return "Amber" if achieved * 100 >= self.amber_percent * minimum else "Red"


# (section, setting) in targets.yaml → (Targets field, kind).
_TARGET_SETTINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("rag", "green_percent"): ("green_percent", "count"),
    ("rag", "amber_percent"): ("amber_percent", "count"),
    ("head_of_service_summary", "per_quarter"): ("hos_summaries_per_quarter", "count"),
    ("safeguarding_unit_report", "per_quarter"): ("safeguarding_reports_per_quarter", "count"),
    ("safeguarding_unit_report", "area_of_service"): ("safeguarding_area", "text"),
    ("dip_sample", "children_per_auditor_per_quarter"): ("dip_sample_children_per_auditor", "count"),
    ("dip_sample", "auditor_roles"): ("dip_sample_roles", "roles"),
    ("observation", "by_line_manager_per_year"): ("line_manager_observations_per_year", "count"),
    ("observation", "observed_roles"): ("observed_roles", "roles"),
    ("observation", "ad_per_quarter"): ("ad_observations_per_quarter", "count"),
    ("observation", "dcs_per_half_year"): ("dcs_observations_per_half_year", "count"),
    ("supervision_audit", "per_person_managed_per_year"): ("supervision_audits_per_person_per_year", "count"),
    ("supervision_audit", "only_people_who_supervise"): ("supervision_audit_only_supervisors", "flag"),
    ("thematic_audit", "per_quarter"): ("thematic_audits_per_quarter", "count"),
    ("thematic_audit", "per_year"): ("thematic_audits_per_year", "count"),
    ("ccr", "children_per_quarter"): ("ccr_children_per_quarter", "count"),
    ("ccr", "levels_of_need"): ("ccr_levels_of_need", "texts"),
    ("ccr", "every_practice_team"): ("ccr_every_practice_team", "flag"),
    ("forum_feedback", "per_quarter"): ("forum_feedback_per_quarter", "count"),
    ("forum_feedback", "sources"): ("forum_sources", "texts"),
    ("staff_feedback", "per_quarter"): ("staff_feedback_per_quarter", "count"),
    ("staff_feedback", "sources"): ("staff_feedback_sources", "texts"),
    ("service_areas", "per_quarter"): ("service_area_returns_per_quarter", "count"),
    ("service_areas", "areas"): ("service_areas", "texts"),
    ("observation", "dcs_follows"): ("dcs_follows", "text"),
    ("observation", "dcs_per_quarter"): ("dcs_observations_per_quarter", "count"),
    ("observation", "dcs_references"): ("dcs_references", "text"),
    ("deadlines", "returns_due_days_before_meeting"): ("returns_due_days_before_meeting", "count"),
}


# Top-level blocks other modules read (each with its own loader): the quality targets trends are judged
# against are report/trends.py's (load_quality_targets).
OTHER_BLOCKS = frozenset({"quality"})


# Settings whose words must be choices on a form, or they never match a return: (section, setting) → (form, field role).
_CHOICE_SETTINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("safeguarding_unit_report", "area_of_service"): ("service_summary", "area"),
    ("ccr", "levels_of_need"): ("ccr", "level_of_need"),
    ("forum_feedback", "sources"): ("child_family_feedback", "source"),
    ("staff_feedback", "sources"): ("staff_feedback", "source"),
    ("service_areas", "areas"): ("service_summary", "area"),
}


def load_targets(path: Path | None = None, catalogue: Catalogue | None = None) -> Targets:
    """Targets from *path* over the shipped defaults (a missing file means the defaults).

    With a *catalogue*, every area, level of need and source named must be a choice on its form
    (a misspelt one would match no return and quietly count nothing).
    """
    defaults = _load_yaml(DEFAULT_TARGETS)
    rules = dict(defaults.pop("rules", {}))  # type: ignore[union-attr]
    settings = _flatten(defaults, DEFAULT_TARGETS.name, [])
    problems: list[str] = []
    if path is not None and path.exists():
        document = _load_yaml(path)
        if isinstance(document, dict) and "rules" in document:
            document = dict(document)
            own = document.pop("rules") or {}
            if isinstance(own, dict):  # a workspace rule replaces the shipped rule of the same name, setting by setting
                rules |= {key: {**(rules.get(key) or {}), **(body if isinstance(body, dict) else {"": body})}
                          for key, body in own.items()}
            else:
                problems.append(message("targets_rules", file=path.name))
        settings |= _flatten(document, path.name, problems)
    name = path.name if path is not None else DEFAULT_TARGETS.name
    converted: dict[str, object] = {}
    for (section, setting), (attr, kind) in _TARGET_SETTINGS.items():
        converted[attr] = _convert(settings.get((section, setting)), kind, name, f"{section}.{setting}", problems)
    converted["rules"] = tuple(rule for key, body in rules.items()
                               if (rule := _rule(str(key), body, name, problems)) is not None)
    if fold(str(converted["dcs_follows"])) not in (fold("§6.5"), fold("Appendix 6")):
        problems.append(message("targets_dcs_follows", file=name, value=converted["dcs_follows"]))
    if not problems and converted["amber_percent"] > converted["green_percent"]:  # type: ignore[operator]
        problems.append(message("targets_rag", file=name, amber=converted["amber_percent"], green=converted["green_percent"]))
    if not problems and catalogue is not None:
        problems += _unknown_choices(converted, catalogue, name)
    if problems:
        raise WorkspaceError("\n".join(problems))
    return Targets(**converted)  # type: ignore[arg-type]


def _unknown_choices(converted: dict[str, object], catalogue: Catalogue, name: str) -> list[str]:
    """A problem, with a did-you-mean, for each word in a setting that is not a choice on its form."""
    problems = []
    for (section, setting), (form, role) in _CHOICE_SETTINGS.items():
        try:
            spec = catalogue.get(form)
        except KeyError:
            continue  # the workspace has no such form: nothing to compare with
        item = spec.role_field(role)  # every shipped form has it (spec/contract.py); a custom form may not
        if item is None:
            continue
        choices = item.choices
        value = converted[_TARGET_SETTINGS[(section, setting)][0]]
        known = {fold(choice) for choice in choices}
        for word in (value,) if isinstance(value, str) else value:  # type: ignore[union-attr]
            if fold(str(word)) not in known:
                meant = closest(str(word), choices)
                problems.append(message("targets_choice", file=name, key=f"{section}.{setting}", value=word,
                                        hint=message("did_you_mean", suggestion=meant) if meant else "",
                                        title=spec.title, label=item.label,
                                        choices=", ".join(choices)))
    return problems


def _rule(key: str, body: object, name: str, problems: list[str]) -> Rule | None:
    """One rule from `rules:`, or None with a problem for every setting that is wrong."""
    where = f"rules.{key}"
    if not isinstance(body, dict):
        problems.append(message("targets_rule_body", file=name, key=where, settings=", ".join(_RULE_SETTINGS)))
        return None
    before = len(problems)
    for setting in body:
        if setting not in _RULE_SETTINGS:
            problems.append(message("targets_unknown", file=name, key=f"{where}.{setting}", where=f"in {where}",
                                    known=", ".join(_RULE_SETTINGS)))
    activity = str(body.get("activity") or "")
    if activity not in RULE_ACTIVITIES:
        meant = closest(activity, RULE_ACTIVITIES, cutoff=0.6)
        problems.append(message("targets_rule_activity", file=name, key=f"{where}.activity", value=activity,
                                hint=message("did_you_mean", suggestion=meant) if meant else "",
                                known=", ".join(RULE_ACTIVITIES)))
    if ("per_quarter" in body) == ("per_month" in body):
        problems.append(message("targets_rule_period", file=name, key=where))
    monthly = "per_month" in body
    minimum = _convert(body.get("per_month" if monthly else "per_quarter", 0), "count", name,
                       f"{where}.{'per_month' if monthly else 'per_quarter'}", problems)
    who = _convert(body.get("who"), "roles", name, f"{where}.who", problems)
    needs = _convert(body.get("needs", []), "roles", name, f"{where}.needs", problems)
    reference = _convert(body.get("reference"), "text", name, f"{where}.reference", problems)
    if len(problems) > before:
        return None
    return Rule(key, activity, who, minimum, monthly, needs, reference)  # type: ignore[arg-type]


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as err:
        detail = str(getattr(err, "problem_mark", "") or err).strip()
        raise WorkspaceError(message("targets_unreadable", file=path.name, detail=detail)) from err


def _flatten(document: object, name: str, problems: list[str]) -> dict[tuple[str, str], object]:
    """{(section, setting): value}, with a problem for every section or setting that does not exist."""
    sections = sorted({section for section, _ in _TARGET_SETTINGS} | {"rules"})
    flat: dict[tuple[str, str], object] = {}
    if not isinstance(document, dict):
        problems.append(message("targets_unknown", file=name, key="(top)", where="at the top", known=", ".join(sections)))
        return flat
    for section, body in document.items():
        if section in OTHER_BLOCKS:
            continue
        known = sorted(setting for sec, setting in _TARGET_SETTINGS if sec == section)
        if not known:
            problems.append(message("targets_unknown", file=name, key=section, where="at the top", known=", ".join(sections)))
            continue
        for setting, value in (body or {}).items() if isinstance(body, dict) else []:
            if setting not in known:
                problems.append(message("targets_unknown", file=name, key=f"{section}.{setting}",
                                     where=f"in {section}", known=", ".join(known)))
            else:
                flat[(section, setting)] = value
    return flat


def _convert(value: object, kind: str, name: str, key: str, problems: list[str]) -> object:
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(message("targets_count", file=name, key=key, value=value, example=10))
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            problems.append(message("targets_flag", file=name, key=key, value=value))
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            problems.append(message("targets_text", file=name, key=key, value=value, example="Safeguarding unit (IRO / CP chairs)"))
        return str(value).strip()
    if not isinstance(value, list):
        problems.append(message("targets_list", file=name, key=key, value=value, example="Head of service, Team manager"))
        return ()
    if kind == "roles":
        roles = []
        for item in value:
            role = parse_role(str(item))
            if role is None:
                problems.append(message("targets_role", file=name, key=key, value=item, roles=ROLE_NAMES))
            else:
                roles.append(role)
        return tuple(roles)
    return tuple(str(item).strip() for item in value)
