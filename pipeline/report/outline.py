"""The report's outline: its sections in order, numbered and lettered once, and how the text refers to each."""

from __future__ import annotations

# The report's sections in order, by key: body sections are numbered and appendices lettered as they
# stand here, so a new section is one entry in the right place (and one call in template.build_template).
BODY = [
    ("summary", "Summary: what we know, how we know it, what we will do"),
    ("activity", "QA activity against the plan and minimums"),
    ("practice", "Quality of practice: collaborative case reviews"),
    ("trends", "Trends against targets"),
    ("findings", "Findings from dip sampling, audits, observations and supervision"),
    ("summaries", "What Heads of Service and service areas tell us"),
    ("feedback", "Feedback from children, families and staff"),
    ("edi", "Equality, diversity and identity"),
    ("actions", "Actions"),
    ("learning", "Learning followed through"),
]
APPENDICES = [
    ("lists", "Row-level lists"),
    ("sources", "Source files"),
    ("rejected", "Rejected files"),
    ("drafts", "Service area summary drafts"),
]


def numbered() -> list[tuple[str, str]]:
    """(key, title as printed): '3. Quality of practice …', 'Appendix A. Row-level lists'."""
    body = [(key, f"{number}. {title}") for number, (key, title) in enumerate(BODY, 1)]
    return body + [(key, f"Appendix {chr(65 + index)}. {title}") for index, (key, title) in enumerate(APPENDICES)]


TITLES = dict(numbered())
SECTIONS = tuple((1, title) for _, title in numbered())  # the contents list


def ref(key: str) -> str:
    """How the text refers to a section: 'section 3' or 'Appendix A'."""
    title = TITLES[key]
    return title.split(".")[0] if title.startswith("Appendix") else f"section {title.split('.')[0]}"
