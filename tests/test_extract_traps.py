"""Extraction traps: short, new operative notes -> the contract's findings (CONTRACT.md §1-§2).

Every row is a note written for this table (none is copied from sample_notes/) in one of the
styles surgeons use: sectioned dictation, EHR "Field:" templates, run-on transcription, ALL CAPS,
bullets and terse shorthand (HWR, ROH, K wire/Kwire/KW, SF/RF/MF/IF, MC, P1/P2, x2, s/p, R/L,
rt/lt), some with typos. Each row names only the fields it is about; a field left out of the
expectation is not checked. The traps are the ones STYLE.md C4 lesson 11 and issue 2 list:
negation, hypotheticals, history, future plans, provisional wires, hardware left in place,
other persons, decoy complexity, side conflicts, bilateral and multi-digit removals,
metacarpal-only removals, other sites and hand operations that are not removals.
"""
from __future__ import annotations

from typing import Any

import pytest

ANY = object()  # an implant count the note does not state: the type is checked, the count is not

# What the contract requires of a note that is not an implant removal: the removal findings stay
# empty (CONTRACT.md §1 "A note that is not an implant removal ...").
NOT_REMOVAL: dict[str, Any] = dict(
    removal=False, cpt=None, implants={}, digits=set(), bones=set(), indications=set(),
    complexity=set(), planned=None, approach=(False, None, False), lines=[],
)


def not_removal(**extra: Any) -> dict[str, Any]:
    return {**NOT_REMOVAL, **extra}


