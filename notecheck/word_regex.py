"""Word lists of the rule files as regular expressions: one alternation, longest first, so that
"in error" is tried before "error" and a shorter word never hides a longer one."""
from __future__ import annotations

import re
from typing import Iterable


def alternation(words: Iterable[str], blank: str = r"\ ") -> str:
    """The words as one regex alternation, longest first; `blank` is the regex of each space inside
    a word (r"[ \\t]+" lets a phrase span any run of blanks)."""
    return "|".join(re.escape(w).replace(r"\ ", blank) for w in sorted(words, key=len, reverse=True))


def whole_words(words: Iterable[str]) -> re.Pattern[str]:
    """Any of the words, not inside a longer lower-case word."""
    return re.compile(r"(?<![a-z])(?:" + alternation(words) + r")(?![a-z])")
