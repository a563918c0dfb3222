"""Throughput of `Checker.check` on the 2,377 MTSamples reports, as ratios against baselines
measured in the same process (the machines are shared and noisy; absolute times mean little):

- spaCy's bare tokenizer (`spacy.blank("en").tokenizer`) over the same notes: target >= 0.45x
  (issue 11: the pipeline runs medspaCy's TargetMatcher);
- medspaCy 1.3.1's default pipeline (`medspacy.load()`: PyRuSH, target matcher, ConText): target
  >= 30x. It runs ~10 notes/s, so it gets a subset: every k-th note, which keeps the corpus's
  mix of lengths (the first notes of the file are ~25% longer than the average), and the
  checker is timed on that same subset in the same round.

How the ratios are timed, since the machine is shared and noisy:
- CPU seconds of this process (wall-clock time also counts the neighbours' work);
- the two sides alternate in batches of `--batch` notes (each batch: baseline then checker, the
  order swapped every batch), so a burst of load hits both alike, and each round's ratio is the
  sum over its batches; the report gives the median of `--rounds` rounds;
- automatic garbage collection is off while timing and each batch ends with a collection of the
  objects it made, timed with it: each side pays for its own reference cycles (medspaCy's ConText
  graphs), not the side that happens to run next (that shifted ~15% of medspaCy's cost onto the
  checker);
- every component is warm before timing starts (one pass over the notes: vocabularies, tokenizer
  caches, lazy imports).
Writes bench/results/pipeline.json.

    python bench/bench_pipeline.py [--rounds 5] [--medspacy-notes 200] [--medspacy-rounds 3] [--batch 50]
    (--medspacy-notes 0 skips medspaCy)
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whichever notecheck the interpreter has installed.
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("NOTECHECK_SHARED_DIR", ROOT.parent / "shared")) / "mtsamples" / "mtsamples.jsonl"

Runner = Callable[[str], object]


def load_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def seconds(run: Runner, texts: list[str]) -> float:
    """CPU seconds to run `texts` and collect the young objects they left (automatic collection off)."""
    start = time.process_time()
    for text in texts:
        run(text)
    gc.collect(0)
    return time.process_time() - start


def one_round(baseline: Runner, checker: Runner, texts: list[str], batch: int) -> tuple[float, float]:
    """(baseline seconds, checker seconds) over `texts`, the two alternating batch by batch."""
    base = mine = 0.0
    for k, i in enumerate(range(0, len(texts), batch)):
        chunk = texts[i: i + batch]
        if k % 2:
            mine += seconds(checker, chunk)
            base += seconds(baseline, chunk)
        else:
            base += seconds(baseline, chunk)
            mine += seconds(checker, chunk)
    return base, mine


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """PyRuSH prints and logs per sentence; that I/O is not medspaCy's pipeline."""
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
        yield


def compare(name: str, baseline: Runner, checker: Runner, texts: list[str], n: int, batch: int) -> dict[str, object]:
    gc.collect()
    gc.disable()
    try:
        measured = [one_round(baseline, checker, texts, batch) for _ in range(n)]
    finally:
        gc.enable()
    ratios = [b / c for b, c in measured]
    return {
        f"{name}_notes_per_s": statistics.median(len(texts) / b for b, _ in measured),
        f"notecheck_notes_per_s_vs_{name}": statistics.median(len(texts) / c for _, c in measured),
        f"ratio_vs_{name}": statistics.median(ratios),
        f"ratio_vs_{name}_rounds": [round(r, 3) for r in ratios],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--medspacy-notes", type=int, default=200)
    parser.add_argument("--medspacy-rounds", type=int, default=3)
    # 50: ~0.1 s of tokenizer a batch, so a batch's own collection and the switch between the
    # sides weigh little on either; with 10 the rounds of one run spread more (up to ~7% here).
    parser.add_argument("--batch", type=int, default=50, help="notes per batch when the two sides alternate")
    args = parser.parse_args()

    import spacy

    from notecheck.checker import Checker

    texts = load_texts(args.corpus)
    tokenizer = spacy.blank("en").tokenizer
    checker = Checker()

    def check(text: str) -> object:
        return checker.check(text)

    for text in texts:  # warm-up
        tokenizer(text)
        check(text)
    results: dict[str, object] = {"notes": len(texts)}
    results.update(compare("tokenizer", tokenizer, check, texts, args.rounds, args.batch))
    try:
        if args.medspacy_notes <= 0:
            raise ImportError("skipped")
        import medspacy

        try:  # PyRuSH logs a DEBUG line per token through loguru
            from loguru import logger

            logger.remove()
        except ImportError:
            pass
        with quiet():
            nlp = medspacy.load()
        step = max(1, len(texts) // max(1, args.medspacy_notes))
        subset = texts[::step][: args.medspacy_notes]

        def med(text: str) -> object:
            with quiet():
                return nlp(text)

        for text in subset[:20]:
            med(text)
        results["medspacy_notes"] = len(subset)
        results["medspacy_notes_mean_chars"] = round(statistics.mean(map(len, subset)))
        results["corpus_mean_chars"] = round(statistics.mean(map(len, texts)))
        results.update(compare("medspacy_default", med, check, subset, args.medspacy_rounds, args.batch))
        results["medspacy_pipes"] = list(nlp.pipe_names)
    except ImportError:
        results["ratio_vs_medspacy_default"] = float("nan")
    results["goals_met"] = bool(
        results["ratio_vs_tokenizer"] >= 0.45 and results["ratio_vs_medspacy_default"] >= 30  # type: ignore[operator]
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(results, indent=2))
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:.2f}" if isinstance(value, float) else f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
