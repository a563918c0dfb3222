"""The index operation's plan to take the fixation out, told in the ways blind batches b74-b82
showed (58, not 78): 'Plan at index: ...', an op note quoted in shorthand, 'the plan at the time of
the fusion', and a blank left for a surgeon's name that is not an unticked box."""
from __future__ import annotations

from notecheck.checker import Checker


def _planned(checker: Checker, note: str) -> object:
    return checker.check(note).findings.planned_status.value


def test_plan_at_index_told_in_the_indication(checker: Checker) -> None:
    note = (
        "Operation performed: removal of K-wires, right ring finger P1\n"
        "Indication: P1 fracture, CRIF 3/2 with 2 buried K-wires. Plan at index: metalwork out at 4 weeks under LA.\n"
        "Procedure: WALANT, 2 stab incisions, wires removed intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_the_index_op_note_quoted_in_shorthand(checker: Checker) -> None:
    note = (
        "Operation performed: removal of K-wires L thumb MC base\n"
        'Indication: Bennett fracture, CRIF 11/02 with 2 buried K-wires. Index op note: "remove wires 5 weeks, theatre".\n'
        "Procedure: 2 x 5 mm incisions, wires withdrawn intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_the_plan_at_the_time_of_the_fusion(checker: Checker) -> None:
    note = (
        "Procedure room note. DIP fusion of the left ring finger 10 weeks ago with one buried K-wire; the plan at the "
        "time of the fusion was to bring her back for removal of the wire once fused. Fused on XR.\n"
        "Digital block, 4 mm incision at the tip, wire removed intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_a_wire_removed_weeks_ago_is_no_plan(checker: Checker) -> None:
    note = (
        "Clinic. Removed wires 5 weeks ago from the R small finger; today the screw in the R index P1 is prominent.\n"
        "Under WALANT the old incision was reopened and the screw removed.\n"
    )
    assert _planned(checker, note) != "planned"


def test_a_blank_for_the_surgeons_name_is_not_an_unticked_box(checker: Checker) -> None:
    note = (
        "PROCEDURE NOTE - PA-C\n"
        "S: 15 y/o, 5 wk s/p CRPP L ring finger P2 fx (3/11/24, Dr [ ]), here for planned pin removal as set at surgery.\n"
        "Procedure: digital block, pins removed with needle driver, both intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_a_planned_2nd_stage_per_the_index_op_plan(checker: Checker) -> None:
    # b109: the stage written as a number, the plan named as the index operation's.
    note = (
        "* Procedure: removal buried K-wires L ring and small fingers -- planned 2nd stage, per index op plan\n"
        "* Anesthesia: wrist block\n"
        "* Two stab incisions per finger, 4 K-wires removed intact\n"
    )
    assert _planned(checker, note) == "planned"


def test_the_plan_in_phone_shorthand(checker: Checker) -> None:
    """b114: "planned at the crpp 5/2/25"; "told him at the time wires come out ~6 wk in or" is the
    plan's date, not a wire coming out of the skin (no migration, no 78)."""
    at_crpp = ("dr k - pt from this am (6/3/25) - took out the 2 buried k wires l ring finger p1 thru 2 stab incisions "
               "under digital block in the proc room, planned at the crpp 5/2/25. both wires intact\n")
    assert _planned(checker, at_crpp) == "planned"
    told = ("l hand k wire removal 8/19/25\ncrpp l small finger p1 fx 7/8/25 w/ 2 k wires, ends buried, told him at "
            "the time wires come out ~6 wk in or\nfx healed on todays xr. or: digital block, stab incision over each "
            "wire end, both k wires removed intact\n")
    result = checker.check(told)
    assert result.findings.planned_status.value == "planned"
    assert "migration" not in [i.value for i in result.findings.indications]


def test_the_plan_told_in_the_past_surgical_history(checker: Checker) -> None:
    """b112: the index operation's plan sits in the PSH block that runs on to the procedure."""
    note = (
        "Procedure: Removal of percutaneous K-wires L ring finger proximal phalanx under general anesthesia.\n"
        "PSH:\n  7/7/2025   CRPP L RF P1 neck fx, 2 x 0.035 K-wires left out through the skin w/ pin caps\n"
        "  2019       adenoidectomy\n\n"
        "At CRPP (7/7/2025) we planned wire removal at ~4 wks; because of needle anxiety we planned it under brief "
        "mask anesthesia in the OR. Fracture healed.\n\n"
        "Procedure: mask induction, pin caps removed, both exposed wires withdrawn with a needle driver, intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_the_plan_told_in_the_conditional(checker: Checker) -> None:
    """b117, b118: "I told her then that we would take them out ... at about 6 to 8 weeks"; "the plan was
    documented to bring him back at six weeks to take the wires out"."""
    would = (
        "Indications. IP joint arthrodesis with two buried K-wires on July 14, 2025; I told her then that we would "
        "take them out in the procedure room at about 6 to 8 weeks once the fusion had healed. Solid fusion on xray.\n"
        "Procedure. Digital block, two stab incisions, both wires removed intact. Right thumb.\n"
    )
    assert _planned(checker, would) == "planned"
    documented = (
        "PROCEDURE removal of buried k wires right long finger distal phalanx. HISTORY on 9/3/2025 I did an ORIF of "
        "the distal phalanx with two kirschner wires cut and buried, at the time of the ORIF the plan was documented "
        "to bring him back at six weeks to take the wires out, DESCRIPTION a 5 mm incision over the wire ends, the "
        "two wires were removed with a needle driver\n"
    )
    assert _planned(checker, documented) == "planned"


def test_a_cast_before_a_plan_does_not_swallow_it(checker: Checker) -> None:
    """b121: "needed 3 staff to hold for cast at ED), we planned pin removal in the procedure room": the
    cast's removal stops at the parenthesis."""
    note = (
        "8 yo M, s/p CRPP R ring finger P1 neck fx 7/1/2025, 2 K-wires left out through skin (bent, capped). At the "
        "time of pinning, because of extreme needle anxiety (needed 3 staff to hold for cast at ED), Dr Szabo "
        "planned pin removal in the procedure room with digital block.\nProcedure: digital block, caps off, both "
        "K-wires pulled intact.\n"
    )
    assert _planned(checker, note) == "planned"


def test_a_complication_treated_before_does_not_unplan_the_removal(checker: Checker) -> None:
    """b127: "a superficial pin-site cellulitis around postop day 10, which was treated with cephalexin and fully
    resolved" is past; the removal stays the planned one (58)."""
    note = (
        "INDICATIONS: CRPP right small finger P1 with two buried K-wires on 03/11/2024; the index operative note "
        "documents the plan to remove them in the OR at approximately 4 weeks. His course was notable for a "
        "superficial pin-site cellulitis at the ulnar wire incision around postop day 10, which was treated with a "
        "7 day course of cephalexin and fully resolved. He is here for planned removal of the temporary fixation.\n"
        "PROCEDURE: both K-wires removed through stab incisions under digital block.\n"
    )
    assert _planned(checker, note) == "planned"


def test_a_removal_brought_forward_by_a_complication_is_unplanned(checker: Checker) -> None:
    note = (
        "CRPP of the left ring finger P2 on 08/05/2024 with two buried K-wires which were going to come out at about "
        "5 weeks, however the distal wire backed out and was tenting the skin, so we are bringing her removal forward "
        "rather than waiting out the 5 weeks. In the procedure room both wires were removed through small incisions.\n"
    )
    assert _planned(checker, note) == "unplanned"
    listed = ("Request for authorization: the case was brought forward after a cancellation. Procedure: planned "
              "removal of K-wires R index finger P1 at 5 weeks as per the index plan; both wires removed.\n")
    assert _planned(checker, listed) == "planned"


def test_planned_at_the_time_of_pinning_in_the_plan_line(checker: Checker) -> None:
    """b124: "Plan: as planned at time of pinning (op note 9/12: 'KW out ~4 wks in PR') -- done today"
    looks back at the index plan."""
    note = (
        "Proc rm 10/10/25 R SF P1. Description: wires cut short under the skin at index surgery. Two 3 mm stab "
        "incisions over the wire ends, wires removed intact x2. 5-0 nylon x2.\n"
        "Plan: as planned at time of pinning (op note 9/12) -- done today. ROM, RTC 2 wks.\n"
    )
    assert _planned(checker, note) == "planned"
    future = ("CRPP R SF P1 today with 2 K-wires, cut and buried.\nPlan: remove the wires at 4 wks in the procedure "
              "room.\n")
    assert checker.check(future).findings.planned_status.value is None


def test_british_plans_and_a_displaced_fracture(checker: Checker) -> None:
    """b129: "ROM in minor ops at 4/52" (removal of metalwork) is the plan; a fracture "(spiral, displaced,
    crossed wires)" is displaced, not the wires (no migration, no 78)."""
    rom = ("Op note states 'wires buried - ROM in minor ops at 4/52'. XR: united.\nMinor ops, digital block: two 3 mm "
           "incisions over the R little finger P1 wire ends, both K-wires removed intact.\n")
    assert _planned(checker, rom) == "planned"
    displaced = (
        "K-wiring R little finger P1 fracture on 08/04/2025 (spiral, displaced, crossed wires), wires cut short and "
        "buried with the plan documented for removal in theatre at 4 weeks. Bridging callus on XR.\n"
        "Theatre: digital block, both wires removed through stab incisions.\n"
    )
    assert _planned(checker, displaced) == "planned"


def test_a_migrated_wire_taken_out_before_the_planned_date(checker: Checker) -> None:
    note = ("The distal K-wire of the L ring finger P2 migrated and catches on her clothing; we decided to take the "
            "migrated wire out now in the OR rather than wait for the planned removal at 5 weeks. Wire removed intact.\n")
    assert _planned(checker, note) == "unplanned"


def test_a_header_inside_a_quotation_is_the_quoted_documents(checker: Checker) -> None:
    """A "Plan:" quoted from the index op note opens no plan section of this note (run together, where a
    capitalised "Header:" after a sentence end is taken as a header). A guard for the sectionizer's
    quotation check."""
    note = ('Indications: CRPP R index P1 on 3/2/2025. The op note reads: "Plan: K-wires to be removed at 4 weeks in '
            'theatre under LA." Fracture united. Procedure: digital block, both K-wires removed through stab incisions.')
    assert _planned(checker, note) == "planned"


def test_exposed_pins_pulled_are_exposed_by_design(checker: Checker) -> None:
    """b110, b129: "2 exposed K-wires removed in clinic w/o anesthesia per plan" are pins left out of the
    skin on purpose, not an exposure complication; "waiting for the plate to come out" is no migration."""
    note = ("Fracture clinic 01/05/25: R index P1 fracture, CRPP 02/04/25. 4/52 today. Pin sites clean, XR united. 2 "
            "exposed K-wires removed in clinic, no LA, pt tolerated well.\n")
    assert "exposure" not in [i.value for i in checker.check(note).findings.indications]
    waiting = ("Indications: distal radius fracture united; no hardware complaints, she is waiting for the plate to "
               "come out so she can start wrist motion.\nDescription: volar approach, plate and 8 screws removed.\n")
    assert "migration" not in [i.value for i in checker.check(waiting).findings.indications]


def test_a_preop_postop_dx_line_states_the_complication(checker: Checker) -> None:
    """b126: "Preop/postop dx: K-wire exposed through the skin" is a diagnosis header: the exposure is a
    pre-operative reason, and the removal planned at the index is unplanned now (78)."""
    note = (
        "Preop/postop dx: K-wire exposed through the skin, L ring finger P2. This wire was buried at surgery.\n"
        "hx: At the index surgery two wires were cut under the skin, and removal in the OR at 5 wks was planned.\n"
        "Procedure: the exposed K-wire and the buried one were removed under digital block.\n"
    )
    assert _planned(checker, note) == "unplanned"


def test_pins_pulled_early_because_of_an_infection_are_an_unplanned_return(checker: Checker) -> None:
    note = ("PROCEDURE NOTE, procedure room. 3 weeks s/p CRPP right index finger middle phalanx, two K-wires left "
            "exposed. Plan at surgery was pins out at 5-6 weeks. Pin tract infection, both pins, not improving on "
            "oral abx, so the plan is to take the pins out now instead of waiting the extra 2-3 weeks; we are pulling "
            "the pins early because of the infection.\nProcedure: digital block, both K-wires withdrawn intact.\n")
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_a_staged_removal_kept_to_schedule_beside_an_infection_stays_planned(checker: Checker) -> None:
    note = ("Pre/Post-op dx: L small finger P1 neck fracture, s/p CRPP with two percutaneous K-wires; superficial pin "
            "tract infection, ulnar pin.\nAt the index CRPP it was decided that pins would come out in the OR under a "
            "brief anesthetic at 4 weeks. Started cephalexin at 3.5 weeks, improving. To be clear: today's removal is "
            "the planned 4-week removal, not brought forward; the infection is being treated alongside.\n"
            "Procedure: mask GA, both K-wires pulled intact.\n")
    assert checker.check(note).findings.planned_status.value == "planned"
    # "rather than on the planned date" is the plan overtaken, not kept.
    early = note.replace("not brought forward; the infection is being treated alongside",
                         "brought back now because of the broken wire rather than on the planned date")
    assert checker.check(early).findings.planned_status.value == "unplanned"


def test_a_form_question_answered_yes_or_no_decides_the_plan(checker: Checker) -> None:
    note = ("PROCEDURE: Removal of implant, finger - right small finger P1 (buried K-wires)\n"
            "Planned/staged at index surgery?  (•) Yes  ( ) No   ( ) Unknown\n"
            "INDICATIONS: CRPP with 2 K-wires cut under the skin; healed enough, wires can come out.\n"
            "Two stab incisions, both wires removed intact.\n")
    result = checker.check(note)
    assert result.findings.planned_status.value == "planned"
    assert "migration" not in [i.value for i in result.findings.indications]  # "can come out" is permission
    answered_no = note.replace("(•) Yes  ( ) No", "( ) Yes  (•) No")
    assert checker.check(answered_no).findings.planned_status.value != "planned"


def test_a_plan_discussed_with_a_parent_is_the_childs_plan(checker: Checker) -> None:
    note = ("Hx: L index P1 Salter-Harris II base fx, CRPP 05/27/2025 w/ 2 x 0.035 K-wires left protruding through "
            "the skin with pin caps. Plan at that surgery (documented + discussed with mom): pins out at 4 wks under a "
            "brief mask anesthetic.\nProcedure: main OR, mask GA, both pins pulled intact. Dressing.\n")
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_clinic_plan_that_records_the_pull_as_planned_is_the_staged_removal(checker: Checker) -> None:
    note = ("S: 4 wks s/p CRPP R index P2, here for pin removal.\nO: pin sites clean, XR healed.\n"
            "P: pins pulled in clinic today as planned, intact x2; buddy tape, f/u 2 wks.\n")
    assert checker.check(note).findings.planned_status.value == "planned"
    # A plan that only looks ahead, or a removal earlier than planned, is no staged removal.
    ahead = ("S: 3 wks s/p CRPP R index P2, one pin infected.\nO: radial pin site red.\n"
             "P: radial pin pulled today; remaining wire out at 5 wks as originally planned.\n")
    assert "staged_removal" not in [i.value for i in checker.check(ahead).findings.indications]
    early = ("S: pin site infection R index.\nP: The wire came out a week earlier than planned because of the "
             "infection; cephalexin 7 days.\n")
    assert "staged_removal" not in [i.value for i in checker.check(early).findings.indications]


def test_a_healed_wound_dehiscence_after_the_index_is_no_exposed_hardware(checker: Checker) -> None:
    note = ("Indication: ORIF left thumb P1 fracture 09/05/2023, complicated postoperatively by a wound dehiscence that "
            "healed by secondary intention. Fracture healed; the plate is prominent and painful.\n"
            "Procedure: ulnar midaxial incision through the old scar, plate and 5 screws removed.\n")
    result = checker.check(note)
    assert "exposure" not in [i.value for i in result.findings.indications]
    assert result.findings.planned_status.value is None
    # Over the hardware it is one.
    exposed = note.replace("Fracture healed;", "Now a wound dehiscence over the plate with the plate visible;")
    assert "exposure" in [i.value for i in checker.check(exposed).findings.indications]


def test_a_removal_offered_as_an_option_is_no_staged_plan(checker: Checker) -> None:
    note = ('HPI: ORIF R small MC, healed. Plate prominent, catches on his glove. [Prior text: "consider hardware removal '
            'in 4-6 wks if sx persist" -- pt now here for that.]\nProcedure: dorsal incision, plate and 6 screws removed.\n')
    result = checker.check(note)
    assert "staged_removal" not in [i.value for i in result.findings.indications]
    assert result.findings.planned_status.value is None
    planned = note.replace('"consider hardware removal in 4-6 wks if sx persist"', '"we would take the plate out in 4-6 wks"')
    assert checker.check(planned).findings.planned_status.value == "planned"


def test_a_removal_scheduled_at_the_index_surgery_is_staged(checker: Checker) -> None:
    note = ("Procedure: Removal of buried percutaneous fixation as scheduled at index surgery, right ring finger P1.\n"
            "Two stab incisions, both K-wires withdrawn intact.\n")
    assert checker.check(note).findings.planned_status.value == "planned"


def test_an_earlier_pull_of_other_wires_is_no_plan_for_todays_removal(checker: Checker) -> None:
    note = ("Hx: CRPP L distal radius 04/15/2025 - 2 wires. One (dorsal) was exposed and pulled at 5 wks in clinic. The "
            "radial styloid wire was cut and buried and is now painful and palpable.\n"
            "Procedure: removal of buried K-wire L radial styloid through a 1 cm incision, steri-strips.\n")
    result = checker.check(note)
    assert "staged_removal" not in [i.value for i in result.findings.indications]
    # "were to be removed at 4 weeks" is the plan, and a pull told as today's is this one.
    planned = note.replace("One (dorsal) was exposed and pulled at 5 wks in clinic.", "Both were to be removed at 6 weeks.")
    assert checker.check(planned).findings.planned_status.value == "planned"


def test_a_course_complicated_by_a_treated_infection_and_a_risk_list_give_no_complication(checker: Checker) -> None:
    note = ("Indications: ORIF of the left ring finger proximal phalanx fracture on 02/14/2023 with a 1.5 mm lateral plate, "
            "which was complicated at 3 weeks by a superficial wound infection treated with oral antibiotics. Healed; the "
            "plate is prominent and catches on her glove. She understands the risks which include infection, injury to the "
            "digital nerve and stiffness.\nProcedure: ulnar midaxial incision, plate and 5 screws removed.\n")
    result = checker.check(note)
    assert "infection" not in [i.value for i in result.findings.indications]
    assert result.findings.planned_status.value is None
    listed = ("Procedure: removal of screw, right thumb P1. XR: healed, screw head proud. Risks explained incl. UCL "
              "weakening, nerve injury, infection. Screw removed through a 1 cm incision.")
    assert "infection" not in [i.value for i in checker.check(listed).findings.indications]
