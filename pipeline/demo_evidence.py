"""The demo's children reviewed again, so the report's re-review outcomes and grade histories have content.

Called from the demo's CCR maker (one line): :func:`revisit` puts children whose latest review in an
earlier quarter was graded requires improvement or inadequate back into this quarter's sample, as
Appendix 4 asks. (The version-2 answers themselves — impact, safety, follow-through, themes — are
the forms' demo, ``demo_forms.py``.)
"""

from __future__ import annotations

from .quarter import Quarter
from .store import Store, bind


def revisit(store: Store, catalogue, quarter: Quarter, children: list[str], count: int = 4) -> None:
    """Put up to *count* children graded RI or Inadequate in earlier quarters into *children* (positions 2 on)."""
    from .report.practice import grade_of_record

    latest: dict[str, object] = {}
    for review in sorted((s for s in bind(store.submissions(), catalogue) if s.form == "ccr" and s.child_id
                          and (s.quarter or "") < quarter.label), key=lambda s: (s.quarter or "", s.id)):
        latest[str(review.child_id)] = review  # each child's most recent review
    concern = [r for r in latest.values() if grade_of_record(r) in ("Requires improvement", "Inadequate")]
    seen = [str(r.child_id) for r in sorted(concern, key=lambda r: (r.quarter or "", r.id), reverse=True)]
    for offset, child in enumerate(seen[:count]):
        if child not in children:
            children[2 + offset] = child
