"""Uncorrected speech recognition writes real words for the ones said ("lift" for left, "played" for
plate, "scrubs" for screws). Each is read as the word meant only beside words that show it."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines

_DICTATED = ("Procedure colon removal of buried kay wires lift index finger proximal phalanx period "
             "two small incisions were made over the why are ends comma both kay wires were pulled with a needle "
             "driver intact period flora scopy healed fracture no hardware period five oh nylon period")


def test_lift_and_write_before_a_hand_word_are_the_sides(checker: Checker) -> None:
    assert claim_lines(checker, _DICTATED) == [("26320", ["F1", "LT"])]
    right = _DICTATED.replace("lift index", "write small")
    assert claim_lines(checker, right) == [("26320", ["F9", "RT"])]


def test_lift_and_write_keep_their_own_sense_elsewhere(checker: Checker) -> None:
    # A guard (passes before and after): the context words keep ordinary "lift" and "write" as written.
    note = ("Removal of K-wire, left ring finger, digital block, wire pulled intact. Told not to lift anything heavy "
            "for two weeks; will write a note for work.")
    result = checker.check(note)
    assert result.findings.laterality.value == "left" and claim_lines(checker, note) == [("26320", ["F3", "LT"])]


def test_played_and_scrubs_beside_hardware_words_are_plate_and_screws(checker: Checker) -> None:
    note = ("Procedure colon removal of the played and four scrubs write small finger meta carpal period "
            "the old incision was opened comma the played was exposed and all four scrubs were removed comma "
            "one scrub head sheared off period closed with four oh nylon period")
    result = checker.check(note)
    assert sorted(i.type for i in result.findings.implants) == ["plate", "screw"]
    assert claim_lines(checker, note) == [("26320", ["RT"])]


def test_a_scrub_nurse_is_no_screw(checker: Checker) -> None:
    # A guard: "scrub" before "nurse" keeps its own sense.
    note = "Carpal tunnel release, left, under local. The scrub nurse counted all sponges; skin closed with 4-0 nylon."
    result = checker.check(note)
    assert result.findings.implants == [] and result.procedure.suggested_cpt is None


def test_know_before_a_finding_is_the_negation_heard_wrong(checker: Checker) -> None:
    note = ("CRPP right ring finger P1 with 2 kay wires cut and buried, with the stated plan of removal in the operating "
            "room at 4 weeks period. Exam shows know evidence of infection comma know drainage period. Procedure colon "
            "two stab incisions, both kay wires pulled intact period")
    values = [i.value for i in checker.check(note).findings.indications]
    assert "infection" not in values and "staged_removal" in values


def test_a_return_to_the_or_told_as_the_plan_is_the_staged_removal(checker: Checker) -> None:
    note = ('Dx: R middle finger P2 shaft fracture s/p CRPP with 2 buried K-wires. Pre-op note from that day: "wires cut '
            'below skin, will return to OR ~4 wks for removal."\nProcedure: removal of buried K-wires x2 through stab '
            'incisions, right middle finger.\n')
    assert checker.check(note).findings.planned_status.value == "planned"
