"""The one table of staff roles (the framework's roles matrix, Appendix 6) and what admins write for them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    """A role on the roster: the framework's roles matrix (Appendix 6)."""

    SOCIAL_WORKER = "Social worker"
    ASYE = "ASYE"  # a newly qualified social worker in their assessed and supported year in employment
    TEAM_MANAGER = "Team manager"
    HEAD_OF_SERVICE = "Head of service"
    PSW = "PSW"
    IMPROVEMENT_AP = "Improvement team AP"
    IRO = "IRO"
    CP_CHAIR = "CP chair"
    AD = "AD"
    DCS = "DCS"


# Roles that hold a caseload of children (practice teams, CCR spread, observation by a line manager).
PRACTITIONERS = (Role.SOCIAL_WORKER, Role.ASYE)

# The one table of roles and what admins write for them (compared without case or punctuation).
ROLE_ALIASES: dict[Role, tuple[str, ...]] = {
    Role.SOCIAL_WORKER: ("SW", "practitioner", "senior social worker", "senior practitioner", "personal adviser", "PA"),
    Role.ASYE: ("ASYE social worker", "newly qualified social worker", "NQSW", "assessed and supported year in employment"),
    Role.TEAM_MANAGER: ("TM", "manager", "team leader"),
    Role.HEAD_OF_SERVICE: ("HoS", "head of services"),
    Role.PSW: ("principal social worker",),
    Role.IMPROVEMENT_AP: ("AP", "improvement AP", "imp team AP", "improvement team",
                          "advanced practitioner", "improvement team advanced practitioner"),
    Role.IRO: ("independent reviewing officer",),
    Role.CP_CHAIR: ("child protection chair", "conference chair", "CP conference chair", "CPC"),
    Role.AD: ("assistant director",),
    Role.DCS: ("director of children's services", "director of childrens services", "director"),
}


def fold(text: str) -> str:
    """Compare names and choices without case, spacing or punctuation ('H.o.S' = 'hos')."""
    text = text.replace("&", " and ").replace("’", "'")
    return " ".join(re.sub(r"[^\w\s]", "", text).split()).casefold()


_ROLE_LOOKUP = {fold(alias): role for role, aliases in ROLE_ALIASES.items() for alias in (role.value, *aliases)}
ROLE_NAMES = ", ".join(role.value for role in Role)


def parse_role(text: str) -> Role | None:
    """The role *text* names ('SW', 'tm', 'Head of Service' …), or None if it names none."""
    return _ROLE_LOOKUP.get(fold(text))


def closest(text: str, candidates: Iterable[str], cutoff: float = 0.85) -> str | None:
    """The candidate *text* most probably meant to be (a typo, other case or punctuation), or None."""
    by_fold = {fold(candidate): candidate for candidate in candidates}
    match = difflib.get_close_matches(fold(text), list(by_fold), n=1, cutoff=cutoff)
    return by_fold[match[0]] if match else None
