"""Failure classes blind batches b95-b97 showed: a plan told as explained to the patient at the index
operation, "programmed" for "planned" in a Latin-trained surgeon's English, "right" meaning "just"
("right under the skin"), a side letter before "pinky", and notes whose line breaks an HL7 export
left as "~" or "\\.br\\"."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def _planned(checker: Checker, note: str) -> object:
    return checker.check(note).findings.planned_status.value


def test_a_plan_explained_to_the_patient_at_the_index_is_the_plan(checker: Checker) -> None:
    note = (
        "Pre-op Dx: CRIF with 2 K-wires L middle finger P1 fracture 10 days after a fall, done 02-03-2025. Wires buried. "
        "Removal at 4 weeks under block - this was explained to the patient at the time of the first surgery.\n"
        "Procedure: wrist block, stab incision over the wire ends, both K-wires extracted with plier. Fracture united.\n"
    )
    assert _planned(checker, note) == "planned"


def test_a_risk_explained_is_still_no_indication(checker: Checker) -> None:
    note = (
        "Procedure: removal of 2 buried K-wires, right ring finger P1, under digital block, through a 5 mm incision.\n"
        "Indication: fracture healed, planned removal at 5 weeks. Infection and stiffness were explained as risks.\n"
    )
    result = checker.check(note)
    assert result.findings.planned_status.value == "planned"
    assert "infection" not in [i.value for i in result.findings.indications]


def test_programmed_is_planned(checker: Checker) -> None:
    note = (
        "Diagnosis: fracture of base of first metacarpal left hand, osteosynthesis with 2 Kirschner wires in 03/2024. "
        "The removal of the wires was programmed since the first surgery.\n"
        "Procedure: under local anaesthesia, incision of 1 cm over the wires, both removed with plier. Fracture consolidated.\n"
    )
    assert _planned(checker, note) == "planned"


def test_right_under_the_skin_is_no_side(checker: Checker) -> None:
    note = (
        "Procedure note 3/5/2025\n"
        "Procedure: Removal of buried K-wire, L distal small finger (middle phalanx)\n"
        "Indication: wire end poking under the skin, catches on clothing.\n"
        "Digital block. 5 mm incision directly over the palpable end; the wire lay right under the dermis, grasped "
        "with a hemostat and pulled, intact. Closed with one 5-0 nylon.\n"
    )
    assert checker.check(note).findings.laterality.value == "left"
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]


def test_on_the_right_through_the_scar_keeps_its_side(checker: Checker) -> None:
    note = (
        "Bilateral removal of plates, index metacarpals. On the right through the old scar the plate and 4 screws were "
        "removed; on the left through the old scar the same.\n"
    )
    assert checker.check(note).findings.laterality.value == "bilateral"


def test_a_side_letter_before_pinky(checker: Checker) -> None:
    note = (
        "Office procedure. Problem: screw backing out, R pinky.\n"
        "Digital block, 8 mm incision over the screw head at the proximal phalanx, screw unscrewed and removed intact.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def test_a_note_joined_with_hl7_tildes(checker: Checker) -> None:
    # Read as one line, the history sentence ran on over the whole description and no removal was found.
    note = (
        "PROCEDURE NOTE~Date: 06/02/2025~Location: clinic procedure room~Procedure: removal of buried K-wire, ring "
        "finger (distal phalanx)~Surgeon: [Attending]~~Pt is 5 wk s/p percutaneous pinning of a bony mallet injury of "
        "the L ring finger 04/28/2025 - one 0.035 K-wire passed retrograde across the DIP into the middle phalanx, cut "
        "and buried under the pulp skin; removal at 5 weeks was planned then.~XR today: united.~Digital block 1% lido "
        "plain 3 mL, finger tourniquet. 3 mm incision at the tip over the wire end, wire grasped and removed intact. "
        "1 x 5-0 nylon.~No complications."
    )
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]
    assert _planned(checker, note) == "planned"


def test_a_note_with_hl7_break_escapes(checker: Checker) -> None:
    note = (
        "OPERATIVE NOTE\\.br\\PROCEDURE: Removal of plate and screws, left 4th metacarpal\\.br\\"
        "INDICATIONS: healed fracture, plate prominent and painful\\.br\\\\.br\\DESCRIPTION: Under regional block "
        "the old dorsal incision was reopened, the plate and 5 screws removed intact."
    )
    result = checker.check(note)
    assert claim_lines(checker, note) == [("26320", ["LT"])]
    assert result.findings.laterality.value == "left"
