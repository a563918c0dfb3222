"""Robustness: check every gold note again after each meaning-preserving transformation and compare.

Per transformation, over the notes it actually changed: the share whose result still equals the
unperturbed note's result on the key fields (code, modifiers, implants, digits, bones, laterality,
planned status, indications), and the share that still matches the gold on those fields (beside the
same notes' unperturbed share, to read the drop). Notes a transformation leaves as they were are
counted but not re-checked: the checker is deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from rich.console import Group, RenderableType
from rich.text import Text

from notecheck.evaluation.gold import FieldValue, GoldBatch, GoldNote
from notecheck.evaluation.perturb import TRANSFORMS
from notecheck.evaluation.report import table
from notecheck.evaluation.scoring import KEY_FIELDS, CheckFn, result_fields
from notecheck.models import Result
from notecheck.terminal import plain_text


def key_values(result: Result, bones_have_rays: bool) -> dict[str, FieldValue]:
    values = result_fields(result, bones_have_rays)
    return {k: values[k] for k in KEY_FIELDS}


def gold_mismatches(gold: GoldNote, values: dict[str, FieldValue]) -> tuple[str, ...]:
    return tuple(k for k in KEY_FIELDS if k in gold.fields and gold.fields[k] != values[k])


@dataclass
class TransformScore:
    name: str
    notes: int = 0
    changed: int = 0
    stable: int = 0
    gold_ok: int = 0
    base_gold_ok: int = 0
    broke: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (note id, key fields that moved)

    @property
    def stable_share(self) -> Optional[float]:
        return self.stable / self.changed if self.changed else None

    @property
    def gold_share(self) -> Optional[float]:
        return self.gold_ok / self.changed if self.changed else None

    @property
    def base_gold_share(self) -> Optional[float]:
        return self.base_gold_ok / self.changed if self.changed else None


def run_robustness(
    batches: Iterable[GoldBatch],
    check: CheckFn,
    names: Iterable[str],
    seed: int,
    base_results: Optional[dict[tuple[str, str], Result]] = None,
) -> list[TransformScore]:
    """Scores per transformation; `base_results` (by (batch, note id)) spares re-checking the originals."""
    notes = [(batch.name, gold) for batch in batches for gold in batch.notes]
    base: dict[tuple[str, str], dict[str, FieldValue]] = {}
    texts: dict[tuple[str, str], str] = {}
    for batch_name, gold in notes:
        key = (batch_name, gold.note_id)
        texts[key] = gold.read_text()
        result = (base_results or {}).get(key) or check(texts[key], gold.claim, gold.note_id)
        base[key] = key_values(result, gold.bones_have_rays)

    scores = []
    for name in names:
        transform = TRANSFORMS[name]
        s = TransformScore(name, notes=len(notes))
        for batch_name, gold in notes:
            key = (batch_name, gold.note_id)
            perturbed = transform(texts[key], seed)
            if perturbed == texts[key]:
                continue
            s.changed += 1
            values = key_values(check(perturbed, gold.claim, gold.note_id), gold.bones_have_rays)
            moved = tuple(k for k in KEY_FIELDS if values[k] != base[key][k])
            if moved:
                s.broke.append((gold.note_id, moved))
            else:
                s.stable += 1
            s.gold_ok += not gold_mismatches(gold, values)
            s.base_gold_ok += not gold_mismatches(gold, base[key])
        scores.append(s)
    return scores


def _share(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.3f}"


def robustness_view(scores: list[TransformScore], seed: int) -> Group:
    title = f"robustness (seed {seed}; key fields: {', '.join(KEY_FIELDS)}; shares over the notes each transformation changed)"
    shares = table("transformation", "changed", "same as unperturbed", "matches gold", "unperturbed matches gold")
    for s in scores:
        shares.add_row(s.name, f"{s.changed}/{s.notes}", _share(s.stable_share), _share(s.gold_share), _share(s.base_gold_share))
    blocks: list[RenderableType] = [Text(title, style="bold"), shares]
    broke = [s for s in scores if s.broke]
    if broke:
        lines = ["broke (result differs from the unperturbed note's; key fields that moved):"]
        for s in broke:
            notes = "; ".join(f"{note} [{', '.join(fields)}]" for note, fields in s.broke)
            lines.append(f"  {s.name} ({len(s.broke)}): {notes}")
        blocks.append(Text("\n".join(lines)))
    return Group(*blocks)


def format_robustness(scores: list[TransformScore], seed: int) -> str:
    """The robustness table as plain text (what `notecheck eval --perturb` prints on a pipe)."""
    return plain_text(robustness_view(scores, seed))


def robustness_json(scores: list[TransformScore], seed: int) -> dict[str, Any]:
    def share(x: Optional[float]) -> Optional[float]:
        return None if x is None else round(x, 4)

    return {
        "seed": seed,
        "key_fields": list(KEY_FIELDS),
        "transformations": {
            s.name: {
                "notes": s.notes, "changed": s.changed, "same_as_unperturbed": share(s.stable_share),
                "matches_gold": share(s.gold_share), "unperturbed_matches_gold": share(s.base_gold_share),
                "broke": [{"note_id": n, "fields": list(f)} for n, f in s.broke],
            }
            for s in scores
        },
    }
