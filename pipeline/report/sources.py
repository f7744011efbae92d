"""Points of free text carried into the report, each traceable to the return it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..spec import Catalogue
from ..store import StoredSubmission
from .redact import Redactor

# Bullets and numbering people type at the start of a line: "- ", "• ", "* ", "1. ", "2) ", "a) ".
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪●○◦]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")


@dataclass
class Point:
    """One point of free text and where it came from (form, author, area or service, file)."""

    text: str
    form: str
    author: str
    area: str
    file: str
    child_id: str = ""


@dataclass
class SourceRef:
    """Where one occurrence of a point came from."""

    form: str
    author: str
    area: str
    file: str
    child_id: str = ""
    source: str = ""  # 'Head of Service summary · A. Khan · Safeguarding · hos-summary.docx'

    def __post_init__(self) -> None:
        if not self.source:
            self.source = " · ".join(part for part in (self.form, self.author, self.area, self.file) if part)


@dataclass
class CollatedPoint:
    """A point made in one or more returns, with every source it came from (most-made points first)."""

    text: str
    count: int
    sources: list[SourceRef]


def collate(points: list[Point]) -> list[CollatedPoint]:
    """Merge points with the same wording (ignoring case, spacing and a final full stop), keeping all sources."""
    merged: dict[str, CollatedPoint] = {}
    for point in points:
        key = " ".join(point.text.split()).casefold().rstrip(".")
        ref = SourceRef(point.form, point.author, point.area, point.file, point.child_id)
        if key in merged:
            merged[key].count += 1
            merged[key].sources.append(ref)
        else:
            merged[key] = CollatedPoint(point.text, 1, [ref])
    return sorted(merged.values(), key=lambda item: -item.count)  # stable: first-made order among equals


def split_points(text: str) -> list[str]:
    """Split 'one point per line' text into points, dropping bullets and blank lines."""
    points = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line).strip()
        if line:
            points.append(line)
    return points


class Sourcer:
    """Makes :class:`Point` objects from stored returns, with names redacted and sources named."""

    def __init__(self, catalogue: Catalogue, redactor: Redactor) -> None:
        self.catalogue = catalogue
        self.redactor = redactor
        self._titles: dict[tuple[str, str | None], str] = {}

    def clean(self, value: object) -> str:
        """A short structured answer (a name, a team, an ID) as report text."""
        return self.redactor.name(value).strip()

    def text(self, value: object) -> str:
        """A narrative answer as report text, exactly as written but for children's names."""
        return self.redactor.text(value)

    def title(self, submission: StoredSubmission) -> str:
        """The form's title as staff know it (with its theme for themed variants)."""
        key = (submission.form, submission.variant)
        if key not in self._titles:
            try:
                self._titles[key] = self.catalogue.get(*key).display_title
            except KeyError:
                self._titles[key] = submission.form
        return self._titles[key]

    def points(self, submission: StoredSubmission, role: str, area: str = "", split: bool = False) -> list[Point]:
        """The answer with *role* as one point (or one per line when *split*), sourced."""
        text = self.text(submission.answer(role))
        if not text.strip():
            return []
        pieces = split_points(text) if split else [text.strip("\n")]
        author = self.clean(submission.author)
        child = self.clean(submission.child_id)
        file = self.clean(submission.file.replace("\\", "/").rsplit("/", 1)[-1])  # Appendix A has the full path
        return [Point(piece, self.title(submission), author, area, file, child) for piece in pieces]
