"""Findings + coding -> the 26320 documentation checklist, score and ready_to_sign.
Item texts live in patterns/checklist.yaml; this module only decides each status."""
from __future__ import annotations

from notecheck.coding import Coding
from notecheck.models import ChecklistItem, Evidence, Findings
from notecheck.rules import ChecklistRules

Status = str


def _statuses(f: Findings, coding: Coding) -> dict[str, tuple[Status, list[Evidence], str]]:
    """item id -> (status, evidence, extra message)."""
    implants = [e for i in f.implants for e in i.evidence[:2]]
    out: dict[str, tuple[Status, list[Evidence], str]] = {}
    if f.implants:
        out["implant_type"] = ("met", implants, "")
    elif f.generic_hardware_removed:
        out["implant_type"] = ("partial", f.generic_hardware_removed[:2], "")
    else:
        out["implant_type"] = ("missing", [], "")
    site = [e for d in f.digits for e in d.evidence[:1]] + [e for b in f.bones for e in b.evidence[:1]]
    side = f.laterality.value is not None
    status = "met" if side and site else "partial" if side or site or f.region else "missing"
    out["anatomic_location"] = (status, site + f.laterality.evidence[:1], "")
    values = {i.value for i in f.indications}
    ind = [e for i in f.indications for e in i.evidence[:1]]
    out["indication"] = ("met" if values - {"patient_request"} else "partial" if values else "missing", ind, "")
    a = f.approach
    status = "met" if a.documented and (a.incision_documented or a.type == "percutaneous") else "partial" if a.documented else "missing"
    out["approach"] = (status, a.evidence[:3], "")
    out["planned_status"] = ("met" if f.planned_status.value else "partial", f.planned_status.evidence[:2], "")
    if f.complexity_factors:
        ev = [e for c in f.complexity_factors for e in c.evidence[:1]] + f.substantial_work[:1]
        out["modifier_22_support"] = ("met", ev, "") if coding.supports_22 else ("partial", ev, (coding.reason_22 or "") if coding.own_code_22 else "")
    else:
        out["modifier_22_support"] = ("not_applicable", [], "")
    out["anesthesia"] = ("met" if f.anesthesia else "missing", [e for x in f.anesthesia for e in x.evidence[:1]], "")
    out["hardware_accounted"] = ("met" if f.hardware_accounted else "missing", f.hardware_accounted[:2], "")
    pulled = a.type == "percutaneous" and not a.incision_documented
    out["closure"] = ("not_applicable" if pulled and not f.closure else "met" if f.closure else "missing", f.closure[:2], "")
    g = coding.global_decision
    out["global_period"] = ("met" if g.decidable else "partial", [], "" if g.decidable else g.reason)
    return out


def build_checklist(f: Findings, coding: Coding, rules: ChecklistRules) -> tuple[list[ChecklistItem], int, bool]:
    if not coding.procedure.is_implant_removal:
        items = [
            ChecklistItem(id=i, title=t.title, status="not_applicable", message="No implant removal is documented in this note.")
            for i, t in rules.items.items()
        ]
        return items, 0, False
    statuses = _statuses(f, coding)
    items: list[ChecklistItem] = []
    earned = total = 0.0
    ready = True
    for item_id, text in rules.items.items():
        status, evidence, extra = statuses[item_id]
        message = "" if status in ("met", "not_applicable") else (extra or text.messages[status])
        if status == "met":
            message = f"{text.title}: documented."
        elif status == "not_applicable":
            message = f"{text.title}: not applicable."
        items.append(ChecklistItem(id=item_id, title=text.title, status=status, message=message, evidence=evidence))
        if status == "not_applicable" or not text.scored:
            continue
        total += text.weight
        earned += text.weight * {"met": 1.0, "partial": 0.5}.get(status, 0.0)
        if (text.required and status == "missing") or (text.core and status != "met"):
            ready = False
    score = round(100 * earned / total) if total else 0  # algorithm: a percentage
    return items, score, ready and score >= rules.ready_threshold
