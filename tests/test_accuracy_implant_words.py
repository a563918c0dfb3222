"""Hardware named loosely (blind batch b70's failure class): a K with its article, wires named by
their size in inches, and the border digits of the hand."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines as _lines


def test_the_k_grasped_and_withdrawn_is_a_k_wire_removed(checker: Checker) -> None:
    note = (
        "Minor ops. Dx: s/p CRPP R ring finger P2 fx, the K cut below the skin at that op.\n"
        "Digital block. 3 mm stab over the palpable end of the K, K grasped w/ needle driver + withdrawn intact.\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["k_wire"]
    assert _lines(checker, note) == [("26320", ["F8", "RT"])]


def test_wires_named_by_their_size_in_inches(checker: Checker) -> None:
    note = (
        "Proc: removal of buried 0.062s, L thumb metacarpal base, local.\n"
        "5 mm incision over each palpable end; both 0.062s grasped and pulled, intact. 5-0 nylon.\n"
    )
    assert [i.type for i in checker.check(note).findings.implants] == ["k_wire"]
    assert _lines(checker, note) == [("26320", ["LT"])]


def test_the_ulnar_border_digit_is_the_small_finger(checker: Checker) -> None:
    note = (
        "Left hand, ulnar border digit: P1 fx pinned 6 weeks ago with 2 buried K-wires.\n"
        "Local + MAC. Two 4 mm incisions over the wire ends, wires pulled with a needle driver, intact.\n"
    )
    assert _lines(checker, note) == [("26320", ["F4", "LT"])]


def test_potassium_is_not_a_k_wire(checker: Checker) -> None:
    note = "Pre-op labs: the K was 3.9 and the Na 139. Plate and screws removed from the left ring finger P1 under WALANT.\n"
    assert [i.type for i in checker.check(note).findings.implants] == ["plate", "screw"]


def test_a_herbert_named_by_its_brand_alone(checker: Checker) -> None:
    note = (
        "Procedure: LEFT scaphoid - removal of Herbert. Anaes: GA.\n"
        "Op: volar approach through the previous scar, FCR sheath opened, capsule opened; the Herbert was backed out intact.\n"
    )
    assert [i.type for i in checker.check(note).findings.implants] == ["screw"]
    assert _lines(checker, note) == [("20680", ["LT"])]


def test_a_screw_reverse_driven_out_is_removed(checker: Checker) -> None:
    note = (
        "Surgeon's summary: R wrist, dorsal approach through the previous incision, capsulotomy. The headless screw "
        "was proud of the proximal pole. Screw reverse-driven out over a guidewire, intact. Capsule closed, skin.\n"
    )
    assert _lines(checker, note) == [("20680", ["RT"])]


def test_a_wire_out_through_an_incision_is_taken_out(checker: Checker) -> None:
    note = "10/2 proc rm. L ring P2 buried K-wire out through 4mm incision under digital block, intact. Healed.\n"
    assert _lines(checker, note) == [("26320", ["F3", "LT"])]


def test_wires_out_through_the_skin_still_only_stand_there(checker: Checker) -> None:
    note = "Post-op check L ring P2 CRPP: K-wires out through the skin, sites clean. Removal at 4 weeks.\n"
    assert checker.check(note).procedure.suggested_cpt is None