# fmt: off
CASES = [
    # ---- negation -------------------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Removal of plate and screws, right middle finger proximal phalanx.\n"
        "INDICATIONS: Healed fracture with a prominent plate rubbing the extensor tendon. The patient is negative for infection.\n"
        "DESCRIPTION: Dorsal incision over the prior scar. The extensor was split and the plate with four screws was removed. Skin closed with 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 4}, digits={"middle"},
             bones={("proximal_phalanx", 3)}, side="right", conflict=False,
             indications={"fracture_healed", "prominence", "irritation"}, planned=None,
             approach=(True, "open", True), complexity=set(), lines=[("F7", "RT")]),
        id="neg-is-negative-for-infection",
    ),
    pytest.param(
        "Dx: Symptomatic hardware L IF P1.\n"
        "Proc: ROH L index finger proximal phalanx.\n"
        "Through a midaxial incision the 2 lag screws were removed. No evidence of loosening. Fracture united on fluoro. Closed w/ 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"screw": 2}, digits={"index"}, bones={("proximal_phalanx", 2)},
             side="left", ind_has={"fracture_healed"}, ind_not={"loosening"}, planned=None,
             approach=(True, "open", True), lines=[("F1", "LT")]),
        id="neg-no-evidence-of-loosening",
    ),
    pytest.param(
        "PROCEDURE: Right thumb P1 hardware removal.\n"
        "INDICATION: Plate prominence and pain at the thumb MCP with gripping.\n"
        "TECHNIQUE: Prior radial midaxial scar incised. The plate and 5 screws were removed without breakage. Wound closed with 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 5}, digits={"thumb"}, bones={("proximal_phalanx", 1)},
             side="right", indications={"prominence", "pain"}, planned=None, complexity=set(),
             lines=[("F5", "RT")]),
        id="neg-without-breakage",
    ),
    pytest.param(
        "HPI: 6 mo s/p ORIF of L 5th MC. Denies pain; wants the plate out before hockey season.\n"
        "PROCEDURE: Removal of plate, left fifth metacarpal.\n"
        "Dorsal ulnar incision, plate + 6 screws removed intact. Layered closure.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 6}, digits=set(), bones={("metacarpal", 5)},
             side="left", indications={"patient_request"}, planned=None, lines=[("LT",)]),
        id="neg-denies-pain-patient-wish",
    ),
    pytest.param(
        "Procedure: Hardware removal\n"
        "Side: Left\n"
        "Site: Ring finger middle phalanx\n"
        "Implants removed: 2 K-wires\n"
        "Indication: Healed fracture, prominent wire ends\n"
        "Infection: none\n"
        "Approach: 5 mm incision over each wire, wires removed, 5-0 nylon\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 2}, digits={"ring"}, bones={("middle_phalanx", 4)},
             side="left", indications={"fracture_healed", "prominence"}, planned=None,
             approach=(True, "open", True), lines=[("F3", "LT")]),
        id="neg-infection-none-ehr-template",
    ),
    pytest.param(
        "PROCEDURE: Exploration of left ring finger for pain; the hardware was not removed.\n"
        "Through a dorsal incision the extensor tendon was explored. The plate was well fixed and was left in place. Skin closed.\n",
        not_removal(side="left"),
        id="neg-hardware-was-not-removed",
    ),
    pytest.param(
        "PROCEDURE: Removal of fractured silicone implant, left index finger MCP joint.\n"
        "Dorsal incision; the extensor hood was incised and the broken Swanson implant was removed. No new implant was placed. Capsule and skin closed.\n",
        dict(removal=True, cpt="26320", implants={"joint_implant": 1}, digits={"index"}, side="left",
             indications={"breakage"}, planned="unplanned", lines=[("F1", "LT")]),
        id="neg-no-new-implant-not-arthroplasty",
    ),
    pytest.param(
        "PROCEDURE: Removal of plate, left middle finger proximal phalanx.\n"
        "INDICATIONS: Healed fracture, plate prominence. Risks including infection, hardware breakage and nerve injury were discussed.\n"
        "The prior dorsal incision was reopened and the plate with 4 screws was removed. Skin closed with 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 4}, digits={"middle"}, bones={("proximal_phalanx", 3)},
             side="left", indications={"fracture_healed", "prominence"}, planned=None, lines=[("F2", "LT")]),
        id="hyp-risks-discussed-not-indications",
    ),
    # ---- hypothetical ----------------------------------------------------------------------
    pytest.param(
        "Preop dx: painful retained screws, R long finger P2.\n"
        "Procedure: removal of 2 screws R long finger middle phalanx.\n"
        "Discussed with the patient that if the screw is stripped we will use the extraction set. Through the old mid-lateral incision "
        "both screws were backed out with the 1.5 driver and removed. Closure 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"screw": 2}, digits={"middle"}, bones={("middle_phalanx", 3)},
             side="right", indications={"pain"}, complexity=set(), mods_not={"22"}, lines=[("F7", "RT")]),
        id="hyp-if-screw-stripped-extraction-set",
    ),
    pytest.param(
        "Clinic visit, R SF P1 CRPP 3 wks ago. Pins in good position, no drainage. "
        "If the K-wire is loose at the next visit it will be removed. Continue splint.\n",
        not_removal(),
        id="hyp-only-removal-is-conditional",
    ),
    # ---- history ---------------------------------------------------------------------------
    pytest.param(
        "INDICATIONS: History of pin-tract infection, resolved with oral antibiotics. Now healed fracture of the left small finger P1 "
        "with an irritating buried K-wire.\n"
        "PROCEDURE: Removal of one buried K-wire, left small finger proximal phalanx, through a 1 cm incision. Closed with a single 5-0 suture.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 1}, digits={"small"}, bones={("proximal_phalanx", 5)},
             side="left", indications={"fracture_healed", "irritation"}, planned=None,
             approach=(True, "open", True), lines=[("F4", "LT")]),
        id="hist-resolved-pin-tract-infection",
    ),
    pytest.param(
        "PROCEDURE: Left carpal tunnel release.\n"
        "HISTORY: Hardware removal from the left small finger in 2020.\n"
        "A 2 cm palmar incision was made and the transverse carpal ligament divided. Closed with 4-0 nylon.\n",
        not_removal(side="left"),
        id="hist-old-removal-in-ctr-note",
    ),
    pytest.param(
        "PREOPERATIVE DIAGNOSIS: Stenosing tenosynovitis, left ring finger.\n"
        "HISTORY: ORIF of the left ring finger P1 in 2019 with a plate that remains in place.\n"
        "PROCEDURE: Left ring finger A1 pulley release through a 1.5 cm transverse palmar incision. Skin closed with 5-0 nylon.\n",
        not_removal(side="left", region={"finger"}),
        id="hist-trigger-finger-with-old-plate",
    ),
    pytest.param(
        "This is a 45-year-old man s/p ORIF of the right small finger proximal phalanx 5 months ago who now has stiffness and a "
        "prominent plate. PROCEDURE: Removal of plate and screws, right small finger proximal phalanx. DESCRIPTION: Under regional "
        "block the previous incision was opened, the extensor mechanism was incised and the plate and six screws were removed. Skin "
        "closed with 5-0 nylon.",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 6}, digits={"small"}, bones={("proximal_phalanx", 5)},
             side="right", indications={"stiffness", "prominence"}, planned=None, approach=(True, "open", True),
             lines=[("F9", "RT")]),
        id="hist-run-on-dictation-sp-orif",
    ),
    # ---- future plans inside a fixation note -------------------------------------------------
    pytest.param(
        "PROCEDURE: Closed reduction and percutaneous pinning, right ring finger proximal phalanx fracture.\n"
        "Two 0.045 K-wires were placed across the fracture under fluoroscopy and bent outside the skin. Pin caps applied.\n"
        "PLAN: We will remove the pins in 4 weeks in clinic.\n",
        not_removal(side="right", region={"finger"}),
        id="future-crpp-plan-section",
    ),
    pytest.param(
        "Op note: ORIF left index finger middle phalanx fracture. A dorsal approach was used, the fracture reduced and held with a "
        "1.5 mm plate and five screws. A transarticular K-wire was placed across the DIP joint. Will remove the pin in 4 weeks in the "
        "office. Skin closed with 5-0 nylon.",
        not_removal(side="left", region={"finger"}),
        id="future-orif-run-on-will-remove",
    ),
    # ---- provisional wires placed and removed in one fixation ---------------------------------
    pytest.param(
        "PROCEDURE: Open reduction internal fixation, left 4th metacarpal shaft fracture.\n"
        "The fracture was reduced and provisionally held with two K-wires. A 2.0 mm dorsal plate was applied with six screws. "
        "The provisional K-wires were then removed. Layered closure.\n",
        not_removal(side="left"),
        id="provisional-kwires-orif-metacarpal",
    ),
    pytest.param(
        "OPERATION: ORIF right small finger proximal phalanx.\n"
        "A Kwire was driven across the fracture to hold the reduction while a lateral plate was applied with 5 screws. "
        "The Kwire was then withdrawn. Closure with 5-0 nylon.\n",
        not_removal(side="right"),
        id="provisional-kwire-withdrawn-orif-phalanx",
    ),
    # ---- hardware left in place ---------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Partial hardware removal, right middle finger.\n"
        "Through the prior dorsal incision, the proximal screw, which was backing out, was removed. The distal screw was left in place. "
        "Closed with 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"screw": 1}, digits={"middle"}, side="right",
             indications={"migration"}, planned="unplanned", lines=[("F7", "RT")]),
        id="left-in-place-distal-screw",
    ),
    # ---- other person -------------------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Right long finger trigger release (A1 pulley).\n"
        "HPI: Patient notes her brother had K-wires removed from his finger last year and is anxious.\n"
        "A 1.5 cm transverse incision over the A1 pulley; pulley released. Closed with 5-0 nylon.\n",
        not_removal(side="right"),
        id="other-person-brother-kwires",
    ),
    pytest.param(
        "FAMILY HISTORY: Mother had plate and screws removed from her left hand.\n"
        "PROCEDURE: Right small finger A1 pulley release. Transverse incision, A1 pulley divided, closed with 5-0 nylon.\n",
        not_removal(side="right"),
        id="other-person-family-history-section",
    ),
    pytest.param(
        "HPI: Her sister had the same plate removed last year. She has a prominent screw in the left thumb metacarpal and requests removal.\n"
        "PROCEDURE: Removal of one screw, left thumb metacarpal, through a 2 cm dorsoradial incision. Skin closed.\n",
        dict(removal=True, cpt="26320", implants={"screw": 1}, digits=set(), bones={("metacarpal", 1)}, side="left",
             # "requests removal" beside a prominent screw is consent to treat it, not a second reason.
             indications={"prominence"}, lines=[("LT",)]),
        id="other-person-sister-beside-real-removal",
    ),
    # ---- decoy and real complexity -------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Removal of plate, left ring finger proximal phalanx.\n"
        "Via the previous dorsal incision the scar released easily. The extraction set was available but not needed. Routine protection "
        "of the digital nerves. The plate and 4 screws were removed intact. Skin closed with 5-0 Prolene.\n"
        "INDICATIONS: Extensor tendon irritation over the plate; fracture healed.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 4}, digits={"ring"}, bones={("proximal_phalanx", 4)},
             side="left", indications={"irritation", "fracture_healed"}, complexity=set(), mods_not={"22"},
             lines=[("F3", "LT")]),
        id="decoy-complexity-released-easily",
    ),
    pytest.param(
        "Hardware removal R ring finger P1 plate.\n"
        "Some scar over the plate, released without difficulty. Screw extraction set opened but not used; all screws came out with the "
        "standard driver. Plate and 5 screws removed. 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 5}, digits={"ring"}, bones={("proximal_phalanx", 4)},
             side="right", complexity=set(), mods_not={"22"}, lines=[("F8", "RT")]),
        id="decoy-complexity-terse",
    ),
    pytest.param(
        "POSTOP DX: Retained plate, right index finger P1.\n"
        "DESCRIPTION: Through the prior incision the plate was found overgrown with bone along its distal half, and two screw heads were "
        "stripped. An osteotome was required to clear the bone and the conical extraction screw was used for the stripped screws. This "
        "made the removal substantially more difficult and added about 50 minutes to a typical case. The plate and 6 screws were removed.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 6}, digits={"index"}, bones={("proximal_phalanx", 2)},
             side="right", cx_has={"embedded_hardware", "broken_or_stripped_hardware"}, mods_has={"22"},
             lines=[("22", "F6", "RT")]),
        id="real-complexity-substantial",
    ),
    pytest.param(
        "Preop Dx: broken screw, R ring finger P1.\n"
        "Through the old dorsal incision the plate was exposed; one screw had sheared at its head. The plate and 3 intact screws were "
        "removed and the broken screw shank was removed with a trephine. Closed with 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": ANY}, digits={"ring"}, bones={("proximal_phalanx", 4)},
             side="right", ind_has={"breakage"}, planned="unplanned", cx_has={"broken_or_stripped_hardware"}),
        id="real-complexity-broken-screw-trephine",
    ),
    # ---- laterality --------------------------------------------------------------------------
    pytest.param(
        "PREOPERATIVE DIAGNOSIS: Painful hardware, left small finger.\n"
        "PROCEDURE: Removal of hardware, left small finger.\n"
        "DESCRIPTION: The right small finger was prepped. Through a midaxial incision on the right small finger middle phalanx two screws "
        "were removed. Skin closed.\n",
        dict(removal=True, cpt="26320", implants={"screw": 2}, digits={"small"}, bones={("middle_phalanx", 5)},
             side="right", conflict=True, lines=[("F9", "RT")]),
        id="side-conflict-header-left-body-right",
    ),
    pytest.param(
        "PROCEDURE: Bilateral hardware removal, right index finger P1 plate and left index finger P1 plate.\n"
        "Through dorsal incisions both plates and their screws were removed. Closure with 4-0 nylon bilaterally.\n"
        "INDICATION: Bilateral plate prominence after healed fractures.\n",
        dict(removal=True, cpt="26320", implants={"plate": 2, "screw": ANY}, digits={"index"}, bones={("proximal_phalanx", 2)},
             side="bilateral", conflict=False, ind_has={"prominence", "fracture_healed"},
             lines=[("F1", "LT"), ("F6", "RT")], mods_not={"50", "51"}),
        id="bilateral-index-fingers",
    ),
    # ---- several sites -----------------------------------------------------------------------
    pytest.param(
        "Proc: HWR R RF and SF P1, K wire x1 each.\n"
        "Healed fxs, wires prominent. 3 mm stab incision over each wire end; both Kwires pulled w/ needle driver. Steri-strips.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 2}, digits={"ring", "small"},
             bones={("proximal_phalanx", 4), ("proximal_phalanx", 5)}, side="right",
             indications={"fracture_healed", "prominence"}, approach=(True, "open", True),
             lines=[("F8", "RT"), ("F9", "RT")], mods_not={"51", "59"}),
        id="two-digits-terse-abbreviations",
    ),
    # ---- metacarpals -------------------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Removal of plate and screws, right second metacarpal.\n"
        "INDICATIONS: Healed fracture; extensor tendon irritation over the plate.\n"
        "A longitudinal incision over the index metacarpal was made, the extensor retracted, and the plate and 5 screws were removed. "
        "Layered closure.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 5}, digits=set(), bones={("metacarpal", 2)},
             side="right", region={"hand"}, indications={"fracture_healed", "irritation"}, lines=[("RT",)]),
        id="metacarpal-only-index-metacarpal",
    ),
    pytest.param(
        "Left small finger metacarpal neck fracture healed; the intramedullary headless screw is backing out at the metacarpal head.\n"
        "Procedure: removal of IM screw L small finger metacarpal through a 1 cm dorsal incision at the MC head. 4-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"screw": 1}, digits=set(), bones={("metacarpal", 5)}, side="left",
             region={"hand"}, indications={"fracture_healed", "migration"}, planned="unplanned", lines=[("LT",)]),
        id="metacarpal-small-finger-metacarpal-no-digit",
    ),
    pytest.param(
        "PROCEDURE: Removal of two K-wires, right thumb metacarpal base (Bennett fracture, healed).\n"
        "A small incision over each wire at the thumb base; both wires removed with a needle driver. 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 2}, digits=set(), bones={("metacarpal", 1)}, side="right",
             region={"hand"}, lines=[("RT",)]),
        id="metacarpal-thumb-ray-1",
    ),
    pytest.param(
        "ROH LT 4TH MC: PLATE + 5 SCREWS REMOVED VIA PRIOR DORSAL INCISION. FX HEALED, PLATE IRRITATING EXTENSORS. LAYERED CLOSURE.\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 5}, digits=set(), bones={("metacarpal", 4)},
             side="left", ind_has={"fracture_healed", "irritation"}, lines=[("LT",)]),
        id="metacarpal-all-caps-terse",
    ),
    # ---- indications and planning --------------------------------------------------------------
    pytest.param(
        "Dx: retained buried KW x2 L MF P1, fx healed (s/p CRPP 6 wks ago, removal planned at index)\n"
        "Proc: HWR L MF P1 in OR under WALANT\n"
        "Stab incisions x2, KW x2 removed intact, 5-0 nylon\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 2}, digits={"middle"}, bones={("proximal_phalanx", 3)},
             side="left", indications={"fracture_healed", "staged_removal"}, planned="planned",
             approach=(True, "open", True), lines=[("F2", "LT")]),
        id="planned-terse-staged-kwires",
    ),
    pytest.param(
        "INDICATIONS: Three weeks after CRPP of the right index finger P2 there is purulent drainage at the pin site consistent with "
        "pin-tract infection.\n"
        "PROCEDURE: Removal of infected K-wire, right index finger middle phalanx, in the operating room.\n"
        "An incision was made around the pin site, the K-wire was removed, and the tract was irrigated and debrided. Wound left open.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 1}, digits={"index"}, bones={("middle_phalanx", 2)},
             side="right", ind_has={"infection"}, planned="unplanned", lines=[("F6", "RT")]),
        id="unplanned-pin-tract-infection",
    ),
    pytest.param(
        "PROCEDURE: Removal of migrated K-wire, left middle finger.\n"
        "The K-wire had backed out 5 mm and was tenting the skin at the PIP joint. Through a 5 mm incision the K-wire was removed. "
        "Steri-strips.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 1}, digits={"middle"}, bones=set(), side="left",
             indications={"migration", "prominence"}, planned="unplanned", approach=(True, "open", True),
             lines=[("F2", "LT")]),
        id="unplanned-migrated-kwire-pip",
    ),
    pytest.param(
        "Procedure: removal of loose suture anchor, right thumb proximal phalanx base.\n"
        "Through the previous ulnar incision the anchor was found loose in its hole and was removed. Skin closed with 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"suture_anchor": 1}, digits={"thumb"}, bones={("proximal_phalanx", 1)},
             side="right", indications={"loosening"}, planned="unplanned", lines=[("F5", "RT")]),
        id="unplanned-loose-anchor-thumb",
    ),
    # ---- styles ------------------------------------------------------------------------------
    pytest.param(
        "PROCEDURE: REMOVAL OF TWO SCREWS, LEFT RING FINGER MIDDLE PHALANX.\n"
        "INDICATION: SCREW HEADS PROMINENT AND PAINFUL, FRACTURE HEALED.\n"
        "A MIDAXIAL INCISION WAS MADE OVER THE OLD SCAR AND BOTH SCREWS WERE REMOVED. SKIN CLOSED WITH 5-0 NYLON.\n",
        dict(removal=True, cpt="26320", implants={"screw": 2}, digits={"ring"}, bones={("middle_phalanx", 4)}, side="left",
             indications={"prominence", "pain", "fracture_healed"}, approach=(True, "open", True), lines=[("F3", "LT")]),
        id="style-all-caps",
    ),
    pytest.param(
        "Procedure note - hardware removal\n"
        "- Site: rt IF P1\n"
        "- Hardware: mini plate + 4 screws, removed\n"
        "- Indication: plate catching on the extensor tendon, stiffness\n"
        "- Approach: dorsal incision through old scar\n"
        "- Closure: 5-0 nylon\n",
        dict(removal=True, cpt="26320", implants={"plate": 1, "screw": 4}, digits={"index"}, bones={("proximal_phalanx", 2)},
             side="right", ind_has={"prominence", "stiffness"}, approach=(True, "open", True), lines=[("F6", "RT")]),
        id="style-bullets",
    ),
    pytest.param(
        "ROH rt RF P2: 1.3 mm screws x2 backed out and removed via old midaxial scar, fx healed, screws were prominent. 5-0 nylon.\n",
        dict(removal=True, cpt="26320", implants={"screw": 2}, digits={"ring"}, bones={("middle_phalanx", 4)}, side="right",
             indications={"fracture_healed", "prominence"}, lines=[("F8", "RT")]),
        id="style-one-line-shorthand",
    ),
    pytest.param(
        "Procedure: removal of kirshner wire, lft thumb distal phalanx.\n"
        "Healed tuft fx. The wire end was prominant under the nail fold. Small incison over the wire, wire remvoed intact. 5-0 nylon x1.\n",
        dict(removal=True, cpt="26320", implants={"k_wire": 1}, digits={"thumb"}, bones={("distal_phalanx", 1)}, side="left",
             indications={"fracture_healed", "prominence"}, approach=(True, "open", True), lines=[("FA", "LT")]),
        id="style-typos",
    ),
    pytest.param(
        "PROCEDURE: Removal of 3 percutaneous pins, left small finger, in the operating room under MAC.\n"
        "The child would not tolerate removal in clinic. The pins were grasped and removed percutaneously. Pin sites dressed.\n",
        dict(removal=True, cpt="26320", implants={"pin": 3}, digits={"small"}, side="left",
             approach=(True, "percutaneous", False), lines=[("F4", "LT")]),
        id="percutaneous-pins-in-or-under-mac",
    ),
    pytest.param(
        "Clinic note. s/p CRPP L MF P2 5 wks ago. Pin sites clean, fx healed on XR.\n"
        "Both exposed K-wires pulled in clinic without anesthesia. Pin sites dressed.\n",
        dict(removal=True, cpt=None, implants={"k_wire": 2}, digits={"middle"}, bones={("middle_phalanx", 3)}, side="left",
             approach=(True, "percutaneous", False), lines=[]),
        id="clinic-pin-pull-not-billable",
    ),
    # ---- other sites -------------------------------------------------------------------------
    pytest.param(
        "PROCEDURE: Removal of volar locking plate, left distal radius.\n"
        "The prior FCR incision was opened, the pronator quadratus elevated, and the plate with 8 screws was removed. Layered closure.\n",
        dict(removal=True, cpt="20680", implants={"plate": 1, "screw": 8}, digits=set(), bones={("radius", None)},
             region={"wrist"}, side="left"),
        id="other-site-distal-radius-wrist",
    ),
    pytest.param(
        "Dx: prominent headless screw, R scaphoid, fracture united.\n"
        "Procedure: Removal of headless compression screw from the right scaphoid through a dorsal approach; the screw was backed out "
        "and removed. Capsule and skin closed.\n",
        dict(removal=True, cpt="20680", implants={"screw": 1}, digits=set(), bones={("carpal", None)}, region={"wrist"},
             side="right"),
        id="other-site-scaphoid-carpal",
    ),
    pytest.param(
        "PROCEDURE: Removal of lateral plate and syndesmotic screw, right ankle.\n"
        "Through the previous lateral incision, the plate and 7 screws were removed from the fibula. Closed in layers.\n",
        dict(removal=True, cpt="20680", implants={"plate": 1, "screw": ANY}, digits=set(), bones={("other", None)},
             region={"other"}, side="right"),
        id="other-site-ankle",
    ),
    pytest.param(
        "PROCEDURE: Removal of buried K-wire, left radial styloid.\n"
        "A small incision over the palpable wire; the subcutaneous wire end was grasped and removed. Closed with a single 4-0 nylon suture.\n",
        dict(removal=True, cpt="20670", implants={"k_wire": 1}, digits=set(), bones={("radius", None)}, region={"wrist"},
             side="left"),
        id="other-site-buried-wire-radial-styloid-20670",
    ),
]
# fmt: on


