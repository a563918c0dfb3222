"""How the hardware was reached, told in plain words (blind batch b74-b76's failure class): wires
drawn out with the instrument that grips their end, an incision in shorthand or called a cut."""
from __future__ import annotations

from notecheck.checker import Checker


def _approach(checker: Checker, note: str) -> tuple:
    a = checker.check(note).findings.approach
    return a.documented, a.type, a.incision_documented


def test_wires_extracted_with_pliers_after_the_caps_came_off(checker: Checker) -> None:
    note = (
        "Procedure room, L ring finger P1 fx 5 wks post CRPP, healed on XR.\n"
        "Digital block. Caps removed and both wires extracted using pliers, intact. Dressing.\n"
    )
    assert _approach(checker, note) == (True, "percutaneous", False)


def test_a_wire_spun_out_on_the_driver_in_reverse(checker: Checker) -> None:
    note = (
        "Removal of K-wires R small finger under WALANT in the minor op room.\n"
        "Both wires withdrawn with the wire driver in reverse, intact. Sterile dressing, buddy tape.\n"
    )
    assert _approach(checker, note) == (True, "percutaneous", False)


def test_half_pins_backed_out_with_the_chuck(checker: Checker) -> None:
    note = (
        "Ex-fix removal, right thumb metacarpal, under a wrist block. Frame clamps loosened, bars off; "
        "each of the four half-pins backed out with the T-handle chuck. Pin sites dressed.\n"
    )
    assert _approach(checker, note)[:2] == (True, "percutaneous")


def test_an_incision_in_shorthand(checker: Checker) -> None:
    note = "Op: ROH plate L 4th MC. GA. 3 cm inc over prev scar, EDC retracted, plate + 4 screws out. Closed 4-0.\n"
    assert _approach(checker, note) == (True, "open", True)


def test_a_cut_told_in_plain_words(checker: Checker) -> None:
    note = (
        "Today I took out the buried wire from her left index finger under a ring block. I made a cut 5 mm long "
        "over the wire, found its end and pulled it out.\n"
    )
    assert _approach(checker, note) == (True, "open", True)


def test_a_screw_turned_out_with_a_plain_driver_gives_no_way_in(checker: Checker) -> None:
    note = "Screw removal R middle finger P1: the screw was backed out with the driver. Fx healed.\n"
    assert _approach(checker, note)[1] != "percutaneous"


def test_a_wire_pulled_with_pliers_in_a_numbered_theatre_is_still_a_removal_in_the_or(checker: Checker) -> None:
    # Pliers say how the wire came out; the theatre says where. Not a clinic pin pull.
    note = (
        "Trauma list, theatre 3\n"
        "Dx: migrated K-wire R middle finger P2\n"
        "Op: wire removed with pliers through its own track, second wire also removed. Dressing + splint.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert result.findings.approach.type == "percutaneous"
