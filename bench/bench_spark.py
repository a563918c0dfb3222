"""Benchmark the Spark engine against the local audit, on the same notes in the same run (issue 15).

On the first N MTSamples reports (default 2,000), each in its own child process:
  - `notecheck audit --workers 2` (the local engine), end to end;
  - `notecheck audit --engine spark --master local[1]` and `local[2]`: the session start-up, then the
    same audit twice — cold (Python workers start and build their pipelines) and warm — and the
    pipeline builds per Python worker process (goal: 1 each, however many tasks ran).

Wall-clock rates on a shared machine measure the neighbours too: the load average is printed
with the table (the JVM's Python workers are not our children, so their CPU time is not counted
here). Writes JSON to bench/results/.

    python bench/bench_spark.py [--notes 2000]
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
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

MTSAMPLES = Path(os.environ.get("NOTECHECK_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "mtsamples" / "mtsamples.jsonl"
RESULTS = Path(__file__).resolve().parent / "results"

LOCAL_CHILD = """
import json, resource, sys, time
from notecheck.cli import main
started = time.monotonic()
rc = main(sys.argv[1:])
seconds = time.monotonic() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "seconds": seconds,
                  "cpu_seconds": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""

# One JVM per master: a session's master cannot change once it runs.
SPARK_CHILD = """
import json, os, resource, sys, time
from collections import Counter
master, notes, out, log = sys.argv[1:5]
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["NOTECHECK_SPARK_BUILD_LOG"] = log
started = time.monotonic()
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master(master).config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.executorEnv.NOTECHECK_SPARK_BUILD_LOG", log).getOrCreate())
spark.range(1).count()
startup = time.monotonic() - started
from notecheck.cli import main
runs = []
for _ in range(2):
    t = time.monotonic()
    rc = main(["audit", notes, "--out", out, "--engine", "spark", "--master", master, "--quiet"])
    runs.append({"rc": rc, "seconds": time.monotonic() - t})
import glob
tasks = len(glob.glob(os.path.join(out, "part-*")))
spark.stop()
builds = Counter(open(log).read().split())
print(json.dumps({"startup": startup, "runs": runs, "builds": dict(builds), "output_partitions": tasks}))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=2000)
    args = parser.parse_args()
    if not MTSAMPLES.exists():
        raise SystemExit(f"MTSamples not found at {MTSAMPLES} (set NOTECHECK_SHARED_DIR)")
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        notes = Path(tmp) / "notes.jsonl"
        with MTSAMPLES.open(encoding="utf-8") as src, notes.open("w", encoding="utf-8") as dst:
            n = 0
            for line in src:
                if n == args.notes:
                    break
                dst.write(line)
                n += 1
        local = _child(LOCAL_CHILD, "audit", str(notes), "--out", str(Path(tmp) / "local.jsonl"), "--workers", "2", "--quiet")
        spark = {m: _child(SPARK_CHILD, m, str(notes), str(Path(tmp) / f"{m[6]}.parquet"), str(Path(tmp) / f"builds-{m[6]}.log"))
                 for m in ("local[1]", "local[2]")}

    base = n / local["seconds"]
    rows = [("local audit, 2 workers (end to end)", local["seconds"], base)]
    for master, r in spark.items():
        cold, warm = r["runs"]
        rows.append((f"spark {master}, cold run", cold["seconds"], n / cold["seconds"]))
        rows.append((f"spark {master}, warm run", warm["seconds"], n / warm["seconds"]))
    print(f"{n:,} MTSamples notes; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print(f"{'engine':40} {'seconds':>8} {'notes/s':>8} {'x local':>8}")
    for name, seconds, per_s in rows:
        print(f"{name:40} {seconds:8.1f} {per_s:8.1f} {per_s / base:8.2f}")
    for master, r in spark.items():
        builds = Counter(r["builds"])
        print(f"spark {master}: session start-up {r['startup']:.1f} s; pipeline builds per Python worker process "
              f"{sorted(builds.values())} over {len(builds)} processes ({r['output_partitions']} tasks per run)")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"spark-{stamp}.json").write_text(json.dumps(
        {"notes": n, "machine": platform.platform(), "cpus": os.cpu_count(), "local": local, "spark": spark}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
