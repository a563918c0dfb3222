"""Benchmark the HTTP service (issue 5) against the in-process checker, measured in the same run.

Measures, on loopback against `notecheck serve` started as a user would (a child process):
  - latency p50/p95/p99 of POST /v1/check for a ~150-word and a ~900-word note, sequentially
    (one keep-alive client: httpx, and the lighter http.client) and with 16 concurrent clients,
    beside `Checker.check` of the same notes in this process;
  - throughput (checks/s) with 16 clients on 1 and on 2 workers, with the CPU the server and the
    load generator spent per check (the machine's other work inflates wall-clock rates, not these);
  - soak: the server's RSS after 2,000 and after 20,000 distinct notes (numbers and words varied
    so every note brings new token strings), with the pipeline recycling on; optionally the same
    soak with recycling off, to show what it prevents.

Prints a table and the ratios the issue sets targets for (sequential p50 <= 1.5x in-process;
RSS at 20,000 within 10% of RSS at 2,000) and writes JSON to bench/results/.

    python bench/bench_service.py [--requests 200] [--clients 16] [--soak-small 2000]
                                  [--soak-large 20000] [--no-soak | --soak-only] [--compare-no-recycle]
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

import httpx

ROOT = Path(__file__).resolve().parent.parent
NOTES_DIR = ROOT / "sample_notes"
RESULTS = Path(__file__).resolve().parent / "results"

SHORT_NOTE = "hwr_021_left_4th_mc_screw_and_washer.txt"  # 150 words
LONG_TARGET_WORDS = 900


# -- notes ---------------------------------------------------------------------------------------

def words(text: str) -> int:
    return len(text.split())


def load_notes() -> tuple[str, str]:
    """The ~150-word sample note, and a ~900-word note made of whole sample notes (a long
    dictation that covers several procedures reads much like this)."""
    short = (NOTES_DIR / SHORT_NOTE).read_text(encoding="utf-8")
    parts: list[str] = []
    for path in sorted(NOTES_DIR.glob("hwr_*.txt")):
        text = path.read_text(encoding="utf-8")
        if sum(map(words, parts)) + words(text) > LONG_TARGET_WORDS + 60:
            continue
        parts.append(text)
        if sum(map(words, parts)) >= LONG_TARGET_WORDS - 40:
            break
    return short, "\n\n".join(parts)


_SYLLABLES = ("ka", "lo", "mir", "te", "vu", "san", "dri", "po", "nel", "ox", "zu", "ba", "quen", "ri")


class DistinctNotes:
    """Deterministic stream of distinct notes: a sample note whose numbers are redrawn, plus a
    line of invented surnames, reference numbers and a date, so each note adds new strings to a
    long-lived pipeline's vocabulary the way real patient-specific details do."""

    def __init__(self, seed: int = 5) -> None:
        self.bases = [p.read_text(encoding="utf-8") for p in sorted(NOTES_DIR.glob("*.txt"))]
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def __call__(self, i: int) -> str:
        with self.lock:
            rng = self.rng
            name = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
            ref = f"{rng.randrange(10**7):07d}"
            code = f"{rng.choice(_SYLLABLES)}{i}-{rng.randrange(10**4)}"
            day = f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/20{rng.randrange(10, 30)}"
        base = self.bases[i % len(self.bases)]
        return f"{base}\nSurgeon of record: Dr. {name}. Case {ref}, tray {code}, reviewed {day}.\n"


# -- statistics ----------------------------------------------------------------------------------

