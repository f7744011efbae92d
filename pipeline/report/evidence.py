"""The report's evidence sections as one piece of the model: impact, triangulation, assurance, follow-through, vignettes.

:func:`build_evidence` is the one hook :func:`pipeline.report.model.build_model` calls; each part is
worked out in its own module from the quarter's one assessment (nothing here recounts a figure the
rest of the report shows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..spec import Catalogue
from ..store import StoredSubmission
from .actions import Action
from .assurance import Assurance, assurance_section
from .followthrough import FOLLOW_THROUGH_DAYS, FollowThrough, follow_through
from .impact import Impact, impact_section
from .sources import Sourcer
from .triangulation import Triangulation, triangulate
from .vignettes import Anonymiser, Vignettes, draft_vignettes


@dataclass
class Evidence:
    """Impact beside grade, triangulation per theme, assurance, follow-through and draft vignettes."""

    impact: Impact
    triangulation: Triangulation
    assurance: Assurance
    follow_through: FollowThrough
    vignettes: Vignettes


def build_evidence(
    catalogue: Catalogue,
    current: dict[str, list[StoredSubmission]],
    to_date: list[StoredSubmission],
    everything: list[StoredSubmission],
    actions: list[Action],
    quarter: str,
    as_of: dt.date,
    sourcer: Sourcer,
    follow_through_days: int = FOLLOW_THROUGH_DAYS,
) -> Evidence:
    """The evidence sections for *quarter*: *current* by form, *to_date* every current return so far (referenced)."""
    reviews = current.get("ccr", [])
    assurance = assurance_section(reviews, [s for s in to_date if s.form == "ccr"], actions, quarter, as_of, sourcer.clean)
    audits = [s for s in to_date if s.form in ("dip_sample", "thematic_audit")]
    anonymiser = Anonymiser(catalogue, everything)  # staff names stay out of quoted examples and vignettes
    return Evidence(
        impact=impact_section(catalogue.get("ccr"), reviews, sourcer.clean),
        triangulation=triangulate((s for subs in current.values() for s in subs),
                                  lambda value: anonymiser.without_staff(sourcer.text(value))),
        assurance=assurance,
        follow_through=follow_through(reviews, audits, as_of, sourcer.clean, follow_through_days),
        vignettes=draft_vignettes(reviews, anonymiser, assurance.rereviewed, quarter),
    )
