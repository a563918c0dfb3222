"""Benchmark `notecheck audit` on MTSamples against baselines measured in the same run (issue 4).

Measures, on /work/shared/mtsamples/mtsamples.jsonl (2,377 real reports):
  - spaCy's bare tokenizer (`spacy.blank("en").tokenizer.pipe`) over the whole corpus;
  - medspaCy's default pipeline (`medspacy.load()`) over a subset (it runs at ~35 notes/s);
  - `notecheck audit` end to end (a child process, worker start-up included) with 1 and 2 workers;
  - peak RSS of `notecheck audit` on a 10,000- and a 100,000-note input (the corpus repeated),
    each in its own child process: the audit's own process (RUSAGE_SELF) and its largest worker
    (RUSAGE_CHILDREN), to show that memory does not grow with the input;
  - the input readers (issue 9): the notes CSV, whose records are delimited before the csv module
    parses them one by one, against one plain `csv.reader` over the same file, and the JSONL
    reader against `json.loads` per line (the hardening's cost, as a ratio).

Prints a table and the ratios the issue sets targets for, and writes JSON to bench/results/.

    python bench/bench_audit.py [--medspacy-notes 200] [--rss-small 10000] [--rss-large 100000]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

MTSAMPLES = Path(os.environ.get("NOTECHECK_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "mtsamples" / "mtsamples.jsonl"
RESULTS = Path(__file__).resolve().parent / "results"

# Runs one audit in this child process and reports its peak RSS (KiB on Linux), the parent's own
# and the largest of its worker processes (they are waited for when the pool shuts down), and the
# CPU time of both: on a machine shared with other work, wall-clock rates measure the neighbours
# too, while notes per CPU-second measure notecheck.
AUDIT_CHILD = """
import json, resource, sys
from notecheck.cli import main
rc = main(sys.argv[1:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "self_kib": me.ru_maxrss, "workers_kib": kids.ru_maxrss,
                  "cpu_seconds": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""


def load_corpus() -> list[dict[str, str]]:
    with MTSAMPLES.open(encoding="utf-8") as fh:
        return [{"note_id": o["note_id"], "text": o["text"]} for o in map(json.loads, fh) if o.get("text")]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def bench_tokenizer(texts: list[str]) -> dict[str, Any]:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    for _ in tokenizer.pipe(texts[:50]):  # warm-up
        pass
    start, cpu = time.perf_counter(), time.process_time()
    tokens = sum(len(doc) for doc in tokenizer.pipe(texts))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"notes": len(texts), "seconds": elapsed, "notes_per_s": rate(len(texts), elapsed),
            "cpu_seconds": cpu, "notes_per_cpu_s": rate(len(texts), cpu), "tokens": tokens}


def bench_medspacy(texts: list[str]) -> dict[str, Any]:
    try:
        from loguru import logger

        # PyRuSH logs a DEBUG line per token by default; that would measure the terminal.
        logger.remove()
    except ImportError:
        pass
    import medspacy

    load_start = time.perf_counter()
    nlp = medspacy.load()
    load_seconds = time.perf_counter() - load_start
    for _ in nlp.pipe(texts[:5]):  # warm-up
        pass
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts):
        pass
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"notes": len(texts), "seconds": elapsed, "notes_per_s": rate(len(texts), elapsed),
            "cpu_seconds": cpu, "notes_per_cpu_s": rate(len(texts), cpu),
            "load_seconds": load_seconds, "pipeline": nlp.pipe_names}


