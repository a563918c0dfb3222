"""Line breaks a fixed-width export put inside sentences are read as spaces (pipelines/wraps.py);
a writer's own line breaks are kept; evidence is still quoted from the note as written."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notecheck.evaluation.perturb import wrap
from pipelines.wraps import Unwrapper

NOTE = (
    "OPERATIVE REPORT\n\n"
    "PREOPERATIVE DIAGNOSIS: Symptomatic hardware, left small finger middle phalanx, healed fracture.\n"
    "PROCEDURE: Removal of two screws from the left small finger middle phalanx.\n"
    "ANESTHESIA: Wrist block with sedation.\n\n"
    "DESCRIPTION: After a time-out the left arm was prepped and draped and a tourniquet inflated. An ulnar "
    "midaxial incision through the previous scar exposed the middle phalanx while the ulnar digital nerve "
    "was protected. The two screws were backed out over a guide wire and removed intact. The nail plate was "
    "not disturbed. Fluoroscopy showed a healed fracture and no retained hardware. Skin closed with 5-0 nylon.\n"
)


# The same note as a transcription service printed it, 60 columns, with breaks inside "guide
# wire", "nail plate" and "left small finger".
WRAPPED = """OPERATIVE REPORT

PREOPERATIVE DIAGNOSIS: Symptomatic hardware, left small
finger middle phalanx, healed fracture.
PROCEDURE: Removal of two screws from the left small
finger middle phalanx.
ANESTHESIA: Wrist block with sedation.