def _mismatches(result: Any, expected: dict[str, Any]) -> list[str]:
    f = result.findings
    out: list[str] = []

    def check(name: str, want: Any, got: Any) -> None:
        if want != got:
            out.append(f"{name}: expected {want!r}, got {got!r}")

    for key, want in expected.items():
        if key == "removal":
            check(key, want, result.procedure.is_implant_removal)
        elif key == "cpt":
            check(key, want, result.procedure.suggested_cpt)
        elif key == "implants":
            got = {i.type: i.count for i in f.implants}
            check("implant types", set(want), set(got))
            for kind, count in want.items():
                if count is not ANY and kind in got:
                    check(f"{kind} count", count, got[kind])
        elif key == "digits":
            check(key, want, {d.value for d in f.digits})
        elif key == "bones":
            check(key, want, {(b.value, b.ray) for b in f.bones})
        elif key == "region":
            check(key, want, {r.value for r in f.region})
        elif key == "side":
            check("laterality", want, f.laterality.value)
        elif key == "conflict":
            check("laterality conflict", want, f.laterality.conflict)
        elif key == "indications":
            check(key, want, {i.value for i in f.indications})
        elif key == "ind_has":
            missing = want - {i.value for i in f.indications}
            if missing:
                out.append(f"indications: missing {sorted(missing)}, got {sorted(i.value for i in f.indications)}")
        elif key == "ind_not":
            extra = want & {i.value for i in f.indications}
            if extra:
                out.append(f"indications: must not contain {sorted(extra)}")
        elif key == "planned":
            check("planned_status", want, f.planned_status.value)
        elif key == "approach":
            check(key, want, (f.approach.documented, f.approach.type, f.approach.incision_documented))
        elif key == "complexity":
            check("complexity_factors", want, {c.value for c in f.complexity_factors})
        elif key == "cx_has":
            missing = want - {c.value for c in f.complexity_factors}
            if missing:
                out.append(f"complexity_factors: missing {sorted(missing)}, got {sorted(c.value for c in f.complexity_factors)}")
        elif key == "lines":
            check("claim lines (sorted modifiers)", sorted(want), sorted(tuple(sorted(l.modifiers)) for l in result.claim_lines))
        elif key == "mods_has":
            missing = want - {m.code for m in result.modifiers}
            if missing:
                out.append(f"modifiers: missing {sorted(missing)}")
        elif key == "mods_not":
            extra = want & {m.code for m in result.modifiers}
            if extra:
                out.append(f"modifiers: must not contain {sorted(extra)}")
        else:  # pragma: no cover - a typo in the table
            raise KeyError(key)
    return out


@pytest.mark.parametrize("text, expected", CASES)
def test_extraction_trap(checker, text: str, expected: dict[str, Any]) -> None:
    result = checker.check(text)
    problems = _mismatches(result, expected)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, expected", [c for c in CASES if c.values[1].get("removal") is False])
def test_not_a_removal_keeps_checklist_quiet(checker, text: str, expected: dict[str, Any]) -> None:
    """A note with no removal gets no claim, no ICD-10 removal codes and no finger modifiers."""
    result = checker.check(text)
    assert result.procedure.units == 0
    assert result.claim_lines == []
    assert not {m.code for m in result.modifiers} & {"FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "22"}
    assert not [s.code for s in result.icd10_suggestions if s.code == "Z47.2" or s.code.startswith("T84")]
