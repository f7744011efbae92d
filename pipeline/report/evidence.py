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
from .front import KNOWN_FROM, Statement
from .impact import Impact, impact_section
from .outline import ref
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


def known_from_evidence(model) -> list[Statement]:
    """Page one's 'what we know' from impact beside grade and triangulation, each with the count behind it."""
    evidence: Evidence | None = model.evidence
    if evidence is None:
        return []
    found = []
    impact = evidence.impact
    if impact.asked and impact.recorded:
        scale = [point.lower() for point in impact.scale]
        text = (f"Reviewers judged the child's situation {scale[0]} because of the work in {impact.total.counts[0]} of "
                f"{impact.recorded} reviews and {scale[-1]} in {impact.total.counts[-1]}")
        text += (f"; {impact.good_but_worse} graded good or better found it {scale[-1]}." if impact.good_but_worse else ".")
        found.append(Statement(text, f"{impact.recorded} reviews recording impact; {ref('practice')}"))
    triangulation = evidence.triangulation
    if triangulation.disagreements:
        themes = [row.theme for row in triangulation.themes if row.disagree]
        shown = ", ".join(f"'{theme}'" for theme in themes[:3]) + (f" and {len(themes) - 3} more" if len(themes) > 3 else "")
        found.append(Statement(
            f"Our sources disagree on {len(themes)} theme(s) ({shown}): one records mostly strengths where another "
            "records mostly worries, so these are where to look next.",
            f"{sum(row.evidence for row in triangulation.themes if row.disagree)} points across "
            f"{len(triangulation.sources)} sources; {ref('findings')}",
        ))
    return found


KNOWN_FROM.append(known_from_evidence)  # page one's hook (front.py)
