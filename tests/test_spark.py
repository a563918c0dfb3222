"""The audit on Apache Spark (notecheck/spark/): the same results as the local audit, one row per
input row, error rows instead of failed jobs, overwrite instead of duplicates.

One local[2] session serves the whole module (start-up is ~10 s). Skipped, saying why, without
Java or without the spark extra; `pytest -m "not spark"` leaves them out.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest

from notecheck.cli import main
from notecheck.reader import over_limit

from corpora import MISSING, MTSAMPLES

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_notes"
CLAIMS = SAMPLES / "claims.csv"
MARKER = "Zanzibar-PHI-7731"  # a string that must never reach a log


def _java_major() -> int:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60).stderr
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not found:
        return 0
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


@pytest.fixture(scope="session")
def build_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark") / "builds.log"


@pytest.fixture(scope="session")
def spark(build_log: Path) -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java 17+ and `java` is not on PATH")
    if _java_major() < 17:
        pytest.skip("Spark tests need Java 17+ (PySpark 4); an older java is on PATH")
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="Spark tests need the spark extra: pip install '.[spark]'")
    from notecheck.spark.rows import BUILD_LOG_ENV

    # Workers must run this interpreter (the venv with notecheck and pyarrow).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ[BUILD_LOG_ENV] = str(build_log)
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]").appName("notecheck-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config(f"spark.executorEnv.{BUILD_LOG_ENV}", str(build_log))
        .getOrCreate()
    )
    yield session
    session.stop()


def _spark_audit(*args: str) -> int:
    return main(["audit", *args, "--engine", "spark", "--master", "local[2]", "--quiet"])


def _local_audit(*args: str) -> int:
    return main(["audit", *args, "--workers", "2", "--quiet"])


def _parquet_rows(spark: Any, path: Path) -> list[dict[str, Any]]:
    return [row.asDict() for row in spark.read.parquet(str(path)).collect()]


def _json_lines(path: Path) -> dict[str, str]:
    return {json.loads(line)["note_id"]: line.rstrip("\n") for line in path.open(encoding="utf-8")}


def _same_summary(local: Path, spark_side: Path) -> None:
    a, b = json.loads(local.read_text()), json.loads(spark_side.read_text())
    for key in ("output", "elapsed_seconds"):
        a.pop(key), b.pop(key)
    assert a == b


class TestSameAsTheLocalAudit:
    def test_sample_notes_with_claims_json_and_summary(self, spark: Any, tmp_path: Path) -> None:
        local, out = tmp_path / "local.jsonl", tmp_path / "out.parquet"
        assert _local_audit(str(SAMPLES), "--claims", str(CLAIMS), "--out", str(local)) == 0
        assert _spark_audit(str(SAMPLES), "--claims", str(CLAIMS), "--out", str(out)) == 0
        expected = _json_lines(local)
        rows = _parquet_rows(spark, out)
        assert len(rows) == len(expected) == 94
        assert {r["note_id"]: r["result_json"] for r in rows} == expected
        assert all(r["error"] is None for r in rows)
        _same_summary(tmp_path / "local.jsonl.summary.json", tmp_path / "out.parquet.summary.json")

    def test_sample_notes_csv_cells_and_html_report(self, spark: Any, tmp_path: Path) -> None:
        for name in ("local.csv", "local.html"):
            assert _local_audit(str(SAMPLES), "--claims", str(CLAIMS), "--out", str(tmp_path / name)) == 0
        for name in ("spark.csv", "spark.html"):
            assert _spark_audit(str(SAMPLES), "--claims", str(CLAIMS), "--out", str(tmp_path / name)) == 0
        with (tmp_path / "local.csv").open(encoding="utf-8-sig", newline="") as fh:
            local_rows = list(csv.DictReader(fh))
        spark_rows = []
        for part in sorted((tmp_path / "spark.csv").glob("part-*.csv")):
            with part.open(encoding="utf-8", newline="") as fh:
                spark_rows += list(csv.DictReader(fh))
        assert list(spark_rows[0]) == list(local_rows[0])  # same columns, same order
        assert {r["note_id"]: r for r in spark_rows} == {r["note_id"]: r for r in local_rows}
        _same_summary(tmp_path / "local.csv.summary.json", tmp_path / "spark.csv.summary.json")

        def comparable(path: Path) -> str:  # the report names its own file and when it was made
            html = path.read_text(encoding="utf-8")
            return re.sub(r"generated [^·]*·", "", html).replace(str(path), "OUT")

        assert comparable(tmp_path / "spark.html") == comparable(tmp_path / "local.html")

    @pytest.mark.skipif(not MTSAMPLES.exists(), reason=MISSING)
    def test_2000_mtsamples_reports(self, spark: Any, tmp_path: Path) -> None:
        notes = tmp_path / "mts2000.jsonl"
        with MTSAMPLES.open(encoding="utf-8") as src, notes.open("w", encoding="utf-8") as dst:
            for _, line in zip(range(2000), src):
                dst.write(line)
        local, out = tmp_path / "local.jsonl", tmp_path / "out.parquet"
        assert _local_audit(str(notes), "--out", str(local)) == 0
        assert _spark_audit(str(notes), "--out", str(out)) == 0
        expected = _json_lines(local)
        rows = _parquet_rows(spark, out)
        assert len(rows) == len(expected) == 2000
        got = {r["note_id"]: r["result_json"] for r in rows}
        assert [k for k in expected if got.get(k) != expected[k]] == []
        _same_summary(tmp_path / "local.jsonl.summary.json", tmp_path / "out.parquet.summary.json")


def _note() -> str:
    return (SAMPLES / "adv_001_rt_index_p2_screw_ehr_laterality.txt").read_text(encoding="utf-8")


class TestErrorRows:
    def test_empty_binary_oversized_and_invalid_rows_come_back_as_errors(self, spark: Any, capfd) -> None:
        from notecheck.spark import check_notes

        good = _note()
        rows = [
            ("good", good, None),
            ("empty", "", None),
            ("blank", " \n\t ", None),
            ("missing", None, None),
            ("controls", MARKER + "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 10, None),
            ("oversized", MARKER + " K-wire removed." * 2000, None),
            ("bad-claim", good, "lots"),
            (None, good, None),
        ]
        df = spark.createDataFrame(rows, "note_id string, text string, billed_units string")
        out = {r["note_id"]: r.asDict() for r in check_notes(df, max_bytes=20_000).collect()}
        assert len(out) == len(rows)
        assert out["good"]["error"] is None and json.loads(out["good"]["result_json"])["note_id"] == "good"
        assert out["empty"]["error"] == out["blank"]["error"] == "note is empty"
        assert out["missing"]["error"] == 'the record has no "text" string'
        assert out["controls"]["error"] == "note looks binary (control characters), not text"
        assert out["oversized"]["error"] == str(over_limit(20_000)) == "note is over the 20,000-byte limit"
        assert out["bad-claim"]["error"].startswith("its claim row is invalid (billed_units:")
        assert out[""]["error"] == "the record has no note_id"
        for note_id, row in out.items():
            if row["error"]:
                assert json.loads(row["result_json"]) == {"note_id": note_id, "error": row["error"]}
                assert row["score"] is None and row["ready_to_sign"] is None
        captured = capfd.readouterr()
        assert MARKER not in captured.out + captured.err

    def test_file_bytes_are_decoded_like_the_local_audit(self, spark: Any) -> None:
        from notecheck.spark import check_notes

        good = _note()
        rows = [
            ("utf8", good.encode("utf-8")),
            ("bom", b"\xef\xbb\xbf" + good.encode("utf-8")),
            ("cp1252", good.replace("removed", "removed caf\xe9").encode("cp1252")),
            ("nul", b"\x00\x01PK\x03\x04" + os.urandom(64)),
        ]
        df = spark.createDataFrame(rows, "note_id string, content binary")
        out = {r["note_id"]: r for r in check_notes(df, text_col="content").collect()}
        assert [out[k]["encoding"] for k in ("utf8", "bom", "cp1252")] == ["utf-8", "utf-8-sig", "cp1252"]
        assert out["nul"]["error"] == "note looks binary (NUL bytes), not text"

    def test_hostile_input_cannot_fail_the_job(self, spark: Any, tmp_path: Path) -> None:
        good = _note()
        lines = [
            json.dumps({"note_id": "ok", "text": good}),
            "[" * 100_000 + "]" * 100_000,  # nested 100k deep
            "not json at all " + MARKER,
            json.dumps({"note_id": "runaway", "text": "K-wire removed. " * 3000}),
            json.dumps({"note_id": "nul", "text": "\x00" * 500}),
            json.dumps({"note_id": "surrogate", "text": good + " \ud800"}),
        ]
        notes = tmp_path / "hostile.jsonl"
        notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = tmp_path / "out.parquet"
        assert _spark_audit(str(notes), "--out", str(out), "--max-bytes", "40000") == 0
        rows = _parquet_rows(spark, out)
        assert len(rows) == len(lines)
        errors = Counter(r["error"] for r in rows)
        assert errors["the line is not a valid JSON object"] == 2
        assert {r["note_id"]: r["error"] for r in rows}["runaway"] == str(over_limit(40_000))
        assert {r["note_id"]: r["error"] for r in rows}["ok"] is None
        summary = json.loads((tmp_path / "out.parquet.summary.json").read_text())
        assert summary["notes"] == len(lines) and summary["errors"] == sum(1 for r in rows if r["error"])

    def test_a_note_over_its_time_budget_is_an_error_row(self, spark: Any) -> None:
        from notecheck.spark import check_notes

        df = spark.createDataFrame([(f"n{i}", _note()) for i in range(3)], "note_id string, text string")
        rows = check_notes(df, budget_s=1e-9).collect()
        assert len(rows) == 3
        assert {r["error"] for r in rows} == {"note not checked within its 1e-09-second time budget"}


class TestRuns:
    def test_rerun_after_a_killed_run_overwrites(self, spark: Any, tmp_path: Path) -> None:
        notes = tmp_path / "notes.csv"
        with notes.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["note_id", "text"])
            for i in range(12):
                writer.writerow([f"n{i}", _note()])
        out = tmp_path / "out.parquet"
        assert _spark_audit(str(notes), "--out", str(out)) == 0
        first = sorted(r["note_id"] for r in _parquet_rows(spark, out))
        # What a run killed mid-write leaves: a stray part file and an uncommitted attempt.
        stray = next(out.glob("part-*.parquet"))
        shutil.copy(stray, out / "part-99999-stale.snappy.parquet")
        (out / "_temporary" / "0").mkdir(parents=True)
        assert _spark_audit(str(notes), "--out", str(out)) == 0
        again = sorted(r["note_id"] for r in _parquet_rows(spark, out))
        assert again == first == sorted(f"n{i}" for i in range(12))
        assert json.loads((tmp_path / "out.parquet.summary.json").read_text())["notes"] == 12

    def test_one_pipeline_per_python_worker_process(self, spark: Any, build_log: Path) -> None:
        from notecheck.spark import check_notes

        df = spark.createDataFrame([(f"n{i}", _note()) for i in range(32)], "note_id string, text string").repartition(8)
        assert check_notes(df).count() == 32
        assert check_notes(df).where("error is null").count() == 32
        builds = Counter(build_log.read_text().split())
        # 16 tasks here (and every task of the session before), yet no worker process built twice.
        assert builds and max(builds.values()) == 1

    @pytest.mark.parametrize(
        "args, message",
        [
            (["{tmp}/missing.jsonl", "--out", "{tmp}/o.parquet"], "no such file or folder"),
            (["{tmp}/bad.csv", "--out", "{tmp}/o.parquet"], "a CSV input needs note_id and text columns"),
            (["{tmp}/bad.csv", "--out", "{tmp}/o.parquet", "--resume"], "--resume is for the local engine"),
            (["{tmp}/bad.csv", "--out", "{tmp}/o.txt"], "--out must end in .parquet, .csv, .jsonl or .html"),
            (["{tmp}/bad.csv", "--out", "{tmp}/bad.csv"], "--out must not be the input"),
        ],
    )
    def test_usage_errors_are_one_line_and_exit_2(self, spark: Any, tmp_path: Path, capsys, args: list[str], message: str) -> None:
        (tmp_path / "bad.csv").write_text("id,body\n1,hello\n", encoding="utf-8")
        assert _spark_audit(*[a.format(tmp=tmp_path) for a in args]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0]


def test_worker_names_the_failure_never_the_note() -> None:
    """A checker bug inside a Spark worker is an error row naming the exception, not its message."""
    pytest.importorskip("pandas", reason="the spark extra is not installed")
    from notecheck.audit.fees import FeeTable
    from notecheck.spark.rows import CheckConfig, check_record

    class Broken:
        def check(self, text: str, *args: Any, **kwargs: Any) -> Any:
            raise ValueError(f"could not parse {text}")

    config = CheckConfig(item_ids=("implant_type",), fees=FeeTable(fees={}), max_bytes=10_000, budget_s=None)
    row = check_record(Broken(), config, {"note_id": "n1", "text": f"{MARKER} K-wire removed."})
    assert row["error"].startswith("the checker failed on this note (ValueError")
    assert MARKER not in row["error"] and MARKER not in row["result_json"]
    assert row["checklist_implant_type"] == ""


def test_even_a_bug_building_the_row_is_an_error_row(monkeypatch) -> None:
    pytest.importorskip("pandas", reason="the spark extra is not installed")
    import pandas as pd

    from notecheck.audit.fees import FeeTable
    from notecheck.spark import rows
    from notecheck.spark.rows import CheckConfig, check_partition

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(MARKER)

    monkeypatch.setattr(rows.NoteRow, "build", broken)
    config = CheckConfig(item_ids=("implant_type",), fees=FeeTable(fees={}), max_bytes=10_000, budget_s=None)
    batch = pd.DataFrame({"note_id": ["a", "b"], "text": ["", None]})
    (out,) = list(check_partition(config, [batch]))
    assert list(out["note_id"]) == ["a", "b"]
    assert all(e.startswith("the checker failed on this note (KeyError") for e in out["error"])
    assert MARKER not in out.to_json()


def test_without_the_spark_extra_the_engine_is_one_line_and_exit_2(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # what `import pyspark` meets when it is not installed
    assert main(["audit", str(SAMPLES), "--out", str(tmp_path / "o.parquet"), "--engine", "spark"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'notecheck[spark]'" in err[0]
