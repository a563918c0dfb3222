"""ICD-10-CM suggestions for the removal (DOMAIN decision 8, §6)."""
from __future__ import annotations

from notecheck.models import Findings, Icd10Suggestion
from notecheck.rules import Icd10Rules

HAND_REGIONS = ("finger", "hand")


def suggest_icd10(f: Findings, rules: Icd10Rules) -> list[Icd10Suggestion]:
    if not (f.implants or f.generic_hardware_removed):
        return []
    types = {i.type for i in f.implants}
    hand = bool({r.value for r in f.region} & set(HAND_REGIONS))
    if types and types <= {"joint_implant"}:
        table, device = rules.joint_indications, "finger-joint implant"
    elif types and types <= {"suture_anchor", "other"}:
        table, device = rules.other_device_indications, "device"
    else:
        table, device = rules.fixation_indications, "fixation device"
    out: dict[str, Icd10Suggestion] = {}
    indications = [i.value for i in f.indications]
    for value in indications:
        mapping = table.get(value)
        if mapping is None:
            continue
        if device == "fixation device" and not hand and mapping.code.startswith("T84.2"):
            continue  # T84.2- is hand and fingers only; other sites need the limb code with its side
        out.setdefault(mapping.code, Icd10Suggestion(
            code=mapping.code, description=rules.codes[mapping.code],
            reason=f"The note documents {value.replace('_', ' ')}: {mapping.why}.",
        ))
    side = f.laterality.value
    if "stiffness" in indications and hand and side in rules.stiffness:
        code = rules.stiffness[side]
        out.setdefault(code, Icd10Suggestion(code=code, description=rules.codes[code],
                                             reason="Stiffness of the hand is documented as an indication."))
    if not any(c.startswith("T84") for c in out):
        why = "fracture healed" if "fracture_healed" in indications else "planned removal" if "staged_removal" in indications else "no complication documented"
        out["Z47.2"] = Icd10Suggestion(
            code="Z47.2", description=rules.codes["Z47.2"],
            reason=f"Removal without a documented complication ({why}); after a traumatic fracture the S62 fracture code with 7th character D is an accepted alternative. Never with T84.6-/T84.1-.",
        )
    return list(out.values())