def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] * 1000

    return {"p50_ms": round(at(0.50), 2), "p95_ms": round(at(0.95), 2), "p99_ms": round(at(0.99), 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "n": len(ordered)}


# -- in-process ----------------------------------------------------------------------------------

def in_process(notes: dict[str, str], repeats: int) -> dict[str, Any]:
    from notecheck.checker import Checker

    checker = Checker()
    out: dict[str, Any] = {}
    for label, text in notes.items():
        for _ in range(10):
            checker.check(text)
        samples = []
        cpu_started = time.process_time()
        for _ in range(repeats):
            started = time.perf_counter()
            checker.check(text)
            samples.append(time.perf_counter() - started)
        out[label] = percentiles(samples)
        out[label]["cpu_ms_per_check"] = round((time.process_time() - cpu_started) / repeats * 1000, 2)
    return out


# -- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`notecheck serve` in a child process, as a user starts it."""

    def __init__(self, workers: int, log_dir: Path, env: Optional[dict[str, str]] = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        script = Path(sys.executable).with_name("notecheck")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "notecheck.cli"]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("NOTECHECK_")}
        environment.update(env or {})
        self.log = log_dir / f"serve-{self.port}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [*command, "serve", "--port", str(self.port), "--workers", str(workers)],
                stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=log_dir,
            )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-1500:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server never became ready")
            time.sleep(0.1)

    def rss_mib(self) -> float:
        """RSS of the process that checks (with one worker, the server process itself)."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def pids(self) -> list[int]:
        """The server process and its descendants (uvicorn's worker processes)."""
        found, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    queue.extend(int(c) for c in task.read_text().split())
                except OSError:
                    pass
        return found

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def ready_info(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/readyz", timeout=5).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def sequential(url: str, text: str, repeats: int) -> dict[str, Any]:
    body = {"text": text}
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(10):
            client.post("/v1/check", json=body).raise_for_status()
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.post("/v1/check", json=body).raise_for_status()
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


def sequential_stdlib(url: str, text: str, repeats: int) -> dict[str, Any]:
    """The same with http.client, whose own overhead is a fraction of httpx's: shows how much of
    the HTTP cost is the client's."""
    host, port = url.removeprefix("http://").split(":")
    payload = json.dumps({"text": text})
    headers = {"Content-Type": "application/json"}
    conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def post() -> None:
        conn.request("POST", "/v1/check", body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")

    for _ in range(10):
        post()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        post()
        samples.append(time.perf_counter() - started)
    conn.close()
    return percentiles(samples)


def concurrent(server: "Server", make_text: Callable[[int], str], total: int, clients: int,
               on_done: Optional[Callable[[int], None]] = None) -> dict[str, Any]:
    """`clients` concurrent keep-alive connections share `total` requests.

    The load generator is a minimal asyncio HTTP/1.1 client in one thread: it runs on the same two
    cores as the server, so the less CPU it spends per request (16 threads of httpx or http.client
    spend several times more, much of it fighting over the GIL), the more of the machine is left
    to the server. Its own CPU time is reported beside the server's.
    """
    samples: list[float] = []
    failures: list[str] = []
    counter = itertools.count()
    done = itertools.count(1)

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            while (n := next(counter)) < total:
                payload = json.dumps({"text": make_text(n)}).encode()
                request = (
                    b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(payload)
                ) + payload
                started = time.perf_counter()
                writer.write(request)
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                samples.append(time.perf_counter() - started)
                if status != 200:
                    failures.append(str(status))
                if on_done is not None:
                    on_done(next(done))
        finally:
            writer.close()

    async def run_all() -> None:
        await asyncio.gather(*(client() for _ in range(clients)))

    cpu_before, client_cpu_before = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    asyncio.run(run_all())
    wall = time.perf_counter() - started
    cpu, client_cpu = server.cpu_seconds() - cpu_before, time.process_time() - client_cpu_before
    result = percentiles(samples)
    result.update({
        "throughput_per_s": round(total / wall, 1),
        "wall_s": round(wall, 2),
        # CPU the server spent per check: unlike wall-clock rates, not inflated by whatever else
        # the machine runs at the same time.
        "server_cpu_ms_per_check": round(cpu / total * 1000, 2),
        "client_cpu_ms_per_check": round(client_cpu / total * 1000, 2),
        "failures": len(failures),
    })
    return result


def warm(server: "Server", text: str, clients: int) -> None:
    concurrent(server, lambda n: text, clients * 4, clients)


def soak(log_dir: Path, small: int, large: int, clients: int, recycle: bool) -> dict[str, Any]:
    env = {} if recycle else {"NOTECHECK_RECYCLE_STRINGS": str(10**12), "NOTECHECK_RECYCLE_NOTES": str(10**12)}
    server = Server(1, log_dir, env)
    notes = DistinctNotes()
    marks: dict[int, float] = {}
    try:
        marks[0] = server.rss_mib()

        def on_done(done: int) -> None:
            if done in (small, large // 2, large):
                marks[done] = server.rss_mib()

        run = concurrent(server, notes, large, clients, on_done)
        time.sleep(0.5)
        marks[large] = max(marks.get(large, 0.0), server.rss_mib())
        info = server.ready_info()
    finally:
        server.stop()
    return {
        "recycle": recycle,
        "rss_mib": {str(k): round(v, 1) for k, v in sorted(marks.items())},
        "ratio_large_to_small": round(marks[large] / marks[small], 3),
        "pipeline_builds": info.get("generation"),
        "notes_checked": info.get("notes_checked"),
        "failures": run["failures"],
        "throughput_per_s": run["throughput_per_s"],
    }


# -- report --------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per note and mode")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--soak-small", type=int, default=2000)
    parser.add_argument("--soak-large", type=int, default=20000)
    parser.add_argument("--soak-clients", type=int, default=4)
    parser.add_argument("--no-soak", action="store_true")
    parser.add_argument("--soak-only", action="store_true", help="skip the latency and throughput parts")
    parser.add_argument("--compare-no-recycle", action="store_true", help="also soak with recycling off")
    args = parser.parse_args()

    short, long_ = load_notes()
    notes = {"short": short, "long": long_}
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "notes": {label: {"words": words(text), "chars": len(text)} for label, text in notes.items()},
        "args": vars(args),
    }
    print(f"notes: short {words(short)} words, long {words(long_)} words", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        log_dir = Path(tmp)
        if not args.soak_only:
            latency(results, notes, args, log_dir)
        if not args.no_soak:
            print(f"soak: {args.soak_large:,} distinct notes, recycling on ...", flush=True)
            results["soak"] = soak(log_dir, args.soak_small, args.soak_large, args.soak_clients, recycle=True)
            if args.compare_no_recycle:
                print("soak: recycling off ...", flush=True)
                results["soak_no_recycle"] = soak(
                    log_dir, args.soak_small, args.soak_large, args.soak_clients, recycle=False)

    report(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"bench_service-{stamp}.json", RESULTS / "bench_service-latest.json"):
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {RESULTS / f'bench_service-{stamp}.json'}")
    return 0


def latency(results: dict[str, Any], notes: dict[str, str], args: argparse.Namespace, log_dir: Path) -> None:
    """In-process times, then the same notes over HTTP on 1 worker and on 2 workers."""
    print("in-process Checker.check ...", flush=True)
    results["in_process"] = in_process(notes, args.requests)

    print("1 worker: sequential and concurrent ...", flush=True)
    server = Server(1, log_dir)
    try:
        for label, text in notes.items():
            results[f"seq_{label}"] = sequential(server.url, text, args.requests)
            results[f"seq_stdlib_{label}"] = sequential_stdlib(server.url, text, args.requests)
            results[f"conc_{label}_1w"] = concurrent(server, lambda n, t=text: t, args.requests * 2, args.clients)
    finally:
        server.stop()

    print("2 workers: concurrent throughput ...", flush=True)
    server = Server(2, log_dir)
    try:
        warm(server, notes["short"], args.clients)  # both workers loaded and warm before timing
        for label, text in notes.items():
            results[f"conc_{label}_2w"] = concurrent(server, lambda n, t=text: t, args.requests * 2, args.clients)
    finally:
        server.stop()


def latency_report(r: dict[str, Any], row: Callable[[str, dict[str, Any]], str]) -> None:
    print(f"\n{'latency (ms)':<46} {'p50':>8} {'p95':>8} {'p99':>8}  throughput")
    for label in ("short", "long"):
        print(f"{label} note ({r['notes'][label]['words']} words)")
        print(row("in-process Checker.check", r["in_process"][label]))
        print(row("HTTP sequential, httpx", r[f"seq_{label}"]))
        print(row("HTTP sequential, http.client", r[f"seq_stdlib_{label}"]))
        print(row(f"HTTP {r['args']['clients']} clients, 1 worker", r[f"conc_{label}_1w"]))
        print(row(f"HTTP {r['args']['clients']} clients, 2 workers", r[f"conc_{label}_2w"]))

    print("\nratios")
    for label in ("short", "long"):
        base = r["in_process"][label]["p50_ms"]
        seq = r[f"seq_{label}"]["p50_ms"] / base
        std = r[f"seq_stdlib_{label}"]["p50_ms"] / base
        verdict = "meets" if seq <= 1.5 else "misses"
        print(f"  {label}: sequential p50 / in-process p50 = {seq:.2f}x with httpx ({verdict} the 1.5x target), "
              f"{std:.2f}x with http.client")
        t1, t2 = r[f"conc_{label}_1w"]["throughput_per_s"], r[f"conc_{label}_2w"]["throughput_per_s"]
        print(f"  {label}: throughput 2 workers / 1 worker = {t2 / t1:.2f}x ({t1:.0f}/s -> {t2:.0f}/s)")


def report(r: dict[str, Any]) -> None:
    def row(name: str, m: dict[str, Any]) -> str:
        extra = f"  {m['throughput_per_s']:>7.1f}/s" if "throughput_per_s" in m else ""
        if "server_cpu_ms_per_check" in m:
            extra += (f"  CPU/check: server {m['server_cpu_ms_per_check']:.2f} ms,"
                      f" client {m['client_cpu_ms_per_check']:.2f} ms")
        elif "cpu_ms_per_check" in m:
            extra += f"  {'':>9}  CPU {m['cpu_ms_per_check']:.2f} ms/check"
        fails = f"  failures {m['failures']}" if m.get("failures") else ""
        return f"  {name:<44} {m['p50_ms']:>8.2f} {m['p95_ms']:>8.2f} {m['p99_ms']:>8.2f}{extra}{fails}"

    if "in_process" in r:
        latency_report(r, row)
    print("\nsoak")
    for key in ("soak", "soak_no_recycle"):
        if key in r:
            s = r[key]
            small, large = str(r["args"]["soak_small"]), str(r["args"]["soak_large"])
            verdict = "within" if s["ratio_large_to_small"] <= 1.10 else "NOT within"
            print(f"  {key}: RSS {s['rss_mib'][small]} MiB after {int(small):,} notes, {s['rss_mib'][large]} MiB after "
                  f"{int(large):,}: {s['ratio_large_to_small']:.3f}x ({verdict} 10%); pipeline builds "
                  f"{s['pipeline_builds']}, failures {s['failures']}, {s['throughput_per_s']}/s")


if __name__ == "__main__":
    sys.exit(main())
