"""Words of other English usages and hand-wrapped layouts that the rules must read as meant."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_bridge_plate_called_an_internal_fixator_is_no_external_fixator(checker: Checker) -> None:
    note = ("Procedure: Removal of dorsal distraction bridge plate and screws, right distal radius and second metacarpal.\n"
            "Indications: comminuted right distal radius fracture treated with a dorsal spanning bridge plate from the "
            "radial shaft to the second metacarpal. As documented at that surgery, the bridge plate is a temporary "
            "internal fixator planned for removal at about 12 weeks once the fracture has united. CT shows it healed.\n"
            "Description: block and MAC. Incisions over the 2nd MC base and the radial shaft, plate and screws removed.\n")
    result = checker.check(note)
    assert "external_fixator" not in [i.type for i in result.findings.implants]
    assert claim_lines(checker, note) == [("20680", ["RT"])]


def test_mc_for_days_is_a_medical_certificate(checker: Checker) -> None:
    note = ("Procedure: removal of plate and 6 screws, right ulna shaft, under GA. Deep fascia opened, plate removed, "
            "layered closure.\nDischarge orders:\n - MC 7 days; memo re implant removal\n - XR R forearm at 6 weeks\n")
    result = checker.check(note)
    assert [b.value for b in result.findings.bones] == ["ulna"]
    assert claim_lines(checker, note) == [("20680", ["RT"])]
    # A metacarpal stays one: "MC 5 fracture", "4th MC".
    assert [b.value for b in checker.check("Removal of plate and screws, left 4th MC, under WALANT.").findings.bones] == ["metacarpal"]


def test_a_bulleted_risk_list_under_its_own_header_is_no_indication(checker: Checker) -> None:
    note = ("Indications: healed right ulna fracture; asymptomatic, he asks for removal before national service.\n"
            "Exam: no pain, plate not prominent.\n\n"
            "Risks explained (consent form 07):\n"
            " - infection, bleeding, wound problems, scar\n"
            " - retained / broken screw may need to be left in situ\n"
            " - persistent or new pain, CRPS\n"
            "Pt and father understood, consent signed.\n\n"
            "Procedure: removal of plate and 6 screws, right ulna, through the old incision, deep fascia closed.\n")
    values = [i.value for i in checker.check(note).findings.indications]
    assert "infection" not in values and "breakage" not in values and "pain" not in values
    assert "fracture_healed" in values


def test_a_field_carried_on_to_an_indented_line_keeps_its_value(checker: Checker) -> None:
    # "Risks: pin-site infection, pin\n  breakage, stiffness": the wrapped line is still the risk list.
    note = ("Indications: K-wires R ring P1 placed 5 wks ago, planned removal today; fracture healed.\n"
            "Risks: pin-site infection, pin\n  breakage, stiffness, loss of reduction. Consent.\n"
            "Procedure: digital block, both K-wires withdrawn percutaneously, intact.\n")
    values = [i.value for i in checker.check(note).findings.indications]
    assert "breakage" not in values and "stiffness" not in values


def test_a_hanging_indent_keeps_a_sentence_whole(checker: Checker) -> None:
    # A hand-wrapped procedure line: "a delayed fusion\n  or reimplantation will be considered" is
    # one sentence, so the fusion stays hypothetical and the implant removal is coded.
    note = ("OPERATIVE NOTE\n"
            "Preop diagnosis: Infected silicone PIP arthroplasty, left long finger.\n"
            "Procedure: Removal of infected silicone PIP implant, left long finger; a delayed fusion\n"
            "  or reimplantation will be considered after the infection clears (not today).\n"
            "Anesthesia: GETA.\n"
            "Details: Time-out. Dorsal curvilinear incision over the PIP, extensor split, implant removed intact, "
            "joint debrided, cultures sent. Skin closed with 4-0 nylon, splint.\n"
            + "Nursing: vitals stable, patient comfortable, discharge instructions reviewed with family members. " * 2 + "\n")
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_a_procedure_named_with_the_removal_as_its_step_makes_it_integral(checker: Checker) -> None:
    # A transcription without punctuation: the history ("was treated with iv antibiotics") ends at
    # the patient's choice, and "amputation ... with removal of the two k-wires" names the removal as
    # a step of the amputation.
    note = ("op note date of surgery 03/17/2025 61 year old female who had closed reduction and percutaneous pinning of "
            "a left small finger proximal phalanx fracture on 01/06/2025 with two buried kirschner wires and presented "
            "with osteomyelitis she was treated with iv antibiotics and after long discussion she chose amputation "
            "preoperative diagnosis osteomyelitis left small finger proximal phalanx with retained k-wires postoperative "
            "diagnosis same procedure amputation left small finger through the proximal phalanx base with removal of "
            "the two k-wires anesthesia general the two k-wires were pulled out and the phalanx was cut with a saw")
    assert checker.check(note).procedure.suggested_cpt is None
    nonunion = ("PROCEDURE PERFORMED repair of nonunion left fifth metacarpal with removal of\nfailed plate and screws, "
                "debridement of nonunion and revision plate fixation\nDESCRIPTION old plate and screws removed, nonunion "
                "debrided, new 2.0 mm plate applied.\n")
    assert checker.check(nonunion).procedure.suggested_cpt is None


def test_failed_before_the_hardware_names_it_and_does_not_cancel_its_removal(checker: Checker) -> None:
    note = ("Procedure: removal of failed K-wire fixation, left ring finger P1, under block. Both K-wires had backed "
            "out; 2 mm stab incisions and both wires withdrawn intact.")
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]
    # A removal that failed did not happen.
    failed = "Clinic: buried K-wire, left ring finger P1: removal under local failed; booked for theatre."
    assert checker.check(failed).procedure.suggested_cpt is None


def test_a_hospital_named_general_gives_no_general_anaesthesia(checker: Checker) -> None:
    # An exposed-wire pull in clinic without anaesthesia stays in the index global package.
    note = ("HAND CLINIC - FOLLOW UP\nLagos Island General Hospital, Dept of Surgery (Plastics & Hand)\n"
            "s/p CRPP Rt index finger middle phalanx # (2 x 1.1mm K-wires, ends left out of skin & bent) on 20/01/2025.\n"
            "Xray today: # united.\nBoth K wires removed in clinic with wire-holder, no LA required, pt tolerated well.\n")
    result = checker.check(note)
    assert [a.value for a in result.findings.anesthesia] == ["no_anesthesia"]
    assert result.procedure.suggested_cpt is None


def test_a_past_surgical_hx_header_holds_history(checker: Checker) -> None:
    note = ("Procedure: Rt ring finger A1 pulley release under WALANT.\n\nPast surgical hx:\n"
            "- ORIF Lt hand 4th metacarpal with plate & screws (2019) - implant still in situ\n"
            "- K-wires Lt little finger 2016, which were removed in clinic\n\n"
            "Procedure:\nTransverse incision over the A1 pulley, pulley released, skin closed with 4-0 nylon.\n")
    assert checker.check(note).procedure.suggested_cpt is None


def test_an_addendum_that_withdraws_the_operation_voids_the_template_description(checker: Checker) -> None:
    note = ("Procedure: Removal of hardware, left index finger proximal phalanx (plate and screws)\n"
            "Description: The previous dorsal incision over P1 was opened. The plate was exposed and the screws were "
            "removed followed by the plate. Skin closed with 5-0 nylon.\n\n"
            "ADDENDUM 04/08/2025 11:47\nThis note was pre-populated from the procedure template and signed in error. "
            "CORRECTION: hardware was not removed, procedure abandoned. The patient developed bradycardia after the "
            "block and the case was cancelled before prep. The plate and screws remain in the left index finger.\n")
    assert checker.check(note).procedure.suggested_cpt is None
    # An addendum that corrects how it was done keeps the removal.
    approach = note.split("ADDENDUM")[0] + "Attending addendum: Correction: NO incision was made; the wires were withdrawn through the pin sites.\n"
    assert checker.check(approach).procedure.suggested_cpt == "26320"
