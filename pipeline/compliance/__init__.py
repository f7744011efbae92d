"""Compliance and the quarter's one assessment: what was returned, rejected, resolved, unreturned and outstanding.

:func:`assess_workspace` is the one place those figures are decided; `qa status`, `qa report`,
the service-area drafts and the action ledger render what it returns.
"""

from __future__ import annotations

from .assessment import (
    Assessment,
    Rejection,
    RejectionCount,
    assess,
    assess_quarter,
    assess_workspace,
    rejection_quarter,
)
from .lines import (
    ACTIVITIES,
    AMBER,
    GREEN,
    RED,
    ActivityLine,
    CcrSpread,
    Compliance,
    PersonLine,
    RagCount,
    Tally,
    UnknownName,
)
from .minimums import judge_minimums
from .plan import Deadline, LateReturn, PlanLine

__all__ = [
    "ACTIVITIES", "AMBER", "GREEN", "RED", "ActivityLine", "Assessment", "CcrSpread", "Compliance", "Deadline",
    "LateReturn", "PlanLine",
    "PersonLine", "RagCount", "Rejection", "RejectionCount", "Tally", "UnknownName", "assess", "assess_quarter",
    "assess_workspace", "judge_minimums", "rejection_quarter",
]
