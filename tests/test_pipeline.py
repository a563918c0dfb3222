"""The spaCy pipeline (pipelines/): clinical tokenizer, line-aware sentence splitter, operative-note
sectionizer, serialization (`Doc.to_bytes()`, `nlp.pipe(n_process=2)`, STYLE.md C4 lesson 4) and a
property test that no text makes the checker raise or break the evidence invariant."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from notecheck.reader import NoteInputError
from pipelines import MODIFIERS, SECTIONS, SPANS_KEY, build_pipeline
from pipelines.extensions import RULES_VERSION

from test_evidence import evidence_violations

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = sorted((ROOT / "sample_notes").glob("*.txt"))


@pytest.fixture(scope="module")
def nlp(checker):
    return checker.nlp


def _sentences(nlp, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


def _headers(nlp, text: str) -> list[tuple[str, str]]:
    out = []
    for category, start, end, _ in nlp(text)._.get(SECTIONS) or []:
        if end > start:
            out.append((category, text[start:end].strip().rstrip(":-–— ").strip()))
    return out


def _spans(doc: Doc) -> list[tuple]:
    return [(s.label_, s.kb_id_, s.id_, s.start, s.end) for s in doc.spans[SPANS_KEY]]


def _plain(value: Any) -> Any:
    """msgpack turns tuples into lists; compare the values, not the container types."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ---- tokenizer -------------------------------------------------------------------------------

# fmt: off
WHOLE_TOKENS = [
    ("Two K-wires were removed.", "K-wires"),
    ("The K-wire was removed.", "K-wire"),
    ("two 0.045-inch K-wires", "0.045-inch"),
    ("closed with 4-0 nylon", "4-0"),
    ("closed with 5-0 Prolene", "5-0"),
    ("left ring finger P1 fracture", "P1"),
    ("screws at P2 and P3", "P2"),
    ("KW x2 removed", "x2"),
    ("Pt s/p CRPP 4 wks ago", "s/p"),
    ("the tension-band wire", "tension-band"),
    ("R 5th MC plate", "5th"),
]
# fmt: on


@pytest.mark.parametrize("text, token", WHOLE_TOKENS)
def test_tokenizer_keeps_clinical_tokens_whole(nlp, text: str, token: str):
    assert token in [t.text for t in nlp.make_doc(text)]


def test_tokenizer_splits_times_sign_and_keeps_offsets(nlp):
    doc = nlp.make_doc("K-wires×2 removed")
    assert [t.text for t in doc][:3] == ["K-wires", "×", "2"]
    assert all(doc.text[t.idx: t.idx + len(t)] == t.text for t in doc)


def test_tokenizer_still_splits_punctuation(nlp):
    assert [t.text for t in nlp.make_doc("(P1), K-wire; x2.")] == ["(", "P1", ")", ",", "K-wire", ";", "x2", "."]


# ---- sentence splitter --------------------------------------------------------------------------

