"""Scores of checker results against gold: per-field micro P/R/F1, single-field accuracy, the
exact modifier set, and claim-level figures (wrong claims flagged, high alarms on correct claims).

Every field is scored as a set of (note, value) items, micro-averaged over notes: a multi-valued
field contributes one item per value, a single-valued one an item when it is set (not null, not
false). Accuracy counts a note right when the value equals the gold's, null included (a code of
"none" is null). A note is scored only on the fields its gold format annotates.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from notecheck.evaluation.gold import FieldValue, GoldBatch, GoldNote, as_value
from notecheck.models import ClaimContext, Result

CheckFn = Callable[[str, Optional[ClaimContext], str], Result]

# Table order; each gold format scores the subset it annotates.
FIELD_ORDER = (
    "is_implant_removal", "suggested_cpt", "units", "implants", "implant_counts", "region", "laterality",
    "laterality_conflict", "digits", "bones", "indications", "approach_documented", "approach_type",
    "incision_documented", "planned_status", "complexity_factors", "modifiers", "denial_risks",
)
SINGLE_FIELDS = frozenset({
    "is_implant_removal", "suggested_cpt", "units", "laterality", "laterality_conflict", "approach_documented",
    "approach_type", "incision_documented", "planned_status",
})
# The headline figures of issue 10's table: (id, label, field), scored as whole-value accuracy.
HEADLINE = (
    ("code", "code (26320/20680/20670/none)", "suggested_cpt"),
    ("modifier_set", "modifier set exactly right", "modifiers"),
    ("planned_status", "planned status", "planned_status"),
    ("laterality", "laterality", "laterality"),
    ("approach_documented", "approach documented", "approach_documented"),
)
# What a coder acts on: the robustness evaluation compares these.
KEY_FIELDS = ("suggested_cpt", "modifiers", "implants", "digits", "bones", "laterality", "planned_status", "indications")
FLAGGING_SEVERITIES = frozenset({"high", "medium"})


def result_fields(r: Result, bones_have_rays: bool = True) -> dict[str, FieldValue]:
    f = r.findings
    return {
        "is_implant_removal": as_value(r.procedure.is_implant_removal),
        "suggested_cpt": r.procedure.suggested_cpt,
        "units": as_value(r.procedure.units or None),
        "implants": frozenset(i.type for i in f.implants),
        "implant_counts": frozenset(f"{i.type}:{i.count}" for i in f.implants),
        "region": frozenset(x.value for x in f.region),
        "laterality": f.laterality.value,
        "laterality_conflict": as_value(f.laterality.conflict),
        "digits": frozenset(d.value for d in f.digits),
        "bones": frozenset(f"{b.value}:{b.ray}" if bones_have_rays else b.value for b in f.bones),
        "indications": frozenset(i.value for i in f.indications),
        "approach_documented": as_value(f.approach.documented),
        "approach_type": f.approach.type,
        "incision_documented": as_value(f.approach.incision_documented),
        "planned_status": f.planned_status.value,
        "complexity_factors": frozenset(c.value for c in f.complexity_factors),
        "modifiers": frozenset(m.code for m in r.modifiers),
        # Low risks are advice, not predictions of a denial.
        "denial_risks": frozenset(d.id for d in r.denial_risks if d.severity != "low"),
    }


def items(value: FieldValue) -> frozenset[str]:
    if isinstance(value, frozenset):
        return value
    return frozenset() if value in (None, "false") else frozenset({value})


def show(value: FieldValue) -> str:
    """A value as the misses list prints it: sets sorted, null as none."""
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    return "none" if value is None else value


@dataclass(frozen=True)
class Miss:
    note_id: str
    want: str
    got: str


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[Miss] = field(default_factory=list)

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


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass(frozen=True)
class NoteOutcome:
    """One note scored: gold and predicted values of the fields its gold annotates, and its claim."""

    note_id: str
    batch: str
    want: dict[str, FieldValue]
    got: dict[str, FieldValue]
    claim_wrong: Optional[bool]  # None when the claims row has no billed code
    risks: tuple[tuple[str, str], ...]  # (id, severity) of every denial risk raised


@dataclass
class ClaimScores:
    billed: int = 0
    wrong: int = 0
    wrong_flagged: int = 0
    wrong_unflagged: list[str] = field(default_factory=list)
    correct: int = 0
    high_on_correct: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def flagged_share(self) -> float:
        return self.wrong_flagged / self.wrong if self.wrong else 1.0


@dataclass
class Scores:
    name: str
    n_notes: int
    formats: dict[str, int]
    fields: dict[str, FieldScore]
    headline: dict[str, Accuracy]
    claims: ClaimScores


def claim_is_wrong(gold: GoldNote) -> Optional[bool]:
    """Is the billed claim wrong? The gold's `billed_claim_correct` decides when given; otherwise a
    claim is wrong when its code differs from the expected code (none included) or its modifier set
    from the expected one, and, where the gold annotates them (sample_notes format), when its units
    differ from the expected units or the gold expects a denial risk for the claim as billed (a
    claim the note does not support). None when nothing was billed."""
    claim = gold.claim
    if claim is not None and claim.billed_lines:
        # A multi-line claim (repeated note_id rows): its removal line(s), units summed and
        # modifiers unioned, as the single-line fields would carry them.
        from notecheck.coding.claim import removal_view
        from notecheck.registry import load_registry

        # Which codes are removal codes is a fact of the gold's coding, not of the rules under test.
        claim = removal_view(claim, gold.fields.get("suggested_cpt"), load_registry().coding.removal_codes)
    if claim is None or claim.billed_cpt is None:
        return None
    if gold.billed_claim_correct is not None:
        return not gold.billed_claim_correct
    expected_cpt = gold.fields.get("suggested_cpt")
    wrong = claim.billed_cpt != (expected_cpt or "none")
    if "modifiers" in gold.fields:
        wrong = wrong or frozenset(claim.billed_modifiers) != gold.fields["modifiers"]
    expected_units = gold.fields.get("units")
    if not isinstance(expected_units, str) and expected_cpt and "modifiers" in gold.fields:
        # The released format gives no units: one unit per claim line (CONTRACT §1), and each
        # digit line carries its own finger modifier, so a claim needs as many units as finger
        # modifiers (one per side for metacarpal or hand sites).
        fingers = [m for m in gold.fields["modifiers"] if m == "FA" or (m.startswith("F") and m[1:].isdigit())]
        sides = [m for m in gold.fields["modifiers"] if m in ("LT", "RT")]
        expected_units = str(max(1, len(fingers), len(sides)))
    if isinstance(expected_units, str) and claim.billed_units is not None:
        wrong = wrong or str(claim.billed_units) != expected_units
    return wrong or bool(gold.fields.get("denial_risks"))


def score_note(gold: GoldNote, result: Result, batch: str) -> NoteOutcome:
    predicted = result_fields(result, gold.bones_have_rays)
    return NoteOutcome(
        note_id=gold.note_id,
        batch=batch,
        want=dict(gold.fields),
        got={name: predicted[name] for name in gold.fields},
        claim_wrong=claim_is_wrong(gold),
        risks=tuple((d.id, d.severity) for d in result.denial_risks),
    )


def run_batches(batches: Iterable[GoldBatch], check: CheckFn) -> tuple[list[NoteOutcome], dict[tuple[str, str], Result]]:
    """Check every gold note once; the outcomes and the results by (batch, note id)."""
    outcomes: list[NoteOutcome] = []
    results: dict[tuple[str, str], Result] = {}
    for batch in batches:
        for gold in batch.notes:
            result = check(gold.read_text(), gold.claim, gold.note_id)
            results[(batch.name, gold.note_id)] = result
            outcomes.append(score_note(gold, result, batch.name))
    return outcomes, results


def score(name: str, outcomes: list[NoteOutcome], formats: Optional[dict[str, int]] = None) -> Scores:
    fields: dict[str, FieldScore] = {}
    for o in outcomes:
        for fname in FIELD_ORDER:
            if fname not in o.want:
                continue
            s = fields.setdefault(fname, FieldScore())
            want, got = items(o.want[fname]), items(o.got[fname])
            s.tp += len(want & got)
            s.fp += len(got - want)
            s.fn += len(want - got)
            if o.want[fname] != o.got[fname]:
                s.misses.append(Miss(o.note_id, show(o.want[fname]), show(o.got[fname])))
    ordered = {n: fields[n] for n in FIELD_ORDER if n in fields}

    headline: dict[str, Accuracy] = {}
    for key, _, fname in HEADLINE:
        acc = headline.setdefault(key, Accuracy())
        for o in outcomes:
            if fname in o.want:
                acc.total += 1
                acc.right += o.want[fname] == o.got[fname]

    claims = ClaimScores()
    for o in outcomes:
        if o.claim_wrong is None:
            continue
        claims.billed += 1
        if o.claim_wrong:
            claims.wrong += 1
            if any(sev in FLAGGING_SEVERITIES for _, sev in o.risks):
                claims.wrong_flagged += 1
            else:
                claims.wrong_unflagged.append(o.note_id)
        else:
            claims.correct += 1
            high = tuple(rid for rid, sev in o.risks if sev == "high")
            if high:
                claims.high_on_correct.append((o.note_id, high))
    return Scores(name, len(outcomes), formats or {}, ordered, headline, claims)


def format_counts(batch: GoldBatch) -> dict[str, int]:
    return dict(Counter(n.format for n in batch.notes))
