"""Episode-of-care documents: a course told one dated entry a line. The entry on the encounter's own
date is the operation; earlier entries are its history and later ones its follow-up, whatever
verbs they hold."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines

_APPEAL = """\
RIVERSIDE HAND SURGERY
Request for reconsideration
Member: [name]    Claim date of service: 03/14/2025

The chart below shows the sequence.

02/20/2025 - Crush injury, right middle finger, displaced P2 shaft fracture.
02/22/2025 - CRPP right middle finger P2, two K-wires cut short and buried. Plan: wires out at 5 weeks.
03/12/2025 - Clinic: radial wire backed out 5 mm, tenting the skin at the PIP, painful. Exam: no drainage.
03/14/2025 - Unplanned return to the procedure room for removal of the migrated wire only. Digital block, 4 mm incision, wire withdrawn intact. 5-0 nylon.
03/28/2025 - Sutures out.
04/02/2025 - Remaining wire removed in the procedure room as originally planned (separate claim).
"""


def test_the_entry_on_the_date_of_service_is_the_operation(checker: Checker) -> None:
    result = checker.check(_APPEAL)
    assert result.procedure.suggested_cpt == "26320"
    assert claim_lines(checker, _APPEAL) == [("26320", ["F7", "RT"])]
    # The entries before it are history: the fixation placed nothing today.
    assert [i.type for i in result.findings.implants] == ["k_wire"]


def test_a_removal_told_in_an_earlier_entry_is_history(checker: Checker) -> None:
    note = """\
Hand clinic - follow up
Visit date: 11/12/2024

Timeline:
 08/01/2024  fall, L ring finger P1 fracture
 08/05/2024  CRPP L ring finger P1, two K-wires, cut + buried
 09/03/2024  OR - removal of buried K-wires L ring finger, both wires out intact
 10/15/2024  PIP stiff, splint started
 11/12/2024  today

Subjective: stiff at the PIP, no pain.
Plan: continue splinting, RTC 8 wks.
"""
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert result.findings.implants == []


def test_an_entry_marked_today_is_the_encounter_without_a_dated_label(checker: Checker) -> None:
    # A guard: the timeline files the entries before "(today)" as history, and the removal stays.
    note = """\
Office procedure note - Ortho Hand
Background: right index P1 fracture, CRPP 08/23/2021 with two buried K-wires.
2022-2023: no problems.
05/28/2024: tender lump over the index P1, the retained wire end palpable.
06/25/2024 (today): removal of the retained K-wire, right index finger.
  Digital block. 5 mm incision over the wire end, wire withdrawn intact. 5-0 nylon.
"""
    assert claim_lines(checker, note) == [("26320", ["F6", "RT"])]


def test_a_date_that_opens_a_wrapped_line_is_no_entry(checker: Checker) -> None:
    # A guard: "... ORIF on\n06/12/2023 (Dr. X). Fx healed" is the history sentence wrapping, not a
    # timeline entry, and the history stays one section.
    note = """\
Date of surgery: 09/18/2025
PROCEDURE: Removal of plate and screws, left index finger proximal phalanx.
HPI: fracture of the left index P1 treated with ORIF with a 1.5 mm plate and 6 screws on
06/12/2023 (Dr. X). Fx healed, but she has dorsal pain over the plate with gripping.
  2018  R thumb CRPP, wires removed 2018
  2020  R first dorsal compartment release
DESCRIPTION: through the old incision the plate and six screws were removed intact.
"""
    result = checker.check(note)
    assert claim_lines(checker, note) == [("26320", ["F1", "LT"])]
    assert "pain" in {i.value for i in result.findings.indications}


def test_the_claims_date_of_service_names_the_entry_in_a_letter_dated_later(checker: Checker) -> None:
    # A letter of 3/20 that tells the removal of 3/12: billed for 3/12, that entry is the operation.
    from datetime import date

    from notecheck.models import ClaimContext

    note = """\
March 20, 2024
Dear Dr. B,
A summary of her course with us, in date order:

02/01/2024  Seen after a fall. Spiral fx L small finger proximal phalanx.
2/3/2024  CRPP L small finger P1 (me). Two K-wires cut short and buried. Plan: out at 5-6 weeks.
02/16/2024  Wound check, wire ends quiet.
3/12/2024  Back to the OR as planned for removal of the buried wires. Under local, small incisions over each wire end, both K-wires removed intact.
3/20/2024 (today)  Incisions healing, sutures out.
"""
    claim = ClaimContext(removal_date=date(2024, 3, 12), index_surgery_date=date(2024, 2, 3))
    result = checker.check(note, claim)
    assert result.procedure.suggested_cpt == "26320"
    assert sorted(m.code for m in result.modifiers) == ["58", "F4", "LT"]
    # Without the claim, the letter's own "today" is the encounter: a follow-up visit.
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_timeline_run_together_on_one_line_is_read_entry_by_entry(checker: Checker) -> None:
    # A follow-up letter with every line break gone: a date right after a sentence end opens an
    # entry, and the removal told in an earlier entry stays history.
    note = (
        "Hand clinic letter. Date of visit: 11/12/2024. Timeline: 08/01/2024 fall, L ring finger P1 fracture. "
        "08/05/2024 CRPP L ring finger P1, two K-wires cut and buried. 09/03/2024 OR, removal of the buried "
        "K-wires, both wires out intact. 10/15/2024 PIP stiff, splint started. 11/12/2024 today: stiff at the "
        "PIP, no pain. Continue splinting."
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_an_act_dated_on_the_claims_own_date_of_service_is_this_encounter(checker: Checker) -> None:
    from datetime import date

    from notecheck.models import ClaimContext

    thread = (
        "Billing hold - message thread\n"
        "[06/16/2025 09:02] Coding: DOS 06/12/2025, 26320-LT billed for L 5th MC plate removal. Related to the "
        "trigger finger release of 05/06/2025?\n"
        "[06/16/2025 12:47] Dr. S: unrelated. Plate is from her 2022 boxer's fx ORIF (healed), prominent and aching. "
        "Took out plate + 4 screws via the old incision on {day}.\n"
    )
    claim = ClaimContext(removal_date=date(2025, 6, 12))
    assert checker.check(thread.format(day="06/12"), claim).procedure.suggested_cpt == "26320"
    assert checker.check(thread.format(day="6/12/2025"), claim).procedure.suggested_cpt == "26320"
    # Dated another day, the same act is history.
    assert checker.check(thread.format(day="03/02"), claim).procedure.suggested_cpt is None
