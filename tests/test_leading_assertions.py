"""A regex searched for what follows its opening assertions, the assertions tested in Python
(pipelines.leading), finds exactly what the regex finds: on every regex of the rule set, over real
notes, in windows that start and end mid-word; and on made-up patterns and texts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.leading import LedRegex, led

ROOT = Path(__file__).resolve().parents[1]


def spans(regex, text: str, pos: int, endpos: int) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text, pos, endpos)]


def test_split_only_where_re_can_then_skip_to_a_first_letter() -> None:
    assert isinstance(led(re.compile(r"\bon\s+\d")), LedRegex)
    assert isinstance(led(re.compile(r"(?i)\b1\s*min")), LedRegex)  # a digit has no case
    assert isinstance(led(re.compile(r"(?<![\w/])\d{2}/\d")), LedRegex) is False  # "\d{2}" gives re no first set
    assert isinstance(led(re.compile(r"(?<![\w/])\d\d?/\d")), LedRegex)
    # Common opening of wrapped alternatives, each then led by a letter.
    assert isinstance(led(re.compile(r"(?:\bplanned\s+x)|(?:\bstaged\b)")), LedRegex)
    for kept in [
        r"\bfoo|bar",  # the assertion belongs to the first alternative only
        r"(?i)\bon\s+",  # IGNORECASE: re has no first set for a cased letter
        r"\b(?:\d+|ab)c",  # a repeat first: re has no first set either
        r"plain", r"\b", r"(?P<n>\ba)", r"(?s)\ba",
    ]:
        regex = re.compile(kept)
        assert led(regex) is regex, kept
    assert led(None) is None


def test_assertions_see_before_the_window_as_the_regex_does() -> None:
    regex = re.compile(r"\b(?<!cast\s)remov\w*")
    fast = led(regex)
    assert isinstance(fast, LedRegex)
    text = "cast removed; xremoval; remove it"
    for pos in range(len(text)):
        assert spans(fast, text, pos, len(text)) == spans(regex, text, pos, len(text))
    assert spans(fast, text, 5, len(text)) == [(24, 30)]
    regex = re.compile(r"\ba[a ]*")
    assert spans(led(regex), "xa a", 0, 4) == spans(regex, "xa a", 0, 4) == [(3, 4)]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab 1/.\n_é", max_size=40), pos=st.integers(0, 45), span=st.integers(0, 45))
def test_made_up_patterns_find_the_same(text: str, pos: int, span: int) -> None:
    patterns = [r"\baa*b", r"(?<![\w/])1(?:1?/1|\.a)", r"\b(?<!a )(?<=\s)a\w*", r"(?:\bab)|(?:\bb(?<!1b)\b)",
                r"(?:\ba\b)|(?:\b1/(?<=1/))", r"(?<!/)\b1\d*(?![\w/])", r"\b(?:ab|b1)\b",
                r"\ba[a ]*"]  # a failed start inside whose match a real one starts
    for source in patterns:
        regex = re.compile(source)
        fast = led(regex)
        assert isinstance(fast, LedRegex), source
        assert spans(fast, text, pos, pos + span) == spans(regex, text, pos, pos + span)


@pytest.fixture(scope="module")
def rule_regexes(checker) -> list:
    """Every regex the rule matchers run, with and without IGNORECASE (as they run them)."""
    found = []
    targets = checker.nlp.get_pipe("notecheck_targets")
    matchers = [targets.matcher, *targets.suppressors.values(), checker.nlp.get_pipe("notecheck_context").matcher]
    for matcher in matchers:
        for key, fast, _, folded_fast in matcher.regexes:
            for searched in (fast, folded_fast):
                if isinstance(searched, LedRegex):
                    found.append((key, re.compile(searched.pattern), searched))
    return found


def test_the_rule_set_has_regexes_the_split_applies_to(rule_regexes) -> None:
    assert len({key for key, _, _ in rule_regexes}) >= 10


def test_every_split_rule_regex_finds_the_same_on_notes(rule_regexes) -> None:
    notes = sorted((ROOT / "sample_notes").glob("*.txt"))[:40] + sorted((ROOT / "sample_notes" / "blind").glob("b5*/*.txt"))[:80]
    assert len(notes) >= 60
    for path in notes:
        text = path.read_text(encoding="utf-8")
        for subject in (text, text.lower()):
            n = len(subject)
            windows = [(0, n), (7, n - 3), (n // 3, 2 * n // 3), (n // 2 + 1, n)]
            for key, regex, fast in rule_regexes:
                for lo, hi in windows:
                    assert spans(fast, subject, lo, hi) == spans(regex, subject, lo, hi), (key, path.name, lo, hi)
