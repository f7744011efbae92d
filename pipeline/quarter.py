"""The UK financial-year quarter (2022-23-Q3 = October to December 2022)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: Q1 is April–June of *start_year*, Q4 is January–March after it."""

    start_year: int
    number: int

    @classmethod
    def from_label(cls, label: str) -> Quarter:
        """Parse '2022-23-Q3'; raise ValueError if the label is not a consistent quarter."""
        match = _LABEL.match(label.strip())
        if not match:
            raise ValueError(f"{label!r} is not a quarter like 2022-23-Q3")
        year, short_next, number = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != short_next:
            raise ValueError(f"{label!r}: {year} is not followed by {short_next:02d}")
        return cls(year, number)

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @property
    def label(self) -> str:
        """The label as staff write it, e.g. 2022-23-Q3."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}-Q{self.number}"

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        month = 4 + 3 * (self.number - 1)
        year = self.start_year
        if month > 12:
            month, year = month - 12, year + 1
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    @property
    def months(self) -> str:
        """The months it covers, e.g. 'October–December 2022'."""
        return f"{self.start:%B}–{self.end:%B %Y}"

    def previous(self) -> Quarter:
        """The quarter before this one."""
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    def next(self) -> Quarter:
        """The quarter after this one."""
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)

    def __str__(self) -> str:
        return self.label
