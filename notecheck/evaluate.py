"""`notecheck eval`: per-field precision, recall and F1 against gold JSON (sample_notes/ format).

Every field is scored as a set of (note, value) items, micro-averaged over notes: a multi-valued
field contributes one item per value, a single-valued one an item when it is not null. The claim
context for each note comes from `claims.csv` in the same folder, when present.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from notecheck.models import ClaimContext, Result

Items = set[str]


def _single(value: Any) -> Items:
    return set() if value in (None, "", False) else {str(value).lower() if isinstance(value, bool) else str(value)}


def _gold_fields(g: dict) -> dict[str, Items]:
    f, p = g.get("findings", {}), g.get("procedure", {})
    lat = f.get("laterality") or {}
    appr = f.get("approach") or {}
    return {
        "is_implant_removal": _single(p.get("is_implant_removal")),
        "suggested_cpt": _single(p.get("suggested_cpt")),
        "units": _single(p.get("units") or None),
        "implants": {i["type"] for i in f.get("implants", [])},
        "implant_counts": {f"{i['type']}:{i.get('count')}" for i in f.get("implants", [])},
        "region": set(f.get("region", [])),
        "laterality": _single(lat.get("value")),
        "laterality_conflict": _single(lat.get("conflict")),
        "digits": set(f.get("digits", [])),
        "bones": {f"{b['value']}:{b.get('ray')}" for b in f.get("bones", [])},
        "indications": set(f.get("indications", [])),
        "approach_documented": _single(appr.get("documented")),
        "approach_type": _single(appr.get("type")),
        "incision_documented": _single(appr.get("incision_documented")),
        "planned_status": _single(f.get("planned_status")),
        "complexity_factors": set(f.get("complexity_factors", [])),
        "modifiers": set(g.get("modifiers", [])),
        "denial_risks": set(g.get("denial_risks", [])),
    }


def _result_fields(r: Result) -> dict[str, Items]:
    f = r.findings
    return {
        "is_implant_removal": _single(r.procedure.is_implant_removal),
        "suggested_cpt": _single(r.procedure.suggested_cpt),
        "units": _single(r.procedure.units or None),
        "implants": {i.type for i in f.implants},
        "implant_counts": {f"{i.type}:{i.count}" for i in f.implants},
        "region": {x.value for x in f.region},
        "laterality": _single(f.laterality.value),
        "laterality_conflict": _single(f.laterality.conflict),
        "digits": {d.value for d in f.digits},
        "bones": {f"{b.value}:{b.ray}" for b in f.bones},
        "indications": {i.value for i in f.indications},
        "approach_documented": _single(f.approach.documented),
        "approach_type": _single(f.approach.type),
        "incision_documented": _single(f.approach.incision_documented),
        "planned_status": _single(f.planned_status.value),
        "complexity_factors": {c.value for c in f.complexity_factors},
        "modifiers": {m.code for m in r.modifiers},
        # Low risks are advice, not predictions of a denial.
        "denial_risks": {d.id for d in r.denial_risks if d.severity != "low"},
    }


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_claims(folder: Path) -> dict[str, ClaimContext]:
    path = folder / "claims.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {row["note_id"]: ClaimContext.model_validate(row) for row in csv.DictReader(fh) if row.get("note_id")}


def gold_pairs(folder: Path) -> list[tuple[str, Path, dict]]:
    out = []
    for gold in sorted(folder.glob("*.json")):
        text = gold.with_suffix(".txt")
        if text.exists():
            out.append((gold.stem, text, json.loads(gold.read_text(encoding="utf-8"))))
    return out


def evaluate(folder: Path, check: Callable[[str, Optional[ClaimContext], str], Result]) -> dict[str, FieldScore]:
    claims = load_claims(folder)
    scores: dict[str, FieldScore] = {}
    for note_id, text_path, gold in gold_pairs(folder):
        ctx = claims.get(note_id)
        result = check(text_path.read_text(encoding="utf-8"), ctx, note_id)
        want, got = _gold_fields(gold), _result_fields(result)
        for name, expected in want.items():
            s = scores.setdefault(name, FieldScore())
            predicted = got[name]
            s.tp += len(expected & predicted)
            s.fp += len(predicted - expected)
            s.fn += len(expected - predicted)
            if expected != predicted:
                s.misses.append(f"{note_id}: want {sorted(expected)} got {sorted(predicted)}")
    return scores


def format_table(scores: dict[str, FieldScore], n_notes: int) -> str:
    lines = [f"notecheck eval: {n_notes} notes", f"{'field':<22}{'precision':>10}{'recall':>9}{'F1':>8}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for name, s in scores.items():
        lines.append(f"{name:<22}{s.precision:>10.3f}{s.recall:>9.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    total = FieldScore(sum(s.tp for s in scores.values()), sum(s.fp for s in scores.values()), sum(s.fn for s in scores.values()))
    lines.append(f"{'ALL (micro)':<22}{total.precision:>10.3f}{total.recall:>9.3f}{total.f1:>8.3f}{total.tp:>6}{total.fp:>5}{total.fn:>5}")
    return "\n".join(lines)
