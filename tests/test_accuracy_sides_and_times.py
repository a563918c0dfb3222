"""Words that tell which hand and which time a mention belongs to: a template's field for the other
hand left empty or normal names no side; an operation called "recent" was done before, one told
with the interval before it is still to come; a wrapped title goes on over its colon."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_hand_field_left_empty_or_normal_names_no_side(checker: Checker) -> None:
    note = (
        "Procedure note 4/2/2025\n"
        "Scheduled: removal of buried K-wire, right ring finger P1 (R RF)\n"
        "Digital block, 3 mm incision over the wire end, wire withdrawn intact. Steri-strips.\n"
        "{line}\n"
    )
    for line in ("Left hand: n/a.", "L hand hx: none.", "Bilat hands otherwise nl.", "Left UE: WNL"):
        text = note.format(line=line)
        assert checker.check(text).findings.laterality.value == "right", line
        assert claim_lines(checker, text) == [("26320", ["F8", "RT"])], line
    # The operated hand's own exam is no empty field: its side stands.
    exam = note.replace("Scheduled: removal of buried K-wire, right ring finger P1 (R RF)", "Scheduled: wire removal, ring finger P1")
    text = exam.format(line="Right hand: normal sensation, K-wire tip prominent over the ring finger P1.")
    assert checker.check(text).findings.laterality.value == "right"


def test_an_operation_called_recent_was_done_before_this_one(checker: Checker) -> None:
    note = (
        "PREOP DX: PROMINENT SCREW, RIGHT THUMB DISTAL PHALANX (HEALED TUFT FX, ORIF 2023)\n"
        "PROCEDURE: REMOVAL OF SCREW, RIGHT THUMB DISTAL PHALANX\n"
        "INDICATIONS: 6 WEEKS OUT FROM A LEFT THUMB CMC ARTHROPLASTY BY ME. THE RIGHT THUMB SCREW HEAD IS "
        "PROMINENT UNDER THE PULP AND PAINFUL WITH PINCH.\n"
        "PROCEDURE: TIME OUT ON THE OPERATIVE THUMB (CONTRALATERAL TO THE {word} CMC ARTHROPLASTY). DIGITAL "
        "BLOCK. 5 MM INCISION OVER THE SCREW HEAD, SCREW REMOVED INTACT. 5-0 NYLON.\n"
    )
    assert checker.check(note.format(word="RECENT")).procedure.suggested_cpt == "26320"
    # Without the word, the arthroplasty in the description reads as part of this operation.
    assert checker.check(note.format(word="")).procedure.suggested_cpt is None


def test_an_operation_told_with_the_interval_before_it_is_still_to_come(checker: Checker) -> None:
    note = (
        "Indications: broken silicone PIP implant, right long finger, with synovitis and bone loss. We "
        "discussed the options; she chose removal today and a PIP fusion {when}once the synovitis settles.\n"
        "Procedure: dorsal approach, the fractured implant was removed in two pieces, synovectomy. Closed.\n"
    )
    for when in ("in about 3 months ", "in 6-8 wks ", "in several months "):
        text = note.format(when=when)
        assert checker.check(text).procedure.suggested_cpt == "26320", when
    # Told without a time, the fusion may be today's: the removal is part of it.
    assert checker.check(note.format(when="")).procedure.suggested_cpt is None


def test_a_wrapped_title_goes_on_over_a_colon_in_its_next_line(checker: Checker) -> None:
    # Hard-wrapped at ~70 columns: "arthroplasty left index MCP joint: removal of ..." carries the
    # title on; a lower-case line opening with five words and a colon is no header.
    note = (
        "OPERATIVE NOTE 12/02/2025 SURGEON Dr. Valentina Mirelle-Oduya PREOP DX\n"
        "fractured silicone implant left index finger MCP joint with recurrent\n"
        "ulnar drift, rheumatoid arthritis POSTOP DX same PROCEDURE revision\n"
        "arthroplasty left index MCP joint: removal of fractured silicone implant\n"
        "and insertion of new silicone implant (size 3), with extensor recentralization\n"
        "ANESTHESIA axillary block + sedation. The fractured implant was removed in two\n"
        "pieces from the canals, which were broached. New implant seated. Skin closed.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert "arthroplasty" in result.procedure.reason


def test_the_other_hand_told_of_another_problem_leaves_a_visit_one_side(checker: Checker) -> None:
    # No removal today (a follow-up visit): the site is still one hand
    # when its own digit is named with one side and the other side names another digit or part.
    follow_up = (
        "F/u visit 9/8/2025. Seen 14 wks after removal of plate + 4 screws L IF P1 on 6/2/2025: healed, full fist.\n"
        "She asks about the R hand ganglion - small dorsal wrist ganglion, observe.\n"
        "Plan: release to full activity.\n"
    )
    assert checker.check(follow_up).findings.laterality.value == "left"


def test_both_options_of_a_booked_choice_are_possibilities(checker: Checker) -> None:
    note = (
        "PREOPERATIVE DIAGNOSIS: Deep infection, left ring finger PIP silicone arthroplasty.\n"
        "PROCEDURE PLANNED (booking): Revision arthroplasty left ring finger PIP joint vs implant removal.\n"
        "PROCEDURE PERFORMED: Removal of infected silicone PIP implant, left ring finger. No implant placed.\n"
        "DESCRIPTION: Dorsal approach, purulent effusion, the implant was removed in one piece, synovectomy, "
        "irrigation. Antibiotic spacer not used. Closed loosely.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    # Booked and done, the revision makes the removal part of it.
    revised = note.replace(" vs implant removal", "").replace(
        "No implant placed.", "Revision arthroplasty, new size 2 silicone implant placed.")
    assert checker.check(revised).procedure.suggested_cpt is None
