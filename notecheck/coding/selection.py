"""Which code the documented removal supports (DOMAIN.md decisions 1-3, §2.1, §4.5)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from notecheck.coding.why import Fact
from notecheck.models import Findings
from notecheck.rules import CodingRules



@dataclass
class Selection:
    is_removal: bool
    cpt: Optional[str]
    reason: str
    kind: str  # removal | not_removal | pin_pull | integral | external_fixator | no_site
    flags: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)  # what the chosen branch read, in order (--explain)
    # Hardware out of a hand site and a separate forearm site: the forearm site's own code (20680 or
    # 20670), on a line of its own beside the hand's 26320.
    forearm_cpt: Optional[str] = None


def _site_words(f: Findings) -> str:
    side = f.laterality.value if f.laterality.value in ("left", "right") else ""
    if f.digits:
        names = " and ".join(d.value for d in f.digits)
        return f"the {side} {names} finger".replace("  ", " ").replace("thumb finger", "thumb")
    if f.bones:
        b = f.bones[0]
        label = "non-hand site" if b.value == "other" else b.value.replace("_", " ")
        return f"the {side} {label}".replace("  ", " ")
    return "the documented site"


def select_code(f: Findings, rules: CodingRules) -> Selection:
    facts: list[Fact] = []
    selection = _select(f, rules, facts)
    selection.facts = facts
    return selection


def _select(f: Findings, rules: CodingRules, why: list[Fact]) -> Selection:
    why.append(Fact.of_values("implants removed", f.implants))
    if f.generic_hardware_removed:
        why.append(Fact("hardware removed (type not named)", "yes", "note", tuple(f.generic_hardware_removed[:2])))
    if not (f.implants or f.generic_hardware_removed):
        return Selection(False, None, "No implant is documented as removed in this procedure; a removal code is not supported.", "not_removal")
    types = {i.type for i in f.implants}
    anesthesia = {a.value for a in f.anesthesia}
    settings = {s.value for s in f.setting}
    under_anesthesia = bool(anesthesia - {"no_anesthesia"})
    in_or = bool(settings & {"operating_room", "procedure_room"})
    why.append(Fact.of_values("anesthesia", f.anesthesia))
    why.append(Fact.of_values("setting", f.setting))
    # The pins and wires of a frame come out with it: they are the fixator, not a second implant.
    if "external_fixator" in types and types - {"external_fixator"} <= set(rules.percutaneous_types):
        why.append(Fact("percutaneous_types", ", ".join(rules.percutaneous_types), "rules"))
        if under_anesthesia or in_or:
            return Selection(True, None, "An external fixator removed under anesthesia is reported with 20694 (CPT 20694: removal, under anesthesia, of external fixation system), not 26320.", "external_fixator", ["20694"])
        return Selection(True, None, "External fixator removal without anesthesia is part of the index operation's 90-day global package (CMS global surgery rules: postoperative care by the surgeon is included).", "external_fixator")
    integral = [p.value for p in f.same_site_procedures if p.value in rules.integral_procedures]
    why.append(Fact.of_values("same-site procedures", f.same_site_procedures))
    if integral:
        why.append(Fact("integral_procedures", ", ".join(rules.integral_procedures), "rules"))
        return Selection(True, None, f"The removal is integral to the {integral[0]} done at the same site and is not separately reportable (NCCI Policy Manual, Ch. IV: removal that is an integral part of another procedure).", "integral")
    # Pins pulled through the skin: said so, or nothing says how and the note is a clinic visit
    # without anesthesia.
    # A clinic visit without anesthesia and without an incision pulls pins, whatever word the note
    # uses for the wires' state ("wires were exposed with pin caps").
    no_cut_visit = "clinic" in settings and "no_anesthesia" in anesthesia  # the incision is ruled out below
    pulled = f.approach.type == "percutaneous" or no_cut_visit or (
        not f.approach.documented and ("clinic" in settings or "no_anesthesia" in anesthesia))
    percutaneous_only = pulled and not f.approach.incision_documented and (not types or types <= set(rules.percutaneous_types))
    why.append(Fact("approach", (f.approach.type or "not documented") + (", incision" if f.approach.incision_documented else ""),
                    "note", tuple(f.approach.evidence[:2])))
    # Pulled without an incision and, by the note's own word, without anaesthesia: a pin pull, wherever
    # the room ("Proc Room 2 ... No anesthesia, no local needed ... caps off, both pins pulled").
    if percutaneous_only and not under_anesthesia and (not in_or or "no_anesthesia" in anesthesia):
        return Selection(True, None, "Exposed percutaneous pins pulled without an incision or anesthesia are part of the index global package; no removal code is separately reportable (CMS global surgery rules; AAOS coding guidance on pin removal).", "pin_pull")
    hand = any(b.value in rules.hand_bones for b in f.bones) or bool(f.digits)
    wrist = any(b.value in rules.wrist_bones for b in f.bones)
    regions = {r.value for r in f.region}
    if not hand and not wrist and not f.bones:
        hand = bool(regions & {"finger", "hand"})
        wrist = bool(regions & {"wrist", "forearm"})
    why.append(Fact.of_values("digits", f.digits))
    why.append(Fact.of_values("bones", f.bones))
    if not f.digits and not f.bones:
        why.append(Fact.of_values("region", f.region))
    why.append(Fact("hand_bones", ", ".join(rules.hand_bones), "rules"))
    why.append(Fact("wrist_bones", ", ".join(rules.wrist_bones), "rules"))
    where = _site_words(f)
    wrist_site = {b.value for b in f.bones if b.value in rules.wrist_bones}
    # A plate named as spanning the wrist ("dorsal spanning bridge plate") out of the radius and a
    # metacarpal, no finger named: one construct (DOMAIN 2.1-2: mixed site, one construct -> 20680).
    one_bridge_plate = hand and wrist and not f.digits and types <= set(rules.spanning_plate_types) and bool(f.spanning_plate)
    if hand and wrist and wrist_site and wrist_site <= set(rules.separate_from_hand_bones) and not one_bridge_plate:
        forearm = _depth_code(f, rules, types, in_or, anesthesia, where, []).cpt or "20680"
        # The hand's 26320 is the code this checker is about and stays the suggested one; the payer
        # ranks the lines by fee (DOMAIN §1: multiple-procedure ranking 100/50 %).
        return Selection(True, "26320", f"Hardware came out of a hand site and a separate forearm site ({where}): the hand site is 26320 and the forearm site, a distinct anatomic site, takes its own {forearm} line (NCCI Ch. IV unit of service: a distinct and separate anatomic site).", "removal", ["wrist_hand_ambiguity"], forearm_cpt=forearm)
    if hand and wrist:
        return Selection(True, "20680", f"Hardware came out of both hand and wrist/carpal sites ({where}); one construct spanning both is coded once as 20680 (CPT Assistant June 2009 as discussed by AAPC: one construct, one code).", "removal", ["wrist_hand_ambiguity"])
    if hand:
        how = "through an incision" if f.approach.incision_documented or f.approach.type == "open" else "in the operating/procedure room"
        return Selection(True, "26320", f"Hardware removed from {where} {how}: a hand/finger site, so 26320 (CPT: the site-specific code for implant removal from a finger or hand).", "removal")
    if wrist or f.bones or regions:
        return _depth_code(f, rules, types, in_or, anesthesia, where, why)
    return Selection(True, None, "Hardware was removed but the note names no site, so the code cannot be chosen; name the digit or bone.", "no_site")


def _depth_code(f: Findings, rules: CodingRules, types: set[str], in_or: bool, anesthesia: set[str], where: str,
                why: list[Fact]) -> Selection:
    """20670 or 20680 for a site that is not the hand: superficial or deep (DOMAIN 2.2)."""
    shallow = set(rules.superficial_types)
    if not in_or and anesthesia <= {"local", "walant", "no_anesthesia"}:
        shallow |= set(rules.superficial_office_types)
    # Wires pulled through the skin with no incision never went below it: a superficial removal
    # (DOMAIN 2.2: 20670 = implant pulled or unscrewed, no layered closure), even under anaesthesia.
    pulled_through_skin = f.approach.type == "percutaneous" and not f.approach.incision_documented and \
        bool(types) and types <= set(rules.percutaneous_types)
    superficial = pulled_through_skin or any(d.value == "superficial" for d in f.depth)
    if superficial:
        shallow |= set(rules.superficial_when_stated_types)
    deep = any(d.value == "deep" for d in f.depth) or bool(types - shallow)
    why.append(Fact.of_values("depth", f.depth))
    why.append(Fact("superficial_types", ", ".join(sorted(shallow)), "rules"))
    if superficial and not deep:
        return Selection(True, "20670", f"A buried superficial implant removed from {where} through a small incision with simple closure: 20670 (CPT: removal of implant, superficial).", "removal")
    return Selection(True, "20680", f"Hardware removed from {where}, not a finger/hand site: deep implant removal 20680 (CPT: removal of implant, deep).", "removal")
