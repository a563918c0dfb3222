"""The claim lines a checked note comes out with, as (code, sorted modifiers): the shape the
accuracy tests compare against."""
from __future__ import annotations

from notecheck.checker import Checker


def claim_lines(checker: Checker, note: str) -> list[tuple[str, list[str]]]:
    return [(line.cpt, sorted(line.modifiers)) for line in checker.check(note).claim_lines]
