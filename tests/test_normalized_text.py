"""The text the rule regexes read (pipelines.extensions.NORMALIZED_TEXT_KEY): each word the
normalizer read as another written as that word, padded to its length, so every offset is the
note's and evidence still quotes the note."""
from __future__ import annotations

from notecheck.checker import Checker
from pipelines.extensions import NORMALIZED_TEXT_KEY, doc_text, regex_text
from pipelines.normalizer import _written_as


def test_words_are_written_as_read_and_padded() -> None:
    text = "2 screeds out, kale wire pulled, rernoval done"
    edits = [(2, 9, "screws"), (15, 24, "k-wire"), (33, 41, "removal")]
    assert _written_as(text, edits) == "2 screws  out, k-wire    pulled, removal  done"


def test_a_longer_word_or_an_unchanged_one_is_left_as_written() -> None:
    assert _written_as("rite ring finger", [(0, 4, "right")]) is None
    assert _written_as("K-wire out", [(0, 6, "k-wire")]) is None


def test_the_pipeline_keeps_the_note_and_hands_the_regexes_the_reading(checker: Checker) -> None:
    note = "all 5 screeds out w/ driver, the rernoval went well"
    doc = checker.doc(note)
    assert doc_text(doc) == note
    read = regex_text(doc)
    assert len(read) == len(note) and "screws" in read and "removal" in read
    plain = checker.doc("all 5 screws out w/ driver")
    assert NORMALIZED_TEXT_KEY not in plain.user_data
