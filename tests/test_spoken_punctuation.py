"""Notes dictated with their punctuation as words ("procedure colon removal of plate comma right
small finger period new line ..."), as raw speech recognition delivers them."""
from __future__ import annotations

import pytest

from notecheck.checker import Checker
from notecheck.rules import load_rules
from pipelines.spoken import SpokenMarks

RAW = (
    "operative note\n"
    "procedure colon removal of buried kay wires comma right ring finger middle phalanx period\n"
    "anesthesia colon digital block period\n"
    "history colon on may second I did a closed reduction and percutaneous pinning of his right ring finger "
    "middle phalanx with too k wires placed and cut short and buried comma and I told him they would come out "
    "in the operating room at four weeks period he is four weeks out and the fracture has healed period\n"
    "description colon a five millimeter stab incision over each wire end comma blunt spread comma both wires "
    "were found and pulled with a needle driver intact period fluoroscopy confirmed removal period\n"
)


@pytest.fixture(scope="module")
def spoken() -> SpokenMarks:
    return SpokenMarks(load_rules().normalization)


def test_the_view_writes_the_marks_in_and_keeps_every_offset(spoken: SpokenMarks) -> None:
    text = "procedure colon removal of plate comma right small finger period new line indication colon pain"
    view = spoken.punctuated(text)
    assert len(view) == len(text)
    assert view.startswith("procedure:") and "plate," in view and "finger." in view and "\n" in view
    assert view.index("indication:") == text.index("indication colon")


def test_a_new_paragraph_at_a_line_start_breaks_the_line(spoken: SpokenMarks) -> None:
    text = "history colon pain period\nnew paragraph Description colon the plate was removed period"
    view = spoken.punctuated(text)
    assert "\n\n" in view and view.rstrip().endswith("removed.")


def test_one_colon_in_a_written_note_is_the_bowel(spoken: SpokenMarks) -> None:
    text = "History: colon cancer 2019. Procedure: removal of K-wire, left ring finger."
    assert spoken.punctuated(text) is text


def test_a_global_period_stays_a_word(spoken: SpokenMarks) -> None:
    text = "procedure colon removal of plate comma within the global period comma left index"
    view = spoken.punctuated(text)
    assert "global period" in view and "removal of plate," in view


def test_a_raw_dictation_is_read_like_a_typed_note(checker: Checker) -> None:
    result = checker.check(RAW)
    assert result.procedure.suggested_cpt == "26320"
    assert {m for line in result.claim_lines for m in line.modifiers} == {"RT", "F8"}
    assert result.findings.planned_status.value == "planned"
    assert result.findings.approach.documented


def test_the_history_of_the_pinning_does_not_make_the_wires_provisional(checker: Checker) -> None:
    """Before: no header was found, so the wires 'placed' in the history read as placed and pulled in
    this same operation, and nothing counted as removed."""
    assert [i.type for i in checker.check(RAW).findings.implants] == ["k_wire"]


def test_a_spoken_comma_ends_a_negation_as_a_comma_does(checker: Checker) -> None:
    note = (
        "operative note period\n"
        "procedure colon left ring finger period\n"
        "findings colon pin sites clean with no drainage comma removed both k wires intact period\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_a_homophone_of_right_names_the_side(checker: Checker) -> None:
    note = RAW.replace("right ring finger middle phalanx period\nanesthesia", "rite ring finger middle phalanx period\nanesthesia")
    note = note.replace("of his right ring finger", "of his ring finger")
    assert checker.check(note).findings.laterality.value == "right"


def test_the_bowel_named_twice_is_not_dictated_punctuation(spoken: SpokenMarks) -> None:
    text = ("Rule out colon cancer. 2. Rule out colon polyps. The right colon was reflected by incising the "
            "white line of Toldt.")
    assert spoken.punctuated(text) is text
