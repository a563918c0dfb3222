"""Notes that arrive with their line breaks gone (a transcription pasted into one field, an export
that joins lines): what a line used to end must still end where the words say it does."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines

_CARRIED = (
    "*** TEXT BELOW CARRIED FORWARD FROM PRIOR ENCOUNTER (OPERATIVE NOTE, 02/11/2024) - REVIEW ONLY *** "
    "PROCEDURE: Open reduction and internal fixation, right middle finger proximal phalanx. "
    "DESCRIPTION: Dorsal approach. A 1.5 mm plate with five screws was placed. "
    "PLAN: therapy at 1 week. *** END CARRIED FORWARD TEXT *** "
)
_TODAY = (
    "OPERATIVE NOTE Date of surgery: 04/22/2025 Anesthesia: WALANT. "
    "Procedure performed: Removal of dorsal plate and five screws, right middle finger proximal phalanx. "
    "Indications: healed fracture, plate prominent and catching the extensor. "
    "Description: 3 cm dorsal incision through the old scar, extensor split, plate and five screws "
    "removed intact. Skin closed with 4-0 nylon."
)


def test_an_end_marker_without_of_closes_a_carried_forward_block(checker: Checker) -> None:
    # "*** END CARRIED FORWARD TEXT ***" ends the copied note as "end of copied text" does: what
    # follows is today's operation, even with every line break gone.
    assert claim_lines(checker, _CARRIED + _TODAY) == [("26320", ["F7", "RT"])]
    with_lines = _CARRIED.replace("*** ", "***\n").replace(". ", ".\n") + "\n" + _TODAY.replace(". ", ".\n")
    assert claim_lines(checker, with_lines) == [("26320", ["F7", "RT"])]


def test_the_copied_block_still_tells_the_index_operation(checker: Checker) -> None:
    # The placement inside the block is that day's: no plate was placed today.
    result = checker.check(_CARRIED + _TODAY)
    assert [i.type for i in result.findings.implants] == ["plate", "screw"]
    assert result.procedure.suggested_cpt == "26320"


def test_a_marker_without_an_end_holds_a_bounded_stretch_of_a_note_without_line_breaks(checker: Checker) -> None:
    # Without an end marker the copy runs to the end of its line; in a note with no line breaks
    # that would be the whole note, today's removal included.
    note = (
        "Clinic procedure note. PLAN (carried forward from 05/19 note): K-wires out at 4 weeks in clinic. "
        "Interval history: 4 weeks today. " + "Doing well, no fevers, pain controlled with paracetamol, splint worn. " * 5
        + "X-ray today: fracture healed. Procedure: digital block with 1% lidocaine, two K-wires from the right "
        "ring finger middle phalanx withdrawn through the pin sites with a needle driver, intact, bandaid. "
        "Plan: hand therapy referral, wound check in ten days."
    )
    assert claim_lines(checker, note) == [("26320", ["F8", "RT"])]


def test_a_carried_forward_line_is_copied_to_its_end_however_long(checker: Checker) -> None:
    # A guard for the bound above: with line layout, the whole line is the copy, however long (a
    # teenage pin pull told at its end is history).
    note = (
        "Procedure: removal of plate and screws, right ring finger P1, under MAC with local.\n"
        "Indication (carried forward from pre-op H&P 07/02/2024): " + "plate palpable and painful with grip, fx healed. " * 8
        + "Pt also has hx of L small finger CRPP as a teen with pins pulled in clinic.\n"
        "Description: 3 cm ulnar midaxial incision, plate and 5 screws removed intact, skin closed 4-0 nylon.\n"
    )
    result = checker.check(note)
    assert claim_lines(checker, note) == [("26320", ["F8", "RT"])]
    assert result.findings.laterality.value == "right"


def test_a_colon_ends_the_from_of_a_message_header(checker: Checker) -> None:
    # 'Text from Dr (pasted ...): "took the screw out ..."': "from" names who wrote the message,
    # not the past operation the act came from; the quoted words are this removal.
    note = ('Text from Dr (pasted into chart 6/12/24): "took the screw out of her L small finger P1 this am '
            'thru a little incision, wasnt tight, she said it kept catching on everything. sutures out 10-14d"')
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]
    # "from" right before the act still dates it to the past operation.
    past = "Hardware from the ORIF 2023 was left alone. Carpal tunnel release, left, under local."
    assert checker.check(past).procedure.suggested_cpt is None


def test_a_field_after_an_abbreviated_unit_is_out_of_the_plan_sentence(checker: Checker) -> None:
    # "... office removal at ~6-8 wks. XR: healed distal radius." with its line breaks gone: the
    # healed fracture is today's finding, not part of the index operation's plan.
    note = ("Hand Surgery NP Office Procedure Note 6/10/2025 Pt is 7 wks s/p perc pinning L distal radius. "
            "Radial styloid K-wire was cut and buried under the skin at surgery; plan at index op was office "
            "removal at ~6-8 wks. XR: healed distal radius. Under local (1% lido), 5 mm incision over the wire "
            "tip, wire grasped and removed intact. Steri-strips.")
    assert "fracture_healed" in [i.value for i in checker.check(note).findings.indications]


def test_a_fracture_sign_after_a_negated_sentence_is_affirmed(checker: Checker) -> None:
    note = "HWR R middle finger P1 plate. GA, tourniquet. Old dorsal incision reopened. Plate + 4 screws out, no problems. # healed. Closed 5/0 nylon."
    assert [i.value for i in checker.check(note).findings.indications] == ["fracture_healed"]


def test_a_wire_end_felt_to_place_the_incision_is_no_complaint(checker: Checker) -> None:
    # "incision over the palpable wire end": touch finds where to cut. Buried wires taken out as
    # planned are not prominent hardware, whether or not the note has an indication section.
    note = ("Office procedure note. L thumb P1 fx pinned 6 wks ago, wire cut and buried, removal planned at the index "
            "operation. XR healed. Under local, a 5 mm incision was made over the palpable wire end on the radial "
            "side of the thumb P1 base; wire withdrawn intact. Steri-strips.")
    values = [i.value for i in checker.check(note).findings.indications]
    assert "prominence" not in values and "fracture_healed" in values
    # Felt as a complaint, it is one.
    complaint = note.replace("XR healed.", "XR healed. The wire end is palpable and catches on her glove.")
    assert "prominence" in [i.value for i in checker.check(complaint).findings.indications]


def test_wire_ends_that_tent_the_skin_are_prominent(checker: Checker) -> None:
    note = ("removal of two k wires left middle finger middle phalanx under block. both fractures united but she "
            "cannot wear her gloves because the wire ends tent the skin, so removal was recommended. 1 cm incisions, "
            "both k wires pulled out intact, 5-0 nylon.")
    assert "prominence" in [i.value for i in checker.check(note).findings.indications]


def test_a_ruled_marker_line_heads_a_block_copied_from_another_record(checker: Checker) -> None:
    today = ("OPERATIVE NOTE 04/29/2025\nProcedure: Removal of 2 screws, right middle finger middle phalanx.\n"
             "Indication: screws prominent and catching, fracture healed.\nProcedure: block, old incision, both screws "
             "removed intact. Routine removal.\n")
    copied = ("\n- - - - - - - - - -\n[Copied from chart for reference -- INDEX OPERATION]\nDate: 10/07/2024\n"
              "Procedure: ORIF bicondylar fracture right middle finger P2.\nDescription: the fracture was comminuted; "
              "this was an unusually difficult fixation and operative time was prolonged by 60 minutes.\n")
    result = checker.check(today + copied)
    assert result.findings.complexity_factors == [] and claim_lines(checker, today + copied) == [("26320", ["F7", "RT"])]
    # A ruled line ends the copy: what follows is today's again.
    ruled = ("OPERATIVE NOTE\n\n******** copied from operative note 07/02/2024 ********\nProcedure: ORIF right distal "
             "radius, volar plate.\n********************************\n\nToday's procedure: removal of 2 screws, LEFT index "
             "finger middle phalanx, WALANT; midaxial incision, both screws removed intact.\n")
    assert claim_lines(checker, ruled) == [("26320", ["F1", "LT"])]
    # A message pasted into the chart is today's words, not a copied record.
    message = "[Pasted from secure message, Mar 5 2025]\nR index P2 kwires out in proc room under ring block as planned. both intact.\n"
    assert claim_lines(checker, message) == [("26320", ["F6", "RT"])]


def test_a_count_of_extra_minutes_is_no_statement_of_substantial_work(checker: Checker) -> None:
    note = ("Removal of broken K-wire fragment, left middle finger P2, under block. The fragment was solidly incorporated "
            "in bone; a 1 mm burr was used to unroof the cortex, which took about 10 extra minutes, then it came out intact.\n")
    substantial = [e.text for e in checker.check(note).findings.substantial_work]
    assert substantial == []