# fmt: off
SENTENCE_CASES = [
    pytest.param("PROCEDURE: Removal of K-wire. Closure with nylon.",
                 ["PROCEDURE:", "Removal of K-wire.", "Closure with nylon."], id="colon-header-own-sentence"),
    pytest.param("FINDINGS\nHealed fracture.\nCOMPLICATIONS\nNone.",
                 ["FINDINGS", "Healed fracture.", "COMPLICATIONS", "None."], id="caps-header-own-sentence"),
    pytest.param("Implants removed:\n- 2 K-wires\n- 1 screw\n• plate",
                 ["Implants removed:", "- 2 K-wires", "- 1 screw", "• plate"], id="dash-and-dot-bullets"),
    pytest.param("1. Removal of K-wire, left ring finger.\n2. Irrigation of the wound.",
                 ["1. Removal of K-wire, left ring finger.", "2. Irrigation of the wound."], id="numbered-list"),
    pytest.param("The wire was removed from the\nfinger and the skin was closed\nwith a nylon suture.",
                 ["The wire was removed from the\nfinger and the skin was closed\nwith a nylon suture."], id="soft-wraps"),
    # Typed a fact a line in lower case: the next word would have fitted within the longest line, so
    # the writer broke the line (the longest line itself cannot be told from a wrap).
    pytest.param("kw x2 removed no incision needed\nfx clinically healed\npt 34m s/p crpp lt rf p1 kw x2 plan out at 4 wks",
                 ["kw x2 removed no incision needed", "fx clinically healed", "pt 34m s/p crpp lt rf p1 kw x2 plan out at 4 wks"],
                 id="lower-case-fact-lines"),
    pytest.param("The plate, four screws,\nand one washer were removed.",
                 ["The plate, four screws,\nand one washer were removed."], id="soft-wrap-after-comma"),
    pytest.param("Seen by Dr. Smith today. The K-wire was removed.",
                 ["Seen by Dr. Smith today.", "The K-wire was removed."], id="abbreviation-dr"),
    pytest.param("A No. 15 blade was used. The screw was removed.",
                 ["A No. 15 blade was used.", "The screw was removed."], id="abbreviation-no"),
    pytest.param("An approx. 4 mm incision was made.", ["An approx. 4 mm incision was made."], id="abbreviation-approx"),
    pytest.param("KW x2 removed. Skin closed.", ["KW x2 removed.", "Skin closed."], id="terse-sentences"),
    pytest.param("Wires removed.\nsites dressed.", ["Wires removed.", "sites dressed."], id="period-then-newline"),
    pytest.param("KW x2 removed intact\nSites irrigated\nXeroform dressing",
                 ["KW x2 removed intact", "Sites irrigated", "Xeroform dressing"], id="line-structured"),
    # A bulleted note run together keeps its bullets as sentence starts.
    pytest.param("Seen today • prep/drape • screw removed intact • 5-0 nylon",
                 ["Seen today •", "prep/drape •", "screw removed intact •", "5-0 nylon"], id="run-on-bullet-glyphs"),
    pytest.param("screw removed intact - Small chondral scuff on the MC head - 5-0 nylon",
                 ["screw removed intact -", "Small chondral scuff on the MC head - 5-0 nylon"], id="run-on-dash-bullets"),
    pytest.param("Left hand: same - 1 cm incision. Screw count - ALL OUT. Pain - worse at night.",
                 ["Left hand: same - 1 cm incision.", "Screw count - ALL OUT.", "Pain - worse at night."],
                 id="dashes-that-are-not-bullets"),
    # A labelled field after an abbreviation's full stop starts a sentence ("wks." ends a sentence
    # here); "approx. 6 wks. post-op" stays one.
    pytest.param("plan was office removal at ~6-8 wks. XR: healed distal radius.",
                 ["plan was office removal at ~6-8 wks.", "XR: healed distal radius."], id="label-after-abbreviation"),
    pytest.param("pins out approx. 6 wks. post-op", ["pins out approx. 6 wks. post-op"], id="abbreviations-mid-sentence"),
    # "#" for fracture opens a sentence as a capital does.
    pytest.param("Plate + 4 screws out, no problems. # healed. Closed 5/0 nylon.",
                 ["Plate + 4 screws out, no problems.", "# healed.", "Closed 5/0 nylon."], id="fracture-sign-opens-a-sentence"),
]
# fmt: on


@pytest.mark.parametrize("text, expected", SENTENCE_CASES)
def test_sentence_splitter(nlp, text: str, expected: list[str]):
    assert _sentences(nlp, text) == expected


def test_sentences_cover_every_token(nlp):
    doc = nlp("PROCEDURE: HWR.\n- KW x2\nDr. X removed them. Closed.")
    assert sum(len(s) for s in doc.sents) == len(doc)
    assert doc[0].is_sent_start


# ---- sectionizer ---------------------------------------------------------------------------------

