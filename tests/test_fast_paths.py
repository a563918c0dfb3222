"""Fast paths equal the slow paths they replace, on inputs chosen to tell them apart: non-ASCII,
double spaces, contractions, abbreviations, headers mid-line, empty and one-character notes."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.lang.en import English
from spacy.tokenizer import Tokenizer

from pipelines.tokenizer import clinical_exceptions, create_clinical_tokenizer

TRICKY = [
    "", " ", "a", "\n", "  ", "we dont, DIDNT, Cant: wont isnt", "It's  Dr. Smith's K-wire; it’s out.  That's 4 p.m.  He’S fine",
    "’s ’S 's 'S o'clock O'clock and/or Let's let’s  e.g. i.e. vs. (Dr. Mr.) a.m.",
    "Café naïve — résumé × 2 K-wires×2 s/p b/l 0.045-inch 4-0  \t\n\nIM nail, im nail, id, ill",
    "PROCEDURE: removal of hardware.  FINDINGS: the pin was out. Indications:  pain\n\n1. Left",
    "what's  who's  there's  this's  when's  how's  why's  she's  he’s  where’s",
    ":) :-) <3 (Dr.) \"Dr.\" 'Dr.' Ph.D. D.C. St. 10a.m. 8) ):",
]


@pytest.fixture(scope="module")
def tokenizers() -> tuple[Tokenizer, Tokenizer]:
    """The clinical tokenizer, and the same one with every special case English lists kept."""
    nlp = English()
    fast = create_clinical_tokenizer()(nlp)
    rules = clinical_exceptions(nlp.tokenizer.rules)
    slow = Tokenizer(nlp.vocab, rules=rules, prefix_search=fast.prefix_search, suffix_search=fast.suffix_search,
                     infix_finditer=fast.infix_finditer, token_match=fast.token_match, url_match=fast.url_match)
    return fast, slow


@pytest.mark.parametrize("text", TRICKY + [" ".join(TRICKY), "  ".join(TRICKY)])
def test_tokenizer_without_identity_special_cases_is_the_same(tokenizers, text: str) -> None:
    fast, slow = tokenizers

    def tokens(tok: Tokenizer) -> list[tuple[str, str, str, int, str]]:
        return [(t.text, t.norm_, t.lower_, t.idx, t.whitespace_) for t in tok(text)]

    assert len(fast.rules) < len(slow.rules)
    assert tokens(fast) == tokens(slow)


def test_lower_text_is_keyed_by_identity_not_equality() -> None:
    from pipelines.extensions import lower_text

    a = "Dr. SMITH removed the K-WIRE"
    b = "".join(["Dr. SMITH removed ", "the K-WIRE"])  # equal, another object
    assert lower_text(a) == a.lower()
    assert lower_text(a) is lower_text(a)
    assert lower_text(b) == b.lower()
    c = "ÉCHEC İstanbul ẞ"  # lower() changes the length of non-ASCII text: never reused across texts
    assert lower_text(c) == c.lower()
    assert lower_text(a) == a.lower()


def test_anchor_filter_reuses_slots_only_for_the_same_text() -> None:
    from pipelines.anchored import AnchorFilter

    anchors = [f"anchor{i:02d}" for i in range(20)] + ["removal", "k-wire"]
    filt = AnchorFilter(anchors)
    one, two = "the k-wire removal anchor03", "anchor07 only"
    assert "removal" not in filt.absent(one) and "anchor03" not in filt.absent(one)
    assert {"removal", "k-wire", "anchor03"} <= filt.absent(two) and "anchor07" not in filt.absent(two)
    assert "removal" not in filt.absent(one)


# The sectionizer's candidate regexes as they were: tried at every position of the note.
_SLOW_RUNON = re.compile(r"(?<=[^\s.!?:][ \t])(?=[A-Za-z][A-Za-z/&'()-]*(?:[ \t]+[A-Za-z/&'()-]+){0,5}(?:[ \t]+#?\d{1,2})?[ \t]*:)")
_SLOW_CAPS = re.compile(r"[ \t](?<=[a-z0-9,;)\]][ \t])(?=[A-Z]{2,}\b)")
HEADERS = TRICKY + [
    "pain over the pin Indications: pain PROCEDURE removal Procedure #2: x  Anes:local",
    "seen today S: 3 wks s/p ORIF O: pin cap off A/P: remove ٣: Dr. X (list): y - z",
    "words and words and more words with no colon at all " * 5 + "Plan: out",
]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ :\t#1٣.!?-/&'()\n,;Éé", max_size=60))
def test_sectionizer_candidates_equal_the_slow_regexes(text: str) -> None:
    from pipelines.sectionizer import _CAPS_AFTER_WORD, runon_candidates

    for t in [text, *HEADERS]:
        assert runon_candidates(t) == [m.end() for m in _SLOW_RUNON.finditer(t)]
        assert [m.start() for m in _CAPS_AFTER_WORD.finditer(t)] == [m.end() for m in _SLOW_CAPS.finditer(t)]


def test_boundary_first_inside_each_alternative() -> None:
    from pipelines.anchored import _top_level_alternatives, boundary_first

    assert _top_level_alternatives(r"(?:a|b)|[|(]\||c\)") == ["(?:a|b)", r"[|(]\|", r"c\)"]
    assert _top_level_alternatives("(?:a))|(b") is None
    source = r"(?i)(?:(?<!cast\s)(?<!splint\s)\bremov\w*\s+(?:at|in)\s+\d+\s*weeks?)|(?:\bin\s+\d+\s*wks?\b[^.]{0,20}?remov\w*)"
    assert boundary_first(source) == (
        r"(?i)(?:\b(?<!cast\s)(?<!splint\s)remov\w*\s+(?:at|in)\s+\d+\s*weeks?)|(?:\bin\s+\d+\s*wks?\b[^.]{0,20}?remov\w*)"
    )
    for unchanged in [r"(?i)(?:a)(?:b)", r"(?:(?<!x)a)|(?:b)", r"(?is)(?:(?<!x)\ba)|(?:b)", r"(?i)(?:[)(?<!x)\ba])|(?:b)"]:
        assert boundary_first(unchanged) == unchanged
    slow, fast = re.compile(source), re.compile(boundary_first(source))
    texts = [*TRICKY, "cast removed in 6 weeks; removal at 4 weeks, Removal At 2 Weeks, splint remove at 3 weeks",
             "xremoval at 5 weeks in 3 wks the pins will be removed", "in 2 wks remove; in 2 wks, removal"]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]


def test_result_defaults_are_fresh_per_instance_and_in_the_schema() -> None:
    from notecheck.models import ApproachFinding, Findings

    a, b = Findings(), Findings()
    a.implants.append(None)  # type: ignore[arg-type]
    a.approach.evidence.append(None)  # type: ignore[arg-type]
    assert b.implants == [] and b.approach == ApproachFinding() and Findings().approach.evidence == []
    schema = Findings.model_json_schema()["properties"]
    assert schema["implants"]["default"] == [] and schema["approach"]["default"] == ApproachFinding().model_dump(mode="json")


def test_every_token_pattern_of_the_rules_is_a_set_of_phrases() -> None:
    """A token pattern spaCy's PhraseMatcher cannot take (an optional token, a REGEX, two
    attributes on one token) sends every note through spaCy's Matcher, which evaluates IN-sets in
    Python per token: one such rule cost ~0.12 of the bare tokenizer's time per note. Write an
    optional token as two patterns instead."""
    from notecheck.medspacy_rules import phrase_expansion
    from notecheck.rules import load_rules

    slow = [(f.label, rule.id) for f in load_rules(None).targets for rule in f.rules
            for pattern in rule.patterns if phrase_expansion(pattern) is None]
    assert slow == []
