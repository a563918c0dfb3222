"""A removal that is booked (and then not done) is not today's; a removal told as a step of another
procedure ("as part of the wrist arthrodesis") is integral to it (blind batch b62's failure classes)."""
from __future__ import annotations

from notecheck.checker import Checker


def _codes(checker: Checker, note: str) -> list[str]:
    return [line.cpt for line in checker.check(note).claim_lines]


def test_a_case_booked_for_removal_and_cancelled_codes_nothing(checker: Checker) -> None:
    note = (
        "THEATRE LIST  Tue 03/06/2025  #2 - CANCELLED\n"
        "9 y/o F, R middle finger P2 # CRPP 06/05/2025, booked for removal of buried K-wires under GA (planned 4/52).\n"
        "Temp 38.4 with a cough at pre-op check; anaesthetist cancelled. Rebooked next week.\n"
    )
    assert _codes(checker, note) == []


def test_a_plate_removed_as_part_of_a_wrist_arthrodesis_is_not_coded_apart(checker: Checker) -> None:
    note = (
        "Re: your billing query, R wrist, DOS 2025-03-11.\n"
        "The old volar distal radius plate and its screws came out through the same incision, as part of the total "
        "wrist arthrodesis; please bill the fusion only.\n"
    )
    assert _codes(checker, note) == []


def test_a_plate_removal_booked_and_done_the_same_day_is_still_coded(checker: Checker) -> None:
    note = (
        "Booked for removal of plate, left ring finger P1, under WALANT.\n"
        "Procedure: dorsal incision through the old scar, plate and 4 screws removed. Skin 5-0 nylon.\n"
    )
    assert _codes(checker, note) == ["26320"]


def test_the_alternative_not_taken_is_not_a_procedure_of_today(checker: Checker) -> None:
    note = (
        "Procedure: removal of K-wires x2, right ring finger P1, unplanned return to OR.\n"
        "Decision: return to OR for removal of both wires and buddy strapping rather than re-pinning.\n"
        "Description: under digital block both wires grasped and withdrawn, no incision needed.\n"
    )
    assert _codes(checker, note) == ["26320"]


def test_a_plate_at_an_old_ray_amputation_stump_is_removed_on_its_own(checker: Checker) -> None:
    note = (
        "Pre-op dx: symptomatic plate, right hand, s/p ring ray amputation with small metacarpal transposition (2023).\n"
        "Indications: the plate lies under the skin at the ray amputation stump and the EDQ rubs over it.\n"
        "Description: dorsal incision through the prior scar, plate and 4 screws removed. Closure 4-0.\n"
    )
    assert _codes(checker, note) == ["26320"]


def test_an_attending_addendum_that_no_anaesthetic_was_given_makes_it_a_clinic_pin_pull(checker: Checker) -> None:
    note = (
        "Hand clinic - procedure note (resident)\n"
        "S: 4 wks s/p CRPP L middle finger P1 fx. O: 2 exposed pins with caps, sites clean. XR healed.\n"
        "Procedure: Pin removal, L middle finger. Under digital block the 2 K-wires were removed with a needle driver.\n"
        "\n"
        "Attending addendum: I saw the patient with the resident. Correction: NO digital block or other anesthesia was "
        "given - the two exposed K-wires were simply pulled in the exam room, as planned at the pinning.\n"
    )
    assert _codes(checker, note) == []
    assert [a.value for a in checker.check(note).findings.anesthesia] == ["no_anesthesia"]
