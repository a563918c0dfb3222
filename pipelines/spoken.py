"""Punctuation dictated as words ("procedure colon removal of plate comma right small finger period
new line indication colon ..."), as raw speech recognition writes it.

The sectionizer finds headers by their colons and line starts, and a field's end by its full
stop or line break; a note dictated this way has none of them. `punctuated` gives it a view of
the note of the same length with the marks written in ("procedure:       removal of plate,
right small finger.        \\n        indication:       ..."), so every section offset it finds is
an offset of the note itself. Only a note that says at least `spoken_stop_min` stops, line breaks
or commas this way is read through the view ("the sigmoid colon" is the bowel).
"""
from __future__ import annotations

import re
from typing import Optional

from notecheck.rules import Normalization
from notecheck.word_regex import alternation
from pipelines.extensions import lower_text

_BLANKS_BEFORE = re.compile(r"[ \t]*\Z")


class SpokenMarks:
    def __init__(self, spec: Normalization) -> None:
        self._mark: dict[str, str] = {w.lower(): mark for mark, words in spec.spoken_marks.items() for w in words}
        self._noun_after = frozenset(spec.period_noun_after)
        self._min = spec.spoken_stop_min
        # Led by the words themselves (re skips to their first letters in C), on the lower-cased text.
        self._regex: Optional[re.Pattern[str]] = (
            re.compile(r"(?<![\w-])(?:" + alternation(list(self._mark), blank=r"[ \t]+") + r")(?![\w-])")
            if self._mark else None
        )
        # A substring test first: most notes say none of these words.
        self._words = tuple(sorted(self._mark))

    def punctuated(self, text: str) -> str:
        """`text` with each dictated punctuation word replaced by its mark and blanks, when the note
        is dictated that way; else `text` itself."""
        if self._regex is None:
            return text
        lower = lower_text(text)
        if not any(w in lower for w in self._words):
            return text
        spans: list[tuple[int, int, str]] = []
        for m in self._regex.finditer(lower):
            # After a word ("plate comma") or at a line start ("new paragraph Description colon"):
            # the mark takes the first blank before the word, so it follows the word it ends.
            blanks = _BLANKS_BEFORE.search(lower, max(0, m.start() - 8), m.start())
            start = blanks.start() if blanks is not None else m.start()
            before = lower[start - 1] if start > 0 else "\n"
            if before != "\n" and not (before.isalnum() or before in ")%"):
                continue
            if start == m.start() and before != "\n":
                continue  # no blank between the word before and this one
            mark = self._mark[" ".join(m.group(0).split())]
            if mark == ".":
                # "the global period", "a 90-day period": a noun, not a full stop.
                word_start = max(lower.rfind(c, 0, start) for c in " \t\n") + 1
                if lower[word_start:start].strip(",;:") in self._noun_after:
                    continue
            spans.append((start, m.end(), mark))
        # Said colons alone do not make a dictated note: "the sigmoid colon" is the bowel.
        if sum(1 for span in spans if span[2] != ":") < self._min:
            return text
        out: list[str] = []
        last = 0
        for start, end, mark in spans:
            out.append(text[last:start])
            out.append(mark + " " * (end - start - 1))
            last = end
        out.append(text[last:])
        return "".join(out)
