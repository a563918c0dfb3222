"""`notecheck eval`: score the checker against gold folders (both gold formats), per batch and in
total, optionally with the robustness evaluation over meaning-preserving transformations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Optional

from rich.console import Group, RenderableType
from rich.text import Text

from notecheck.evaluation.gold import GoldBatch, GoldError, load_gold
from notecheck.evaluation.report import misses_view, scores_json, scores_view
from notecheck.evaluation.robustness import TransformScore, robustness_json, robustness_view, run_robustness
from notecheck.evaluation.scoring import CheckFn, Scores, format_counts, run_batches, score

__all__ = ["EvalRun", "GoldError", "evaluate_batches", "load_gold", "run_json", "run_view"]


@dataclass
class EvalRun:
    gold_dir: str
    batches: list[Scores]
    total: Scores
    rules_version: str
    robustness: Optional[list[TransformScore]] = None
    seed: Optional[int] = None


def evaluate_batches(gold_dir: str, batches: list[GoldBatch], check: CheckFn, perturb: Optional[list[str]] = None,
                     seed: int = 1) -> EvalRun:
    """Score every batch (see `load_gold`) and their total; with `perturb` (transformation names),
    also the robustness of the key fields."""
    outcomes, results = run_batches(batches, check)
    per_batch = [score(b.name, [o for o in outcomes if o.batch == b.name], format_counts(b)) for b in batches]
    formats: dict[str, int] = {}
    for b in per_batch:
        for fmt, n in b.formats.items():
            formats[fmt] = formats.get(fmt, 0) + n
    total = per_batch[0] if len(per_batch) == 1 else score("total", outcomes, formats)
    rules_version = next((r.rules_version for r in results.values()), "")
    run = EvalRun(gold_dir, per_batch, total, rules_version)
    if perturb:
        run.robustness = run_robustness(batches, check, perturb, seed, results)
        run.seed = seed
    return run


def run_view(run: EvalRun, misses: bool = False) -> Group:
    """Each batch's tables, the total's when there are several, the misses and the robustness,
    a blank line between them (printed through notecheck/terminal.py's console)."""
    blocks: list[RenderableType] = [scores_view(b) for b in run.batches]
    if len(run.batches) > 1:
        blocks.append(scores_view(run.total))
    if misses:
        blocks.extend(misses_view(b) for b in run.batches)
    if run.robustness is not None and run.seed is not None:
        blocks.append(robustness_view(run.robustness, run.seed))
    spaced: list[RenderableType] = []
    for block in blocks:
        spaced += [Text(), block] if spaced else [block]
    return Group(*spaced)


def _version() -> str:
    try:
        return version("notecheck")
    except PackageNotFoundError:
        return "unknown"


def run_json(run: EvalRun) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "notecheck_version": _version(),
        "rules_version": run.rules_version,
        "gold_dir": run.gold_dir,
        "batches": [scores_json(b) for b in run.batches],
        "total": scores_json(run.total),
    }
    if run.robustness is not None and run.seed is not None:
        doc["robustness"] = robustness_json(run.robustness, run.seed)
    return doc
