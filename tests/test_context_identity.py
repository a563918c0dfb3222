"""ConText results belong to spans by identity (label, value, rule id, offsets), not by list
position: reordering, dropping or adding spans of doc.spans["notecheck"] after ConText ran, or
adding a pipeline component that does, must not move a negation onto another span."""
from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from notecheck.extract.mentions import NoteView
from pipelines.extensions import MODIFIERS, SPAN_MODIFIERS, SPANS_KEY, span_key

NOTE = (
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: Fracture healed. No infection. If a wire breaks we will use the extraction set.\n"
    "DESCRIPTION: Through a 1 cm incision both K-wires were removed intact. The screw was not removed.\n"
)


@pytest.fixture(scope="module")
def nlp(checker):
    return checker.nlp


def _mods_by_identity(doc: Doc, rules) -> dict[tuple, frozenset[str]]:
    """What the consumer (the extractors' NoteView) reads for each span, by the span's identity."""
    view = NoteView(doc, rules)
    return {(m.label, m.value, m.rule, m.start_char, m.end_char): m.mods for m in view.mentions}


def _reorder(doc: Doc, spans: list) -> None:
    doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans)


def test_the_note_has_spans_with_and_without_modifiers(nlp):
    """Otherwise a reorder could not tell position from identity."""
    per_span = nlp(NOTE)._.get(MODIFIERS)
    assert any(per_span) and not all(per_span)


@pytest.mark.parametrize("reorder", [
    pytest.param(lambda spans: spans[::-1], id="reversed"),
    pytest.param(lambda spans: sorted(spans, key=lambda s: (s.label_, -s.start)), id="by-label"),
    pytest.param(lambda spans: spans[1:], id="first-dropped"),
])
def test_modifiers_follow_their_span_when_the_group_is_reordered(nlp, checker, reorder):
    doc = nlp(NOTE)
    before = _mods_by_identity(doc, checker.rules)
    triggers = {span_key(s): mods for s, mods in zip(doc.spans[SPANS_KEY], doc._.get(MODIFIERS))}
    _reorder(doc, reorder(list(doc.spans[SPANS_KEY])))
    after = _mods_by_identity(doc, checker.rules)
    assert after == {k: v for k, v in before.items() if k in after}
    assert any(v for v in after.values()) and any(not v for v in after.values())
    for span, mods in zip(doc.spans[SPANS_KEY], doc._.get(MODIFIERS)):
        assert mods == triggers[span_key(span)]


def test_a_component_that_reorders_spans_after_context_keeps_every_modifier(nlp, checker):
    if "test_reverse_spans" not in Language.factories:
        @Language.component("test_reverse_spans")
        def reverse_spans(doc: Doc) -> Doc:
            _reorder(doc, list(doc.spans[SPANS_KEY])[::-1])
            return doc

    plain = _mods_by_identity(nlp(NOTE), checker.rules)
    with nlp.select_pipes(enable=nlp.pipe_names):
        nlp.add_pipe("test_reverse_spans", after="notecheck_context")
        try:
            reversed_doc = nlp(NOTE)
        finally:
            nlp.remove_pipe("test_reverse_spans")
    assert [s.start for s in reversed_doc.spans[SPANS_KEY]] == sorted((s.start for s in reversed_doc.spans[SPANS_KEY]), reverse=True)
    # (The extractors read mentions in text order, so the result itself is compared elsewhere.)
    assert _mods_by_identity(reversed_doc, checker.rules) == plain


def test_records_are_sparse_primitives_and_survive_bytes(nlp):
    doc = nlp(NOTE)
    records = doc._.get(SPAN_MODIFIERS)
    assert records and all(r[5] for r in records)
    assert len(records) < len(doc.spans[SPANS_KEY])
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert restored._.get(MODIFIERS) == doc._.get(MODIFIERS)
