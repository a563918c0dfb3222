"""What an audit adds up to: totals, ready-to-sign rate, gap rate per checklist item, denial risks
by type and severity, and revenue at risk. Built one record at a time (records are never held),
so it costs the same for 100 notes as for 100,000.

Revenue at risk, per note: the amount is the sum over the billed lines of code x units at the fee
table's rate for the claim's setting (place of service) when a claim was supplied and the table
prices a billed code, else the suggested code x units (the claim the note supports). Revenue is
also split by setting (office, hospital_outpatient, asc, inpatient, or not_given), with the
facility's amounts apart from the physician's when the fee table has them.
A note's amount is at risk for *denial* when it carries a high-severity denial risk, for
*documentation* when it is an implant removal that is not ready to sign, and *unchecked* when the
note could not be checked but a claim was billed for it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from pydantic import BaseModel, computed_field

from notecheck.audit.fees import FeeTable
from notecheck.models import ClaimContext

SEVERITIES = ("high", "medium", "low")
NO_SETTING = "not_given"
MAX_LISTED = 1000  # ids and errors listed by name in the summary; the counts are always complete


def _rank(severity: Optional[str]) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass
class NoteRow:
    """One record flattened for the CSV row, the report table and the revenue figures."""

    seq: int
    note_id: str
    error: Optional[str]
    encoding: Optional[str]
    score: Optional[int]
    ready_to_sign: Optional[bool]
    is_implant_removal: Optional[bool]
    suggested_cpt: Optional[str]
    units: Optional[int]
    claim_lines: str
    modifiers: str
    icd10: str
    billed_cpt: Optional[str]
    billed_units: Optional[int]
    billed_modifiers: str
    risk_ids: list[str]
    top_severity: Optional[str]
    checklist: dict[str, str]
    amount: Optional[float]
    at_risk: Optional[str]  # "denial", "documentation", "unchecked" or None
    setting: str = NO_SETTING
    facility_amount: Optional[float] = None
    billed_lines: list[str] = field(default_factory=list)  # "99213 x1 57", one per billed line
    line_risks: dict[str, list[str]] = field(default_factory=dict)  # billed code -> risk ids naming it

    @classmethod
    def build(cls, seq: int, record: dict[str, Any], claim: Optional[ClaimContext], fees: FeeTable) -> "NoteRow":
        error = record.get("error")
        procedure = record.get("procedure") or {}
        risks = record.get("denial_risks") or []
        top = min((r.get("severity") for r in risks), key=_rank, default=None)
        lines = claim.lines() if claim else []
        setting = _setting(claim, fees)
        if claim is not None and claim.billed_lines:
            billed_cpt: Optional[str] = " ".join(dict.fromkeys(l.cpt for l in lines))
            billed_units: Optional[int] = sum(l.units for l in lines)
        else:
            billed_cpt = claim.billed_cpt if claim else None
            billed_units = claim.billed_units if claim else None
        # The billed amount when the fee table prices a billed code; else what the note supports.
        priced = [a for a in (fees.amount(l.cpt, l.units, setting) for l in lines) if a is not None]
        amount = sum(priced) if priced else None
        if amount is None and billed_cpt and not lines:
            amount = fees.amount(billed_cpt, billed_units, setting)
        facility = [a for a in (fees.facility_amount(l.cpt, l.units, setting) for l in lines) if a is not None]
        facility_amount = sum(facility) if facility else None
        if amount is None and not error and procedure.get("suggested_cpt"):
            amount = fees.amount(procedure.get("suggested_cpt"), procedure.get("units"), setting)
            facility_amount = fees.facility_amount(procedure.get("suggested_cpt"), procedure.get("units"), setting)
        line_risks: dict[str, list[str]] = {}
        for risk in risks:
            for code in risk.get("lines") or []:
                line_risks.setdefault(code, []).append(risk.get("id", ""))
        if error:
            at_risk = "unchecked" if billed_cpt else None
        elif top == "high":
            at_risk = "denial"
        elif procedure.get("is_implant_removal") and not record.get("ready_to_sign"):
            at_risk = "documentation"
        else:
            at_risk = None
        return cls(
            seq=seq,
            note_id=str(record.get("note_id", "")),
            error=error,
            encoding=record.get("encoding"),
            score=None if error else record.get("score"),
            ready_to_sign=None if error else record.get("ready_to_sign"),
            is_implant_removal=None if error else procedure.get("is_implant_removal"),
            suggested_cpt=procedure.get("suggested_cpt"),
            units=None if error else procedure.get("units"),
            claim_lines=" | ".join(_claim_line(line) for line in record.get("claim_lines") or []),
            modifiers=" ".join(m.get("code", "") for m in record.get("modifiers") or []),
            icd10=" ".join(c.get("code", "") for c in record.get("icd10_suggestions") or []),
            billed_cpt=billed_cpt,
            billed_units=billed_units,
            billed_modifiers=(" | ".join(" ".join(l.modifiers) for l in lines) if claim is not None and claim.billed_lines
                              else " ".join(claim.billed_modifiers) if claim else ""),
            risk_ids=[r.get("id", "") for r in risks],
            top_severity=top,
            checklist={item.get("id", ""): item.get("status", "") for item in record.get("checklist") or []},
            amount=amount,
            at_risk=at_risk,
            setting=setting,
            facility_amount=facility_amount,
            billed_lines=[_billed_line(l.cpt, l.units, l.modifiers) for l in lines] if claim is not None and claim.billed_lines else [],
            line_risks=line_risks,
        )


def _setting(claim: Optional[ClaimContext], fees: FeeTable) -> str:
    if claim is None or not claim.place_of_service:
        return NO_SETTING
    return fees.setting_of(claim.place_of_service) or f"pos_{claim.place_of_service}"


def _billed_line(cpt: str, units: int, modifiers: list[str]) -> str:
    return f"{cpt} x{units}" + (f" {' '.join(modifiers)}" if modifiers else "")


def _claim_line(line: dict[str, Any]) -> str:
    mods = " ".join(line.get("modifiers") or [])
    text = f"{line.get('cpt')} x{line.get('units', 1)}"
    if mods:
        text += f" {mods}"
    if line.get("site"):
        text += f" ({line['site']})"
    return text


# --- the summary as data (also written as OUT.summary.json) -----------------------------------


class ItemGaps(BaseModel):
    id: str
    title: str
    met: int = 0
    partial: int = 0
    missing: int = 0
    not_applicable: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def applicable(self) -> int:
        return self.met + self.partial + self.missing

    @computed_field  # type: ignore[prop-decorator]
    @property
    def gap_rate(self) -> Optional[float]:
        """Share of the notes this item applies to where it is partial or missing."""
        return (self.partial + self.missing) / self.applicable if self.applicable else None


class RiskRow(BaseModel):
    id: str
    severity: str
    notes: int
    amount: float  # sum of the amounts of the notes carrying this risk (notes may carry several)


class NoteError(BaseModel):
    note_id: str
    error: str


class ClaimsJoin(BaseModel):
    file: str
    rows: int
    joined: int
    notes_without_claim: int
    notes_without_claim_ids: list[str]
    claims_without_note: int
    claims_without_note_ids: list[str]
    invalid_rows: dict[str, str]
    duplicate_rows: list[str]
    rows_without_note_id: int


class SettingRevenue(BaseModel):
    setting: str
    notes: int = 0
    claimed: float = 0.0
    at_risk: float = 0.0
    facility_claimed: float = 0.0  # the facility's payments, when the fee table has them
    facility_at_risk: float = 0.0


class Revenue(BaseModel):
    fee_source: str
    fees: dict[str, float]
    claimed_total: float
    at_risk_total: float
    at_risk_denial: float
    at_risk_documentation: float
    at_risk_unchecked: float
    notes_at_risk: int
    codes_without_fee: list[str]
    by_setting: list[SettingRevenue] = []


class AuditSummary(BaseModel):
    input: str
    output: str
    rules_versions: list[str]
    notes: int
    checked: int
    errors: int
    implant_removals: int
    ready_to_sign: int
    ready_rate: Optional[float]  # of implant-removal notes: the checklist is about removals
    suggested_codes: dict[str, int]
    encodings: dict[str, int]
    score_histogram: list[int]  # implant-removal notes by score: 0-9, 10-19, ..., 90-100
    checklist: list[ItemGaps]
    risks: list[RiskRow]
    risk_instances_by_severity: dict[str, int]
    notes_by_top_severity: dict[str, int]
    error_list: list[NoteError]
    duplicate_note_ids: list[str]
    ignored_files: int
    claims: Optional[ClaimsJoin]
    revenue: Revenue
    resumed_after: int = 0
    elapsed_seconds: Optional[float] = None


@dataclass
class SummaryBuilder:
    fees: FeeTable
    item_titles: dict[str, str] = field(default_factory=dict)  # checklist order from the rules
    notes: int = 0
    errors: int = 0
    removals: int = 0
    ready: int = 0
    suggested: Counter = field(default_factory=Counter)
    encodings: Counter = field(default_factory=Counter)
    histogram: list[int] = field(default_factory=lambda: [0] * 10)
    items: dict[str, ItemGaps] = field(default_factory=dict)
    risk_notes: Counter = field(default_factory=Counter)
    risk_amount: Counter = field(default_factory=Counter)
    risk_severity: dict[str, str] = field(default_factory=dict)
    severity_instances: Counter = field(default_factory=Counter)
    top_severity: Counter = field(default_factory=Counter)
    error_list: list[NoteError] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    duplicates: list[str] = field(default_factory=list)
    rules_versions: set[str] = field(default_factory=set)
    claimed_total: float = 0.0
    at_risk: Counter = field(default_factory=Counter)
    notes_at_risk: int = 0
    codes_without_fee: set[str] = field(default_factory=set)
    settings: dict[str, SettingRevenue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item_id, title in self.item_titles.items():
            self.items[item_id] = ItemGaps(id=item_id, title=title)

    def add(self, record: dict[str, Any], claim: Optional[ClaimContext]) -> NoteRow:
        row = NoteRow.build(self.notes, record, claim, self.fees)
        self.notes += 1
        if row.note_id in self.seen_ids:
            if len(self.duplicates) < MAX_LISTED:
                self.duplicates.append(row.note_id)
        else:
            self.seen_ids.add(row.note_id)
        self._add_revenue(row)
        if row.error:
            self.errors += 1
            if len(self.error_list) < MAX_LISTED:
                self.error_list.append(NoteError(note_id=row.note_id, error=row.error))
            return row
        self.encodings[row.encoding or "unknown"] += 1
        if record.get("rules_version"):
            self.rules_versions.add(record["rules_version"])
        self.suggested[row.suggested_cpt or "none"] += 1
        if row.is_implant_removal:
            self.removals += 1
            self.ready += bool(row.ready_to_sign)
            self.histogram[min(9, max(0, (row.score or 0) // 10))] += 1
        for item in record.get("checklist") or []:
            gaps = self.items.setdefault(item["id"], ItemGaps(id=item["id"], title=item.get("title", item["id"])))
            status = item.get("status")
            if status in ("met", "partial", "missing", "not_applicable"):
                setattr(gaps, status, getattr(gaps, status) + 1)
        for risk in record.get("denial_risks") or []:
            self.risk_notes[risk["id"]] += 1
            self.risk_amount[risk["id"]] += row.amount or 0.0
            self.risk_severity[risk["id"]] = risk.get("severity", "low")
            self.severity_instances[risk.get("severity", "low")] += 1
        if row.top_severity:
            self.top_severity[row.top_severity] += 1
        return row

    def _add_revenue(self, row: NoteRow) -> None:
        for code in [*(row.billed_cpt or "").split(), row.suggested_cpt]:
            if code and not self.fees.prices(code):
                self.codes_without_fee.add(code)
        if row.amount is None:
            return
        self.claimed_total += row.amount
        by_setting = self.settings.setdefault(row.setting, SettingRevenue(setting=row.setting))
        by_setting.notes += 1
        by_setting.claimed += row.amount
        by_setting.facility_claimed += row.facility_amount or 0.0
        if row.at_risk:
            self.at_risk[row.at_risk] += row.amount
            self.notes_at_risk += 1
            by_setting.at_risk += row.amount
            by_setting.facility_at_risk += row.facility_amount or 0.0

    def build(self, *, input: str, output: str, claims: Optional[ClaimsJoin], ignored_files: int,
              resumed_after: int = 0, elapsed: Optional[float] = None) -> AuditSummary:
        risks = sorted(
            (RiskRow(id=rid, severity=self.risk_severity[rid], notes=n, amount=round(self.risk_amount[rid], 2))
             for rid, n in self.risk_notes.items()),
            key=lambda r: (_rank(r.severity), -r.notes, r.id),
        )
        return AuditSummary(
            input=input,
            output=output,
            rules_versions=sorted(self.rules_versions),
            notes=self.notes,
            checked=self.notes - self.errors,
            errors=self.errors,
            implant_removals=self.removals,
            ready_to_sign=self.ready,
            ready_rate=self.ready / self.removals if self.removals else None,
            suggested_codes=dict(self.suggested.most_common()),
            encodings=dict(self.encodings.most_common()),
            score_histogram=self.histogram,
            checklist=list(self.items.values()),
            risks=risks,
            risk_instances_by_severity={s: self.severity_instances.get(s, 0) for s in SEVERITIES},
            notes_by_top_severity={s: self.top_severity.get(s, 0) for s in SEVERITIES},
            error_list=self.error_list,
            duplicate_note_ids=self.duplicates,
            ignored_files=ignored_files,
            claims=claims,
            revenue=Revenue(
                fee_source=self.fees.source,
                fees=self.fees.fees,
                claimed_total=round(self.claimed_total, 2),
                at_risk_total=round(sum(self.at_risk.values()), 2),
                at_risk_denial=round(self.at_risk["denial"], 2),
                at_risk_documentation=round(self.at_risk["documentation"], 2),
                at_risk_unchecked=round(self.at_risk["unchecked"], 2),
                notes_at_risk=self.notes_at_risk,
                codes_without_fee=sorted(self.codes_without_fee),
                by_setting=[
                    v.model_copy(update={k: round(getattr(v, k), 2) for k in ("claimed", "at_risk", "facility_claimed", "facility_at_risk")})
                    for _, v in sorted(self.settings.items())
                ],
            ),
            resumed_after=resumed_after,
            elapsed_seconds=elapsed,
        )