def run_audit_child(src: Path, out: Path, workers: int) -> dict[str, Any]:
    """`notecheck audit` as a user runs it: a fresh process, start-up and output included."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", AUDIT_CHILD, "audit", str(src), "--out", str(out), "--workers", str(workers), "--quiet"],
        check=True, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    usage = json.loads(proc.stdout.strip().splitlines()[-1])
    assert usage["rc"] == 0, proc.stderr
    records = errors = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            records += 1
            errors += "error" in json.loads(line)
    return {"workers": workers, "notes": records, "errors": errors, "seconds": elapsed,
            "notes_per_s": rate(records, elapsed), "cpu_seconds": usage["cpu_seconds"],
            "notes_per_cpu_s": rate(records, usage["cpu_seconds"]),
            "parent_peak_mib": usage["self_kib"] / 1024, "worker_peak_mib": usage["workers_kib"] / 1024}


def bench_audit(workers: int, n_notes: int, tmp: Path) -> dict[str, Any]:
    result = run_audit_child(MTSAMPLES, tmp / f"audit-{workers}.jsonl", workers)
    assert result["notes"] == n_notes, f"{result['notes']} records for {n_notes} notes"
    return result


def write_repeated(corpus: list[dict[str, str]], n: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            note = corpus[i % len(corpus)]
            fh.write(json.dumps({"note_id": f"{note['note_id']}#{i // len(corpus)}", "text": note["text"]}) + "\n")


def bench_rss(corpus: list[dict[str, str]], n: int, workers: int, tmp: Path) -> dict[str, Any]:
    src, out = tmp / f"repeat-{n}.jsonl", tmp / f"repeat-{n}.out.jsonl"
    write_repeated(corpus, n, src)
    result = run_audit_child(src, out, workers)
    assert result["notes"] == n, f"{result['notes']} records for {n} notes"
    src.unlink()
    out.unlink()
    return result


def bench_readers(corpus: list[dict[str, str]], repeat: int, tmp: Path) -> dict[str, Any]:
    """Notes per second through notecheck's CSV and JSONL readers vs the plain parsers."""
    import csv

    from notecheck.audit.inputs import open_source

    csv_path, jsonl_path = tmp / "readers.csv", tmp / "readers.jsonl"
    write_repeated(corpus, len(corpus) * repeat, jsonl_path)
    with jsonl_path.open(encoding="utf-8") as src, csv_path.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["note_id", "text"])
        for line in src:
            obj = json.loads(line)
            writer.writerow([obj["note_id"], obj["text"]])

    def timed(fn) -> tuple[int, float]:
        start = time.perf_counter()
        n = fn()
        return n, time.perf_counter() - start

    def plain_csv() -> int:
        previous = csv.field_size_limit(2**31 - 1)
        try:
            with csv_path.open(encoding="utf-8", newline="") as fh:
                return sum(1 for _ in csv.reader(fh)) - 1
        finally:
            csv.field_size_limit(previous)

    def plain_jsonl() -> int:
        with jsonl_path.open(encoding="utf-8") as fh:
            return sum(1 for line in fh if json.loads(line))

    out: dict[str, Any] = {"notes": len(corpus) * repeat, "mib_csv": csv_path.stat().st_size / 2**20}
    for name, fn in (("csv_plain", plain_csv), ("csv_notecheck", lambda: sum(1 for _ in open_source(csv_path, 1_000_000).jobs())),
                     ("jsonl_plain", plain_jsonl), ("jsonl_notecheck", lambda: sum(1 for _ in open_source(jsonl_path, 1_000_000).jobs()))):
        n, seconds = timed(fn)
        assert n == out["notes"], f"{name}: {n} notes for {out['notes']}"
        out[name] = {"seconds": seconds, "notes_per_s": rate(n, seconds)}
    csv_path.unlink()
    jsonl_path.unlink()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--medspacy-notes", type=int, default=200)
    parser.add_argument("--rss-small", type=int, default=10_000)
    parser.add_argument("--rss-large", type=int, default=100_000)
    parser.add_argument("--rss-workers", type=int, default=2)
    parser.add_argument("--skip-rss", action="store_true", help="only the throughput figures")
    parser.add_argument("--readers-repeat", type=int, default=4,
                        help="time the CSV/JSONL readers on the corpus repeated this many times (0: skip)")
    parser.add_argument("--readers-only", action="store_true", help="only the input readers' figures")
    parser.add_argument("--steady-repeat", type=int, default=4,
                        help="also time 1 and 2 workers on the corpus repeated this many times, so that the "
                             "~2 s of interpreter and pipeline start-up is amortised (0: skip)")
    args = parser.parse_args()
    if not MTSAMPLES.exists():
        print(f"bench_audit: {MTSAMPLES} not found", file=sys.stderr)
        return 2

    corpus = load_corpus()
    texts = [n["text"] for n in corpus]
    print(f"corpus: {len(texts):,} MTSamples reports; {os.cpu_count()} CPUs; Python {platform.python_version()}", flush=True)
    results: dict[str, Any] = {"started": datetime.now().astimezone().isoformat(timespec="seconds"),
                               "corpus_notes": len(texts), "cpus": os.cpu_count(), "python": platform.python_version(),
                               "load_average_start": os.getloadavg()}

    if args.readers_only:
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmpdir:
            readers = bench_readers(corpus, max(1, args.readers_repeat), Path(tmpdir))
        _print_readers(readers)
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmpdir:
        tmp = Path(tmpdir)
        if args.readers_repeat > 0:
            print("input readers ...", flush=True)
            results["readers"] = bench_readers(corpus, args.readers_repeat, tmp)
        print("spaCy bare tokenizer ...", flush=True)
        results["tokenizer"] = bench_tokenizer(texts)
        print(f"medspaCy default pipeline on {args.medspacy_notes} notes ...", flush=True)
        results["medspacy"] = bench_medspacy(texts[: args.medspacy_notes])
        for workers in (1, 2):
            print(f"notecheck audit, {workers} worker(s) ...", flush=True)
            results[f"audit_{workers}"] = bench_audit(workers, len(texts), tmp)
        if args.steady_repeat > 0:
            n_steady = len(corpus) * args.steady_repeat
            for workers in (1, 2):
                print(f"notecheck audit, {workers} worker(s), {n_steady:,} notes (steady state) ...", flush=True)
                results[f"steady_{workers}"] = bench_rss(corpus, n_steady, workers, tmp)
        if not args.skip_rss:
            for n in (args.rss_small, args.rss_large):
                print(f"peak RSS, {n:,} notes, {args.rss_workers} workers ...", flush=True)
                results[f"rss_{n}"] = bench_rss(corpus, n, args.rss_workers, tmp)

    results["load_average_end"] = os.getloadavg()
    tok, med = results["tokenizer"]["notes_per_s"], results["medspacy"]["notes_per_s"]
    one, two = results["audit_1"]["notes_per_s"], results["audit_2"]["notes_per_s"]
    ratios = {
        "audit_1_vs_tokenizer": one / tok,
        "audit_2_vs_audit_1": two / one,
        "audit_1_vs_medspacy": one / med,
        "audit_2_vs_medspacy": two / med,
        # The same per CPU-second: what notecheck costs, whatever else the machine is running.
        "cpu_audit_1_vs_tokenizer": results["audit_1"]["notes_per_cpu_s"] / results["tokenizer"]["notes_per_cpu_s"],
        "cpu_audit_1_vs_medspacy": results["audit_1"]["notes_per_cpu_s"] / results["medspacy"]["notes_per_cpu_s"],
    }
    if args.steady_repeat > 0:
        ratios["steady_audit_2_vs_audit_1"] = results["steady_2"]["notes_per_s"] / results["steady_1"]["notes_per_s"]
        ratios["steady_audit_1_vs_tokenizer"] = results["steady_1"]["notes_per_s"] / tok
    if not args.skip_rss:
        small, large = results[f"rss_{args.rss_small}"], results[f"rss_{args.rss_large}"]
        ratios["parent_rss_large_vs_small"] = large["parent_peak_mib"] / small["parent_peak_mib"]
        ratios["worker_rss_large_vs_small"] = large["worker_peak_mib"] / small["worker_peak_mib"]
    if "readers" in results:
        ratios.update(_reader_ratios(results["readers"]))
    results["ratios"] = ratios

    if "readers" in results:
        _print_readers(results["readers"])
    print()
    print(f"load average {results['load_average_start'][0]:.2f} at start, {results['load_average_end'][0]:.2f} at end")
    print(f"{'measurement':<44}{'notes':>9}{'seconds':>10}{'notes/s':>10}{'CPU s':>9}{'notes/CPU-s':>13}")
    rows = [("spaCy blank('en') tokenizer", results["tokenizer"]),
            (f"medspaCy default pipeline ({', '.join(results['medspacy']['pipeline'])})", results["medspacy"]),
            ("notecheck audit, 1 worker (end to end)", results["audit_1"]),
            ("notecheck audit, 2 workers (end to end)", results["audit_2"])]
    rows += [(f"notecheck audit, {w} worker(s), steady state", results[f"steady_{w}"])
             for w in (1, 2) if f"steady_{w}" in results]
    for name, r in rows:
        print(f"{name[:43]:<44}{r['notes']:>9,}{r['seconds']:>10.1f}{r['notes_per_s']:>10.1f}"
              f"{r['cpu_seconds']:>9.1f}{r['notes_per_cpu_s']:>13.1f}")
    if not args.skip_rss:
        print()
        print(f"{'peak RSS':<44}{'notes':>9}{'parent MiB':>12}{'worker MiB':>12}{'notes/s':>10}")
        for n in (args.rss_small, args.rss_large):
            r = results[f"rss_{n}"]
            print(f"{'notecheck audit, ' + str(r['workers']) + ' workers':<44}{n:>9,}{r['parent_peak_mib']:>12.1f}{r['worker_peak_mib']:>12.1f}{r['notes_per_s']:>10.1f}")
    print()
    targets = {"audit_1_vs_tokenizer": 0.5, "audit_2_vs_audit_1": 1.7, "audit_1_vs_medspacy": 20.0,
               "steady_audit_2_vs_audit_1": 1.7, "steady_audit_1_vs_tokenizer": 0.5}
    for name, value in ratios.items():
        target = f"  (target >= {targets[name]})" if name in targets else ""
        print(f"{name:<32}{value:>8.2f}x{target}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"bench_audit-{stamp}.json", RESULTS / "bench_audit-latest.json"):
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {RESULTS / f'bench_audit-{stamp}.json'}")
    return 0


def _reader_ratios(readers: dict[str, Any]) -> dict[str, float]:
    return {
        "csv_reader_vs_plain_csv": readers["csv_notecheck"]["notes_per_s"] / readers["csv_plain"]["notes_per_s"],
        "jsonl_reader_vs_plain_json": readers["jsonl_notecheck"]["notes_per_s"] / readers["jsonl_plain"]["notes_per_s"],
    }


def _print_readers(readers: dict[str, Any]) -> None:
    print()
    print(f"input readers, {readers['notes']:,} notes ({readers['mib_csv']:.1f} MiB as CSV)")
    for name in ("csv_plain", "csv_notecheck", "jsonl_plain", "jsonl_notecheck"):
        r = readers[name]
        print(f"  {name:<20}{r['seconds']:>8.2f} s{r['notes_per_s']:>12,.0f} notes/s")
    for name, value in _reader_ratios(readers).items():
        print(f"  {name:<30}{value:>6.2f}x")


if __name__ == "__main__":
    sys.exit(main())