# fmt: off
SECTION_CASES = [
    pytest.param(
        "PREOPERATIVE DIAGNOSIS: Retained K-wire.\nPOSTOPERATIVE DIAGNOSIS: Same.\nPROCEDURE PERFORMED: Removal.\nANESTHESIA: Local.\n"
        "DESCRIPTION OF PROCEDURE: The wire was removed.\nEBL: Minimal.\nCOMPLICATIONS: None.\nDISPOSITION: Home.\nPLAN: Therapy.",
        [("preoperative_diagnosis", "PREOPERATIVE DIAGNOSIS"), ("postoperative_diagnosis", "POSTOPERATIVE DIAGNOSIS"),
         ("procedure", "PROCEDURE PERFORMED"), ("anesthesia", "ANESTHESIA"), ("procedure_description", "DESCRIPTION OF PROCEDURE"),
         ("ebl", "EBL"), ("complications", "COMPLICATIONS"), ("disposition", "DISPOSITION"), ("plan", "PLAN")],
        id="colon-headers",
    ),
    pytest.param(
        "INDICATIONS\nPainful plate over the ring finger.\nOPERATIVE TECHNIQUE\nThe plate was removed.\nFINDINGS\nHealed fracture.",
        [("indications", "INDICATIONS"), ("procedure_description", "OPERATIVE TECHNIQUE"), ("findings", "FINDINGS")],
        id="colon-less-caps-headers-own-line",
    ),
    pytest.param(
        "Pre-op Dx: healed fx\nProcedure(s) Performed: HWR L RF\nAnesthesia type: WALANT\nImplants removed: 2 K-wires\n"
        "Indication(s): prominence\nEBL: minimal\nFollow-up: 2 weeks",
        [("preoperative_diagnosis", "Pre-op Dx"), ("procedure", "Procedure(s) Performed"), ("anesthesia", "Anesthesia type"),
         ("implants_removed", "Implants removed"), ("indications", "Indication(s)"), ("ebl", "EBL"), ("plan", "Follow-up")],
        id="ehr-field-variants",
    ),
    pytest.param(
        "Postop Dx: same\nProcedures: removal of screw\nIndications: pain\nOperative findings: loose screw\nPost-op plan: splint",
        [("postoperative_diagnosis", "Postop Dx"), ("procedure", "Procedures"), ("indications", "Indications"),
         ("findings", "Operative findings"), ("plan", "Post-op plan")],
        id="ehr-field-variants-2",
    ),
    pytest.param(
        "Patient identified and the time-out was done. PROCEDURE: Removal of K-wire, left index finger. FINDINGS: Healed fracture. "
        "COMPLICATIONS: None.",
        [("procedure", "PROCEDURE"), ("findings", "FINDINGS"), ("complications", "COMPLICATIONS")],
        id="run-on-dictation",
    ),
    pytest.param(
        "1. PROCEDURE: Removal of two screws.\n- INDICATIONS: Prominent screw heads.",
        [("procedure", "PROCEDURE"), ("indications", "INDICATIONS")],
        id="numbered-and-bulleted-headers",
    ),
    pytest.param(
        "Findings\nHealed fracture, loose screw.",
        [("findings", "Findings")],
        id="mixed-case-header-alone-on-line",
    ),
    pytest.param(
        "History of pin-tract infection, resolved.\nThe procedure was explained to the patient.\nPlan to remove the wire in 4 weeks.\n"
        "The findings were discussed with her.",
        [],
        id="no-false-headers",
    ),
    pytest.param(
        "OPERATIVE REPORT DATE OF SURGERY: 10/03/2023 PREOPERATIVE DIAGNOSIS: 1. Healed fracture, right index finger. "
        "POSTOPERATIVE DIAGNOSIS: 1. Same. 2. One screw fractured during extraction. PROCEDURE PERFORMED: Removal of "
        "plate and screws, right index finger proximal phalanx. ANESTHESIA: General. INDICATIONS: This man had pain over "
        "the plate for a year and wished it out, and the fracture had united on the radiographs of last month.",
        [("administrative", "DATE OF SURGERY"), ("preoperative_diagnosis", "PREOPERATIVE DIAGNOSIS"),
         ("postoperative_diagnosis", "POSTOPERATIVE DIAGNOSIS"), ("procedure", "PROCEDURE PERFORMED"),
         ("anesthesia", "ANESTHESIA"), ("indications", "INDICATIONS")],
        id="run-on-header-holds-no-shorter-header",
    ),
]
# fmt: on


@pytest.mark.parametrize("text, expected", SECTION_CASES)
def test_sectionizer(nlp, text: str, expected: list[tuple[str, str]]):
    assert _headers(nlp, text) == expected


def test_sections_are_ordered_and_disjoint(nlp):
    text = "Seen today.\nPROCEDURE: HWR.\nFINDINGS\nHealed.\nPlan: RTC 2 wks"
    sections = nlp(text)._.get(SECTIONS)
    assert [c for c, h, e, _ in sections if e > h] == ["procedure", "findings", "plan"]
    for category, head_start, head_end, end in sections:
        assert 0 <= head_start <= head_end <= end <= len(text), category
    for (_, _, _, end), (_, start, _, _) in zip(sections, sections[1:]):
        assert end <= start


def test_header_words_are_not_findings(checker):
    """'Implants removed:' names a section; it is not itself a removal of an implant."""
    result = checker.check("Implants removed: none.\nPROCEDURE: Left ring finger trigger release.")
    assert not result.procedure.is_implant_removal


# ---- serialization ---------------------------------------------------------------------------------

NOTE = (
    "PREOPERATIVE DIAGNOSIS: Prominent K-wires, left ring finger P1.\n"
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: Fracture healed. No infection. If a wire breaks we will use the extraction set.\n"
    "DESCRIPTION: Through a 1 cm incision both K-wires were removed intact. The digital nerve was protected. 5-0 nylon.\n"
)