DESCRIPTION: After a time-out the left arm was prepped and
draped and a tourniquet inflated. An ulnar midaxial
incision through the previous scar exposed the middle
phalanx while the ulnar digital nerve was protected. The
two screws were backed out over a guide wire and removed
intact. The nail plate was not disturbed. Fluoroscopy
showed a healed fracture and no retained hardware. Skin
closed with 5-0 nylon.
"""


def fixed_width(text: str, width: int) -> str:
    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)) if line else ""
        for line in text.split("\n")
    )


@pytest.fixture(scope="module")
def unwrap(checker) -> Unwrapper:
    return checker.unwrap


def test_a_wrapped_paragraph_is_read_as_one_line_of_the_same_length(unwrap) -> None:
    assert WRAPPED.split() == NOTE.split()
    read = unwrap(WRAPPED)
    assert len(read) == len(WRAPPED)
    assert "small finger middle phalanx, healed" in read and "over a guide wire" in read
    assert "The two screws were backed out" in read
    # Lines the writer broke stay broken: before a header, at a blank line, after a sentence.
    assert "\nPROCEDURE: Removal" in read and "\n\nDESCRIPTION:" in read and "phalanx.\nANESTHESIA" in read
    assert "intact. The nail plate" in read and "Fluoroscopy showed" in read
def test_lines_typed_one_by_one_are_left_alone(unwrap) -> None:
    typed = (
        "Clinic procedure note\n"
        "pt back after crpp of the right small finger 6 weeks ago\n"
        "pin site crusted, no cellulitis\n"
        "xr united\n"
        "both pins pulled in clinic w/o anaesthesia\n"
        "f/u 2 wks\n"
    )
    assert unwrap(typed) is typed
    listed = fixed_width(NOTE, 60).replace("The two screws", "- The two screws")
    assert "- The two screws" in unwrap(listed)  # a bullet opens its own line


def test_a_note_cut_by_characters_mid_word_is_read_as_it_is(unwrap) -> None:
    flat = NOTE.replace("\n", " ")
    cut = "\n".join(flat[i:i + 50] for i in range(0, len(flat), 50))
    assert unwrap(cut) is cut


def test_the_wrap_transformation_is_seeded_and_keeps_every_word() -> None:
    once, again = wrap(NOTE, 3), wrap(NOTE, 3)
    assert once == again and once.split() == NOTE.split()
    assert max(map(len, once.split("\n"))) <= 72 < max(map(len, NOTE.split("\n")))


@pytest.mark.parametrize("width", [0, 48, 72])
def test_a_wrapped_note_checks_as_the_note_does_with_evidence_quoted_as_written(checker, width: int) -> None:
    wrapped = fixed_width(NOTE, width) if width else WRAPPED
    plain, folded = checker.check(NOTE), checker.check(wrapped)
    assert [(line.cpt, line.modifiers) for line in folded.claim_lines] == [("26320", ["LT", "F4"])]
    assert [(line.cpt, line.modifiers) for line in folded.claim_lines] == [(l.cpt, l.modifiers) for l in plain.claim_lines]
    assert [i.type for i in folded.findings.implants] == ["screw"]  # not the guide wire, not the nail plate
    assert [d.value for d in folded.findings.digits] == ["small"]
    evidence = [e for f in (*folded.findings.implants, *folded.findings.digits, *folded.findings.bones) for e in f.evidence]
    assert evidence and all(wrapped[e.start:e.end] == e.text for e in evidence)
    if not width:
        assert "small\nfinger" in {e.text for e in evidence}  # quoted as written, line break and all


def test_a_break_inside_a_phrase_of_the_rules_is_a_wrap_even_in_a_short_note(checker, unwrap) -> None:
    note = "Procedure: Removal of hardware, right small\nfinger middle phalanx (2 screws). Local.\nTolerated well.\n"
    assert unwrap(note) == note.replace("small\nfinger", "small finger", 1)
    lines = [(line.cpt, sorted(line.modifiers)) for line in checker.check(note).claim_lines]
    assert lines == [("26320", ["F9", "RT"])]
    # Two words that no phrase joins keep the writer's break: "finally back" | "pin site crusted".
    typed = "pt no show x2 after crpp rt sf p1 finally back\npin site crusted no cellulitis\nxr united\n"
    assert unwrap(typed) is typed


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab fingr.:-\n\t\x0c\u00a0\u2003(", max_size=120))
def test_any_text_is_read_at_the_same_length_with_only_line_breaks_turned_to_spaces(text: str) -> None:
    unwrap = Unwrapper(["the"], frozenset({("small", "finger"), ("a", "b")}), slack=4, min_full_lines=2)
    read = unwrap(text)
    assert len(read) == len(text)
    assert all(a == b or (a == "\n" and b == " ") for a, b in zip(text, read))


def test_a_wrapped_parenthesis_goes_on_and_a_lettered_item_opens_a_line() -> None:
    unwrap = Unwrapper([], frozenset(), slack=16, min_full_lines=3)
    note = (
        "theatre 2025-10-08 - staged removal buried kw R thumb P1\n"
        "(x2) + R index P1 (x2), CRPP of both 09-10, planned\n"
        "at 4wk. LA + tourniquet, 4 small incisions, all 4 wires\n"
        "out ok\n"
        "(a) thumb wires out intact, (b) index wires out intact\n"
    )
    read = unwrap(note)
    assert "kw R thumb P1 (x2) + R index" in read and "out ok\n(a) thumb" in read


def test_a_tab_between_words_of_an_export_reads_as_a_space(checker) -> None:
    # A tab-delimited export run together: the "index" key stands beside "ORIF" with a tab between,
    # the index operation's field, not the index finger.
    note = (
        "OPNOTE_EXPORT key\tvalue dos\t08/06/2024 proc\tRemoval of hardware left 5th metacarpal "
        "dx\tretained plate, healed fracture, hardware pain index\tORIF left 5th MC fracture 02/20/2023 anes\tGA "
        "narr\tprior incision, 6-hole plate + 6 screws removed. Closed 4-0 nylon.\n"
    )
    result = checker.check(note)
    assert result.findings.digits == []
    assert [(line.cpt, sorted(line.modifiers)) for line in result.claim_lines] == [("26320", ["LT"])]
    assert all("\t" not in e.text or e.text == note[e.start:e.end] for f in result.findings.bones for e in f.evidence)


def test_escaped_breaks_keep_every_offset_and_every_about() -> None:
    from pipelines.wraps import escaped_breaks

    joined = "NOTE~Date: 1/2/25~Procedure: removal~wire ~4 mm long, ~ 30 min~Done"
    read = escaped_breaks(joined)
    assert len(read) == len(joined)
    assert read.split("\n") == ["NOTE", "Date: 1/2/25", "Procedure: removal", "wire ~4 mm long, ~ 30 min", "Done"]
    # Two tildes are no export's separators; a note with its lines already broken keeps them.
    assert escaped_breaks("about ~ this~that") == "about ~ this~that"
    escaped = "A\\.br\\B"
    assert escaped_breaks(escaped) == "A    \nB" and len(escaped_breaks(escaped)) == len(escaped)
    plain = "no escapes here"
    assert escaped_breaks(plain) is plain
