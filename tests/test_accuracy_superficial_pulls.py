"""Pins pulled through the skin away from the hand (blind batches b77/b79's failure class): under
anaesthesia in the OR they are a superficial removal (20670), never a deep one; in clinic with the
anaesthetic and the sedation both denied they are no removal code at all."""
from __future__ import annotations

from notecheck.checker import Checker


def test_percutaneous_radius_pins_pulled_under_ga_are_superficial(checker: Checker) -> None:
    note = (
        "Paediatric trauma list. Operation: removal of percutaneous K-wires x2, left distal radius, under mask GA.\n"
        "9 yo, CRPP 4 weeks ago, wires left proud with caps; too anxious for clinic removal. XR healed.\n"
        "Procedure: cast off, caps off, both wires withdrawn with pliers through the pin sites. No incision.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20670"


def test_a_radius_plate_is_still_deep(checker: Checker) -> None:
    note = (
        "Operation: removal of volar plate and 7 screws, left distal radius, under GA in the main theatre.\n"
        "Previous FCR incision reopened, pronator quadratus elevated, plate and screws removed. Layered closure.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20680"


def test_pins_pulled_in_clinic_without_anaesthesia_or_sedation_are_no_removal_code(checker: Checker) -> None:
    note = (
        "Peds clinic. 6 wks s/p CRPP R distal radius, 2 exposed K-wires with caps. Cast off, XR healed.\n"
        "Pins removed in clinic today with pliers, no anesthesia/sedation, as planned. Band-aids.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_finger_plate_and_a_separate_radius_plate_code_the_finger_as_26320(checker: Checker) -> None:
    note = (
        "PROCEDURES: 1. Removal of volar plate and screws, right distal radius. 2. Removal of plate and screws, right "
        "small finger proximal phalanx.\nANESTHESIA: General.\n"
        "The previous FCR approach was reopened, nine screws and the plate removed. Then through the prior ulnar midaxial "
        "incision of the small finger the plate and six screws were removed.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert "wrist_hand_ambiguity" in result.procedure.flags
    # The radius is a distinct anatomic site with a line of its own (deep plate: 20680).
    assert [(line.cpt, sorted(line.modifiers)) for line in result.claim_lines] == [("26320", ["F9", "RT"]), ("20680", ["RT"])]


def test_wires_from_two_metacarpals_removed_are_a_removal(checker: Checker) -> None:
    note = (
        "OPERATIVE NOTE. Left 4th and 5th metacarpal fractures, intramedullary K-wires last June, united.\n"
        "Anesthesia: regional. Two small incisions over the MC bases; 1 wire from 4th MC and 2 wires from 5th MC removed.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_pins_pulled_in_clinic_after_a_crpp_done_in_theatre_are_no_removal_code(checker: Checker) -> None:
    note = (
        "ORTHO CLINIC - PROCEDURE NOTE\n"
        "4/52 post CRPP of R) ring finger P1 fracture done in theatre 17/05/2024. Pins left out of skin with caps.\n"
        "No anaesthesia given. Pin caps off, both K-wires pulled out with pliers at the bedside in clinic.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_mini_fixator_taken_down_under_ga_flags_20694(checker: Checker) -> None:
    note = (
        "Paeds hand theatre 26/03/2024 - removal of mini external fixator, R index finger.\n"
        "Mini ex-fix applied 6 weeks ago for a comminuted P1 fracture.\n"
        "GA. Clamps and bar removed, 4 pins unscrewed percutaneously. Fracture united.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert "20694" in result.procedure.flags


def test_elbow_wires_dissected_down_to_bone_are_deep_and_at_index_is_no_finger(checker: Checker) -> None:
    note = (
        "Op Note - Peds Ortho. 6 y/o boy, LEFT elbow. ORIF lateral condyle 6 weeks ago with 2 smooth K-wires cut short "
        "and buried; removal in OR at 6 wks planned at index.\nGA via mask then LMA.\n"
        "Through the distal 2 cm of the previous lateral scar, dissection through subcutaneous tissue and the "
        "brachioradialis/ECRL interval down to the lateral metaphysis where both wire ends sat against bone. Each "
        "grasped with a heavy needle driver and withdrawn. Closure 4-0 Monocryl.\n"
        "Removal of deep implants (2 K-wires), left lateral humeral condyle.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "20680"
    assert result.findings.digits == []


def test_pins_pulled_in_clinic_without_anaesthesia_or_sedation(checker: Checker) -> None:
    note = (
        "CLINIC NOTE. 5yo, RIGHT supracondylar humerus fx, CRPP 3 weeks ago with 3 K-wires left out through skin.\n"
        "All 3 pins pulled in clinic without anesthesia or sedation; pins intact. Band-aids.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None
