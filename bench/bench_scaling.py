"""Time of one `Checker.check` against note size, for the adversarial shapes that were once
super-linear (issue 9) and for real text: each shape is repeated to 16 KB, 64 KB, 256 KB and
~1 MB, and the growth exponent k of time ~ size^k is fitted by least squares on log-log.
Goal: k <= 1.15 for every shape (linear, with a little allowance for allocator and cache effects).

Absolute times mean little on these shared machines; the exponent compares sizes measured in the
same process, each the best of `--repeats` runs. Writes bench/results/scaling.json.

    python bench/bench_scaling.py [--repeats 2] [--max-kb 976] [--shape kwire_sentences ...] [--context-kb 64]

It also draws the ConText growth curves (issue 11): notecheck's executor and stock medspaCy 1.3.1
`medspacy_context` with the exported rules, each timed alone on the same Docs of real text at
8 KB .. `--context-kb` (medspaCy's scopes and target x modifier checks span the whole Doc, so its
curve is quadratic; ours is per sentence and linear). `--context-kb 0` skips them.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whichever notecheck the interpreter has installed.
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("NOTECHECK_SHARED_DIR", ROOT.parent / "shared"))


def _real_text() -> str:
    """Several real reports (MTSamples, any specialty) with a hand removal note among them."""
    path = SHARED / "mtsamples" / "mtsamples.jsonl"
    texts = []
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i % 97 == 0 and line.strip():
                    texts.append(json.loads(line)["text"])
                if len(texts) >= 12:
                    break
    sample = sorted((ROOT / "sample_notes").glob("hwr_*.txt"))
    texts += [p.read_text(encoding="utf-8") for p in sample[:4]]
    return "\n\n".join(texts) + "\n\n"


SHAPES = {
    # Every sentence a removal: one act and one implant per sentence, thousands of sentences.
    "kwire_sentences": lambda: "K-wire removed. ",
    # One endless sentence of sides and digits: every side near every digit.
    "sides_digits_one_sentence": lambda: "left right ring index thumb ",
    # A line per character: hundreds of thousands of lines and sentence candidates.
    "one_char_lines": lambda: "a\n",
    # Run-on dictation with no line break: headers and sentence ends, never a newline.
    "runon_headers": lambda: "PROCEDURE: removal of K-wire from the left ring finger P1. INDICATIONS: prominent pin, healed fracture. ",
    # Implants and acts in one sentence without periods: the act linker's worst case.
    "implants_one_sentence": lambda: "the screw and the plate were removed and the K-wire placed and ",
    # Real reports of every specialty, concatenated.
    "real_mixed": _real_text,
}


def fit_exponent(sizes: list[int], seconds: list[float]) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-6)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-kb", type=int, default=976, help="largest size (the reader refuses notes over 1,000,000 characters)")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these shapes")
    parser.add_argument("--context-kb", type=int, default=64, help="largest note of the ConText curves (0: skip)")
    args = parser.parse_args()

    from notecheck.checker import Checker

    checker = Checker()
    checker.check("Removal of K-wire, left ring finger. The fracture has healed.")  # warm-up
    sizes_kb = [kb for kb in (16, 64, 256, args.max_kb) if kb <= args.max_kb]
    results = {}
    print(f"{'shape':<28}" + "".join(f"{kb:>9} KB" for kb in sizes_kb) + f"{'exponent':>10}")
    for name in args.shape or SHAPES:
        unit = SHAPES[name]()
        times, sizes = [], []
        for kb in sizes_kb:
            size = kb * 1024
            text = (unit * (size // len(unit) + 1))[:size]
            best = math.inf
            for _ in range(args.repeats):
                start = time.perf_counter()
                checker.check(text)
                best = min(best, time.perf_counter() - start)
            times.append(best)
            sizes.append(size)
        k = fit_exponent(sizes, times)
        results[name] = {"sizes": sizes, "seconds": times, "exponent": k}
        print(f"{name:<28}" + "".join(f"{t:>10.2f}s" for t in times) + f"{k:>10.2f}" + ("" if k <= 1.15 else "  over 1.15"), flush=True)
    if args.context_kb:
        results["context_curves"] = context_curves(checker, args.context_kb, args.repeats)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scaling.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def context_curves(checker, max_kb: int, repeats: int) -> dict:
    """Seconds of the ConText step alone, ours and stock medspaCy's, against note size."""
    import tempfile

    from medspacy.context import ConText

    from notecheck.medspacy_export import export_medspacy
    from pipelines.extensions import SPANS_KEY
    from pipelines.medspacy_adapter import strip_object_extensions

    with tempfile.TemporaryDirectory() as tmp:
        export_medspacy(Path(tmp))
        stock = ConText(
            checker.nlp, name="stock_context", rules=str(Path(tmp) / "context_rules.json"),
            phrase_matcher_attr="NORM", input_span_type="group", span_group_name=SPANS_KEY, span_attrs=None,
        )
    ours = checker.nlp.get_pipe("notecheck_context")
    unit = _real_text()
    sizes_kb = [kb for kb in (8, 16, 32, 64, 128, 256) if kb <= max_kb]
    curves: dict = {"sizes": [kb * 1024 for kb in sizes_kb], "tokens": [], "notecheck": [], "medspacy": []}
    for kb in sizes_kb:
        text = (unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]
        doc = checker.doc(text)
        curves["tokens"].append(len(doc))
        for name, component in (("notecheck", ours), ("medspacy", stock)):
            best = math.inf
            for _ in range(repeats):
                start = time.perf_counter()
                component(doc)
                best = min(best, time.perf_counter() - start)
            curves[name].append(best)
        strip_object_extensions(doc)
    print(f"\n{'ConText step':<28}" + "".join(f"{kb:>9} KB" for kb in sizes_kb) + f"{'exponent':>10}")
    for name in ("notecheck", "medspacy"):
        k = fit_exponent(curves["sizes"], curves[name])
        curves[f"{name}_exponent"] = k
        print(f"{name:<28}" + "".join(f"{t:>10.3f}s" for t in curves[name]) + f"{k:>10.2f}", flush=True)
    return curves


if __name__ == "__main__":
    main()
