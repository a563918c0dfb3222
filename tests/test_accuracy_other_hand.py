"""The other hand told beside the removal (blind batch b63's failure class): an old operation on
the other hand, or a side-like abbreviation, does not make a one-hand removal bilateral."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines as _lines


def test_the_other_hands_old_screw_told_beside_the_removal_is_not_a_second_site(checker: Checker) -> None:
    note = (
        "Procedure: removal of prominent headless screw, right small finger distal phalanx, digital block.\n"
        "Stab incision at the tip and the screw was backed out whole, as was done for his LEFT index DIP screw in 2020.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert _lines(checker, note) == [("26320", ["F9", "RT"])]


def test_both_hands_named_at_their_own_digits_stay_bilateral(checker: Checker) -> None:
    note = (
        "Procedure: removal of buried K-wires, right small finger and left index finger.\n"
        "Under WALANT a 4 mm incision was made over each wire end; the wires of the right small finger and of\n"
        "the left index finger were grasped and removed intact.\n"
    )
    assert checker.check(note).findings.laterality.value == "bilateral"


def test_lt_for_the_lunotriquetral_interval_is_not_the_left_side(checker: Checker) -> None:
    note = (
        "Procedure note. Right wrist. LT (lunotriquetral) pins x2, buried, from LT ligament repair 3 months ago.\n"
        "Local anesthesia. 6 mm incision over the pin tips, pins grasped and pulled, intact.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert all("LT" not in line.modifiers for line in result.claim_lines)


def test_a_wire_left_across_the_growth_plate_names_no_side(checker: Checker) -> None:
    note = (
        "OR note. 6 yo, R index P1 base SH II fx, CRPP 4 weeks ago with one buried smooth wire, planned to come out so it "
        "is not left across the physis.\n"
        "Under GA: 3 mm incision over the wire end, wire removed with a needle driver, intact.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert _lines(checker, note) == [("26320", ["F6", "RT"])]


def test_a_lieutenant_signing_is_not_the_left_side(checker: Checker) -> None:
    note = (
        "PROCEDURE NOTE\nShip's surgeon: LT [ ], MC, USN\n"
        "PROCEDURE: removal of 1 buried K-wire R long finger P1. Digital block, 1 cm incision, wire withdrawn intact.\n"
    )
    assert _lines(checker, note) == [("26320", ["F7", "RT"])]