def test_doc_bytes_round_trip_keeps_spans_and_extensions(nlp):
    doc = nlp(NOTE)
    assert len(doc.spans[SPANS_KEY]) > 0
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert restored.text == doc.text
    assert _spans(restored) == _spans(doc)
    for ext in (SECTIONS, MODIFIERS, RULES_VERSION):
        assert _plain(restored._.get(ext)) == _plain(doc._.get(ext)), ext
    assert [t.is_sent_start for t in restored] == [t.is_sent_start for t in doc]


def test_doc_bytes_round_trip_in_fresh_vocab(nlp):
    """A Doc restored in another process's vocab (a fresh pipeline) carries the same spans."""
    other = build_pipeline()
    restored = Doc(other.vocab).from_bytes(nlp(NOTE).to_bytes())
    assert _spans(restored) == _spans(nlp(NOTE))


def test_findings_survive_round_trip(checker):
    doc = checker.nlp(NOTE)
    restored = Doc(checker.nlp.vocab).from_bytes(doc.to_bytes())
    assert checker.result(restored, None, "x").model_dump() == checker.result(doc, None, "x").model_dump()


def test_extensions_hold_only_primitives(nlp):
    doc = nlp(NOTE)

    def primitive(value: Any) -> bool:
        if isinstance(value, (list, tuple)):
            return all(primitive(v) for v in value)
        return value is None or isinstance(value, (str, int, float, bool))

    for ext in (SECTIONS, MODIFIERS, RULES_VERSION):
        assert primitive(doc._.get(ext)), ext


def test_pipe_n_process_2_matches_single_process(nlp):
    texts = [p.read_text(encoding="utf-8") for p in SAMPLE_NOTES[:12]] + [NOTE, "Removed K-wire."]
    single = [(_spans(d), _plain(d._.get(SECTIONS)), _plain(d._.get(MODIFIERS))) for d in nlp.pipe(texts)]
    multi = [(_spans(d), _plain(d._.get(SECTIONS)), _plain(d._.get(MODIFIERS))) for d in nlp.pipe(texts, n_process=2, batch_size=4)]
    assert len(multi) == len(texts)
    assert multi == single


def test_checker_pipe_matches_check(checker):
    texts = [p.read_text(encoding="utf-8") for p in SAMPLE_NOTES[:6]]
    piped = list(checker.pipe([(t, None, str(i)) for i, t in enumerate(texts)]))
    one_by_one = [checker.check(t, None, str(i)) for i, t in enumerate(texts)]
    assert [r.model_dump() for r in piped] == [r.model_dump() for r in one_by_one]


# ---- input errors and robustness ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n", "\u00a0\u2003"], ids=["empty", "space", "whitespace", "unicode-space"])
def test_empty_text_raises_note_input_error(checker, text: str):
    with pytest.raises(NoteInputError):
        checker.check(text)


def test_binary_text_raises_note_input_error(checker):
    with pytest.raises(NoteInputError):
        checker.check("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20)


CLINICAL_WORDS = [
    "K-wire", "K wire", "Kwire", "KW", "x2", "pins", "screw", "plate", "removed", "not", "no", "without", "placed", "left",
    "right", "L", "R", "rt", "lt", "ring", "small", "SF", "RF", "MF", "IF", "thumb", "P1", "P2", "P3", "MC", "metacarpal",
    "phalanx", "PIP", "HWR", "ROH", "s/p", "history of", "will", "if", "brother", "infection", "resolved", "dense scar",
    "substantially", "incision", "percutaneous", "healed", "prominent", "PROCEDURE:", "FINDINGS", "Plan:", "Infection: none",
    "Dr.", "4-0", "0.045-inch", "left in place", "provisional", "bilateral", "scaphoid", "distal radius", "×", "(", ")",
    ",", ".", ";", ":", "-", "•", "\n", "\n\n", "  ", "\t", "1.", "é", "—", "\u200b", "🦴",
]


def _check_invariant(checker, text: str) -> None:
    try:
        result = checker.check(text)
    except NoteInputError:
        return  # empty or binary-looking input: the contract's input error, not a crash
    assert evidence_violations(text, result) == []
    assert 0 <= result.score <= 100
    assert result.procedure.units == sum(line.units for line in result.claim_lines)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises(checker, text: str):
    _check_invariant(checker, text)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(CLINICAL_WORDS), st.text(max_size=4)), max_size=80).map(" ".join))
def test_clinical_word_soup_never_raises(checker, text: str):
    _check_invariant(checker, text)
