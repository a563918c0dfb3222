"""Throughput of `Checker.check` on the 2,377 MTSamples reports, as ratios against baselines
measured in the same process (the machines are shared and noisy; absolute times mean little):

- spaCy's bare tokenizer (`spacy.blank("en").tokenizer`) over the same notes: target >= 0.45x
  (issue 11: the pipeline now runs medspaCy's TargetMatcher);
- medspaCy 1.3.1's default pipeline (target >= 30x) (`medspacy.load()`: PyRuSH, target matcher, ConText) on a
  subset (it runs ~35 notes/s here), extrapolated to notes/s.

Each measurement is the best of `--repeats` runs after a warm-up. Writes bench/results/pipeline.json.

    python bench/bench_pipeline.py [--medspacy-notes 200] [--repeats 3]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Callable, Iterable

CORPUS = Path(os.environ.get("NOTECHECK_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "mtsamples" / "mtsamples.jsonl"


def load_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def best_rate(run: Callable[[Iterable[str]], None], texts: list[str], repeats: int) -> float:
    run(texts[: min(50, len(texts))])  # warm-up: vocab, caches, lazy imports
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--medspacy-notes", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import spacy

    from notecheck.checker import Checker

    texts = load_texts(args.corpus)
    tokenizer = spacy.blank("en").tokenizer
    checker = Checker()

    def bare(batch: Iterable[str]) -> None:
        for text in batch:
            tokenizer(text)

    def check(batch: Iterable[str]) -> None:
        for text in batch:
            checker.check(text)

    results: dict[str, float] = {}
    # Interleave the two so that load on the shared machine hits both alike.
    tok_rates, chk_rates = [], []
    for _ in range(args.repeats):
        tok_rates.append(best_rate(bare, texts, 1))
        chk_rates.append(best_rate(check, texts, 1))
    results["tokenizer_notes_per_s"] = max(tok_rates)
    results["notecheck_notes_per_s"] = max(chk_rates)
    results["ratio_vs_tokenizer"] = max(c / t for c, t in zip(chk_rates, tok_rates))
    try:
        import medspacy

        try:  # PyRuSH logs a DEBUG line per token through loguru
            from loguru import logger

            logger.remove()
        except ImportError:
            pass
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
            nlp = medspacy.load()
        subset = texts[: args.medspacy_notes]

        def med(batch: Iterable[str]) -> None:
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
                for text in batch:
                    nlp(text)

        results["medspacy_default_notes_per_s"] = best_rate(med, subset, 1)
        results["medspacy_pipes"] = list(nlp.pipe_names)
        results["ratio_vs_medspacy_default"] = results["notecheck_notes_per_s"] / results["medspacy_default_notes_per_s"]
    except ImportError:
        results["medspacy_default_notes_per_s"] = float("nan")
    results["notes"] = len(texts)
    results["goals_met"] = bool(
        results["ratio_vs_tokenizer"] >= 0.45 and results.get("ratio_vs_medspacy_default", 0) >= 30
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(results, indent=2))
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:.2f}" if isinstance(value, float) else f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
