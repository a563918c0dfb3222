"""An audit of all 2,377 MTSamples reports: one record per report, in order, none an error.
About 30 s on two cores, so it stays in the default run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from notecheck.cli import main

from corpora import MISSING, MTSAMPLES


@pytest.mark.skipif(not MTSAMPLES.exists(), reason=MISSING)
def test_audit_of_mtsamples_has_every_record_and_no_error(tmp_path: Path, capsys) -> None:
    ids = [json.loads(line)["note_id"] for line in MTSAMPLES.open(encoding="utf-8") if line.strip()]
    assert len(ids) == 2377
    out = tmp_path / "mtsamples.jsonl"
    assert main(["audit", str(MTSAMPLES), "--out", str(out), "--workers", "2"]) == 0
    records = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert len(records) == 2377
    assert [r["note_id"] for r in records] == ids
    errors = [(r["note_id"], r["error"]) for r in records if "error" in r]
    assert errors == []
    summary = json.loads((tmp_path / "mtsamples.jsonl.summary.json").read_text())
    assert (summary["notes"], summary["checked"], summary["errors"]) == (2377, 2377, 0)
    assert "2,377 notes" in capsys.readouterr().err
