"""--resume after a real SIGKILL of a running `notecheck audit`: afterwards every input note has
exactly one record, in input order (no duplicate, none missing), and no worker outlives its run."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpora import MISSING, MTSAMPLES
N_NOTES = 240
CLI = [sys.executable, "-c", "import sys; from notecheck.cli import main; sys.exit(main())", "audit"]

pytestmark = pytest.mark.skipif(not MTSAMPLES.exists(), reason=MISSING)


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("resume") / "notes.jsonl"
    ids = []
    with MTSAMPLES.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        for line in src:
            if len(ids) == N_NOTES:
                break
            obj = json.loads(line)
            ids.append(obj["note_id"])
            dst.write(json.dumps({"note_id": obj["note_id"], "text": obj["text"]}) + "\n")
    return path, ids


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _kill_midway(args: list[str], journal: Path, at_least: int) -> int:
    """Start an audit, SIGKILL it once `journal` holds `at_least` records; return that count."""
    proc = subprocess.Popen(CLI + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _lines(journal) < at_least:
        assert proc.poll() is None, f"audit ended before it could be killed: {proc.stderr.read().decode()}"
        assert time.monotonic() < deadline, "audit made no progress"
        time.sleep(0.05)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "worker processes outlived the killed audit"
    done = _lines(journal)
    assert at_least <= done < N_NOTES, "the kill landed mid-run"
    return done


def _resume(args: list[str]) -> subprocess.CompletedProcess:
    result = subprocess.run(CLI + args + ["--resume"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def test_resume_jsonl_after_sigkill(notes, tmp_path: Path) -> None:
    src, ids = notes
    out = tmp_path / "out.jsonl"
    args = [str(src), "--out", str(out), "--workers", "2"]
    done = _kill_midway(args, out, at_least=30)
    result = _resume(args)
    assert "resuming after" in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == N_NOTES
    assert [r["note_id"] for r in records] == ids
    assert not any("error" in r for r in records)
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert summary["notes"] == N_NOTES and summary["resumed_after"] >= done - 1


def test_resume_csv_after_sigkill(notes, tmp_path: Path) -> None:
    """A .csv output is rendered from its sidecar journal once the run completes."""
    src, ids = notes
    out = tmp_path / "out.csv"
    journal = tmp_path / "out.csv.partial.jsonl"
    args = [str(src), "--out", str(out), "--workers", "2", "--quiet"]
    _kill_midway(args, journal, at_least=30)
    assert not out.exists(), "the CSV appears only when the run is complete"
    _resume(args)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["note_id"] for r in rows] == ids
    assert not journal.exists()
