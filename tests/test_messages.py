"""The one message catalogue: every key names one message, so tests and code reuse it unambiguously."""

from __future__ import annotations

import string
from collections import Counter

from pipeline.errors import CATALOGUES, message


def test_no_message_key_is_in_two_catalogues():
    counts = Counter(key for catalogue in CATALOGUES for key in catalogue)
    assert [key for key, count in counts.items() if count > 1] == []


def test_every_message_fills_in_with_its_own_placeholders():
    for catalogue in CATALOGUES:
        for key, text in catalogue.items():
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            filled = message(key, **{name: 1000 for name in names})
            assert "{" not in filled.replace("{ }", "").replace("{field:", ""), (key, filled)
