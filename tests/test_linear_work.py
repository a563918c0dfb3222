"""Work that grows with a note, counted rather than timed (bench/bench_scaling.py times it): the
act linker reads each sentence's dates once, however many acts the sentence holds."""
from __future__ import annotations

import re

from notecheck.extract.implants import find_removal
from notecheck.extract.mentions import NoteView


class _CountingPattern:
    """A compiled regex that adds up the characters it is asked to search."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.chars = pattern, 0

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62):
        self.chars += min(endpos, len(text)) - pos
        return self.pattern.finditer(text, pos, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = 2**62):
        self.chars += min(endpos, len(text)) - pos
        return self.pattern.search(text, pos, endpos)


def test_a_long_sentence_of_placements_has_its_dates_read_once(checker) -> None:
    text = "Procedure: " + "the screw and the plate were removed and the K-wire placed and " * 120 + "done.\n"
    view = NoteView(checker.doc(text), checker.rules)
    counting = _CountingPattern(checker.rules.vocabulary.date)
    view.rules.vocabulary.__dict__["date"] = counting  # the cached_property's slot
    try:
        find_removal(view)
    finally:
        del view.rules.vocabulary.__dict__["date"]
    assert 0 < counting.chars <= 2 * len(text)
