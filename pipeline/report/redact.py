"""Keep children's names out of every report: known names are replaced by the child's ID.

The report never copies a sensitive field (``spec.sensitive_fields()``), but people also type a
child's name into free text ("Jo said she feels safe") and into file names. So every string the
report model holds passes through a :class:`Redactor` built from the names held in the store, in
the fields marked ``identifying: name``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..spec import Catalogue
from ..store import StoredSubmission

PLACEHOLDER = "[child]"
# A first or last name alone shorter than this is an initial or a common short word.
MIN_PART = 3
# Control characters other than tab and new line are not allowed in Word XML (and docxtpl turns
# \a and \f into paragraph and page breaks), so they are dropped from free text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
_SEPARATOR = re.compile(r"[\s_.\-'’]+")


def clean_text(value: object) -> str:
    """A stored answer as report text: Windows line ends made '\\n', control characters dropped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class Redactor:
    """Replaces every known child's name with their ID (or '[child]' when a name is shared).

    ``text()`` is for narrative answers: it also replaces a first or last name written alone
    (when capitalised, so the child 'Will' does not turn "we will" into "we [child]").
    ``name()`` is for staff names and file names: only a whole name is replaced there, so a
    social worker who shares a child's surname keeps theirs.
    """

    def __init__(self) -> None:
        self._full: dict[tuple[str, ...], str | None] = {}  # casefolded name words → child ID
        self._first_words: set[str] = set()
        self._parts: dict[str, str | None] = {}
        self._longest = 1
        # The same team, author and stock phrase recur thousands of times in a year's returns.
        self._cache: dict[tuple[str, bool], str] = {}

    @classmethod
    def from_submissions(cls, catalogue: Catalogue, submissions: Iterable[StoredSubmission],
                         identify: Callable[[str], str] | None = None) -> Redactor:
        """Collect the names held in every name field of *submissions* (replaced ones too).

        A name is replaced by the child's ID, or by ``identify(ID)`` if given (a pseudonym, say).
        """
        sensitive: dict[tuple[str, str | None], set[str]] = {}
        redactor = cls()
        for submission in submissions:
            key = (submission.form, submission.variant)
            if key not in sensitive:
                try:
                    sensitive[key] = catalogue.get(*key).identifying_fields("name")
                except KeyError:  # a form retired from the catalogue still holds names
                    sensitive[key] = {"child_name"}
            children = _row_child_ids(submission)
            for field_id in sensitive[key]:
                if field_id in submission.values:
                    redactor.add(submission.values[field_id], _identified(submission.child_id, identify))
                for group_id, rows in submission.groups.items():
                    for row in rows:
                        if field_id in row:
                            child = row.get(children[group_id]) if group_id in children else None
                            redactor.add(row[field_id], _identified(child or submission.child_id, identify))
        return redactor

    def __len__(self) -> int:
        return len(self._full)

    def add(self, name: object, child_id: object = None) -> None:
        """Remember one child's name (and ID) to redact."""
        words = tuple(word.casefold() for word in _WORD.findall(clean_text(name)))
        if not words or sum(map(len, words)) < MIN_PART:
            return
        identifier = str(child_id) if child_id else None
        self._full[words] = _merge(self._full, words, identifier)
        self._first_words.add(words[0])
        self._longest = max(self._longest, len(words))
        self._cache.clear()
        for word in words:
            if len(word) >= MIN_PART:
                self._parts[word] = _merge(self._parts, word, identifier)

    def text(self, value: object) -> str:
        """Narrative text, cleaned, with whole names and first or last names replaced."""
        return self._redact(clean_text(value), parts=True)

    def name(self, value: object) -> str:
        """A staff name or a file name, cleaned, with any whole child's name replaced."""
        return self._redact(clean_text(value), parts=False)

    def _redact(self, text: str, parts: bool) -> str:
        if not self._full or not text:
            return text
        key = (text, parts)
        if key not in self._cache:
            self._cache[key] = self._replace(text, parts)
        return self._cache[key]

    def _replace(self, text: str, parts: bool) -> str:
        words = list(_WORD.finditer(text))
        if not words:
            return text
        pieces, position, index = [], 0, 0
        while index < len(words):
            span = self._match_full(text, words, index) if words[index].group(0).casefold() in self._first_words else None
            if span:
                end_index, child_id = span
                pieces += [text[position : words[index].start()], child_id or PLACEHOLDER]
                position, index = words[end_index].end(), end_index + 1
                continue
            word = words[index].group(0)
            if parts and word[:1].isupper() and word.casefold() in self._parts:
                pieces += [text[position : words[index].start()], self._parts[word.casefold()] or PLACEHOLDER]
                position = words[index].end()
            index += 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _match_full(self, text: str, words: list[re.Match[str]], start: int) -> tuple[int, str | None] | None:
        # Longest run of words, joined only by spaces, dots, hyphens or underscores, that is a known name.
        for length in range(min(self._longest, len(words) - start), 0, -1):
            end = start + length - 1
            if any(not _SEPARATOR.fullmatch(text[words[i].end() : words[i + 1].start()]) for i in range(start, end)):
                continue
            key = tuple(match.group(0).casefold() for match in words[start : end + 1])
            if key in self._full:
                return end, self._full[key]
        return None


def _identified(child_id: object, identify: Callable[[str], str] | None) -> object:
    return identify(str(child_id)) if identify and child_id else child_id


def _row_child_ids(submission: StoredSubmission) -> dict[str, str]:
    # group id → the id of its column with role child_id (none without a spec).
    groups = submission.spec.groups() if submission.spec else ()
    return {group.id: column.id for group in groups if (column := group.role_field("child_id")) is not None}


def _merge(known: dict, key: object, child_id: str | None) -> str | None:
    # A name (or name part) shared by two children maps to no ID: the placeholder stands in.
    if key in known and known[key] != child_id:
        return None
    return child_id
