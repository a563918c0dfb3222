"""The Spark audit job behind `notecheck audit INPUT --out OUT --engine spark [--master URL]`.

    INPUT (Parquet, Delta, CSV, JSONL, folder of notes; any path Spark reads)
      ─► check_notes (mapInPandas, one pipeline per Python worker) ─► persisted result
            ├─► OUT written in overwrite mode: Parquet (default), CSV or JSONL part files
            ├─► summary: per-partition SummaryBuilders added up (no result rows on the driver)
            └─► .html: the local audit's report, rows streamed one partition at a time

OUT's suffix says what to write, as in the local audit: `.jsonl` / `.csv` / `.parquet` (or no
suffix: Parquet) are folders of part files with `OUT.summary.json` beside them; `.html` is the
self-contained report. A re-run overwrites OUT (a killed run leaves no duplicate rows behind, and
nothing appends). Exit 0 when the run completed, 2 with one line when it could not start.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notecheck.audit.claims import ClaimsFileError
from notecheck.audit.fees import FeeFileError, FeeTable, load_fees
from notecheck.audit.inputs import InputError
from notecheck.audit.summary import AuditSummary
from notecheck.audit.workers import EXCERPTS_KEY
from notecheck.audit.writers import atomic_text, safe_cell, write_summary_json
from notecheck.errors import UsageError, describe_validation
from notecheck.models import ClaimContext
from notecheck.progress import progress_wanted
from notecheck.spark.columns import ORDER_KEY, REPORT_COLUMNS, RESULT_JSON
from notecheck.spark.frames import DEFAULT_BUDGET_S, check_notes, prepare_claims
from notecheck.spark.rows import plain
from notecheck.spark.sources import is_local, local_path, read_claims, read_notes
from notecheck.spark.summary import claim_of_row, claims_join, summarise

if TYPE_CHECKING:
    from notecheck.audit.run import AuditArgs
    from pyspark.sql import DataFrame, SparkSession

FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".html": "html", "": "parquet"}
# Rows per Arrow batch handed to a Python worker: notes of a few KB and results of 5–20 KB keep a
# batch in the tens of MB (Spark's default of 10,000 rows could reach gigabytes with long notes).
BATCH_ROWS = 256
# Notes per task when an input arrives in too few partitions (one JSONL or multi-line CSV file is
# read as one): short enough that a retry is cheap, long enough that task overhead stays small.
ROWS_PER_TASK = 5000


class SparkAuditOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    input: str
    out: str
    claims: Optional[str] = None
    master: Optional[str] = None
    workers: Optional[int] = Field(default=None, ge=1, le=512)
    max_bytes: int = Field(gt=0)
    fees: Optional[Path] = None
    quiet: bool = False
    budget_s: float = Field(default=DEFAULT_BUDGET_S, ge=0, allow_inf_nan=False)
    rules_dir: Optional[str] = None

    @property
    def kind(self) -> str:
        return FORMATS[_suffix(self.out)]


def _suffix(path: str) -> str:
    return os.path.splitext(path.rstrip("/"))[1].lower()


def _options(args: AuditArgs) -> SparkAuditOptions:
    if args.resume:
        raise UsageError("--resume is for the local engine; a Spark run is re-run whole and overwrites its output")
    values = {"input": args.input, "out": args.out, "claims": args.claims, "master": args.master, "workers": args.workers,
              "max_bytes": args.max_bytes, "fees": args.fees, "quiet": args.quiet,
              "rules_dir": args.rules}
    if args.note_budget is not None:  # --note-budget, as for the local engine (0: none)
        values["budget_s"] = args.note_budget or 0.0
    try:
        opts = SparkAuditOptions(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise UsageError(f"bad audit option {describe_validation(exc)}") from None
    if _suffix(opts.out) not in FORMATS:
        raise UsageError(f"--out must end in .parquet, .csv, .jsonl or .html, or have no suffix (got {opts.out})")
    if opts.kind == "html" and not is_local(opts.out):
        raise UsageError("an .html report is written on this machine: give a local --out path")
    if is_local(opts.out):
        out = local_path(opts.out)
        if not out.parent.is_dir():
            raise UsageError(f"the folder for --out does not exist: {out.parent}")
        if is_local(opts.input) and out.resolve() == local_path(opts.input).resolve():
            raise UsageError("--out must not be the input")
        if opts.kind == "html" and out.is_dir():
            raise UsageError(f"--out {opts.out} is a folder; the report is one file")
    return opts


def run_job(args: AuditArgs) -> int:
    """0 when the run completed, 2 with one line when it could not."""
    from pyspark.errors import AnalysisException

    try:
        return _run(_options(args))
    except (UsageError, InputError, ClaimsFileError, FeeFileError) as exc:
        print(f"notecheck: error: {exc}", file=sys.stderr)
        return 2
    except AnalysisException as exc:  # a path Spark cannot read, a table without the columns…
        # Its first line names the error class and the path or column, never a row's values.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"notecheck: error: Spark cannot run this audit: {first}", file=sys.stderr)
        return 2


def session(master: Optional[str], workers: Optional[int], progress: bool) -> "SparkSession":
    """The session to run on: `sc://…` is Spark Connect; another --master URL is used as given;
    without one, the session spark-submit set up (or `local[workers]`, else Spark's default)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("notecheck-audit")
    if master and master.startswith("sc://"):
        return builder.remote(master).getOrCreate()
    if master is None and workers is not None:
        master = f"local[{workers}]"
    if master is not None:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        # Local workers must run this interpreter: another one would lack notecheck or pyarrow.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_ROWS))
            .config("spark.ui.showConsoleProgress", "true" if progress else "false")
            .getOrCreate())


def _say(opts: SparkAuditOptions, message: str) -> None:
    if not opts.quiet:
        print(f"notecheck audit: {message}", file=sys.stderr)


def _run(opts: SparkAuditOptions) -> int:
    started = time.monotonic()
    fees = load_fees(opts.fees, opts.rules_dir)
    titles = _titles(opts.rules_dir)
    spark = session(opts.master, opts.workers, progress_wanted(opts.quiet))
    source = read_notes(spark, opts.input, opts.max_bytes)
    claims = read_claims(spark, opts.claims) if opts.claims else None
    report = opts.kind == "html"
    checked = check_notes(_spread(spark, source.frame), claims=claims, fees=fees, max_bytes=opts.max_bytes, budget_s=opts.budget_s or None, rules_dir=opts.rules_dir,
                          with_excerpts=report)
    from pyspark import StorageLevel

    # Written, summarised and (for .html) rendered from one computation: each note is checked once
    # (a lost cached block is recomputed; checking is deterministic, so the rows are the same).
    checked = checked.persist(StorageLevel.MEMORY_AND_DISK)
    cached: list["DataFrame"] = [checked]
    try:
        if not report:
            _write(checked, opts)
        builder = summarise(checked, fees, titles)
        join = None
        if claims is not None:
            cached += [claims.cache(), prepare_claims(claims).cache()]
            join = claims_join(checked.select("note_id"), cached[1], cached[2], opts.claims)
        elapsed = time.monotonic() - started
        summary = builder.build(input=opts.input, output=opts.out, claims=join, ignored_files=source.ignored_files,
                                elapsed=round(elapsed, 2))
        if report:
            _write_report(checked, summary, fees, Path(opts.out))
        else:
            _write_summary(opts.out, summary)
    finally:
        for frame in cached:
            frame.unpersist()
    _say(opts, _closing_line(opts, summary, time.monotonic() - started))
    return 0


def _spread(spark: "SparkSession", frame: "DataFrame") -> "DataFrame":
    """The notes over at least two tasks per core, so that every core works."""
    try:
        current, slots = frame.rdd.getNumPartitions(), spark.sparkContext.defaultParallelism
    except Exception:  # Spark Connect has no RDDs or SparkContext: the input's partitioning stands
        return frame
    if current >= 2 * slots:
        return frame
    return frame.repartition(max(2 * slots, -(-frame.count() // ROWS_PER_TASK)))


def _titles(rules_dir: Optional[str]) -> dict[str, str]:
    from notecheck.registry import load_registry

    return load_registry(rules_dir).checklist_titles()


def _write(checked: "DataFrame", opts: SparkAuditOptions) -> None:
    """OUT in overwrite mode: Spark's commit protocol publishes only committed task output, so a
    retried task or a re-run after a kill never leaves duplicate rows."""
    data = checked.drop(*[c for c in REPORT_COLUMNS if c in checked.columns])
    if opts.kind == "csv":
        _as_csv_cells(data).write.mode("overwrite").options(header=True, quoteAll=True, escape='"').csv(opts.out)
    elif opts.kind == "json":
        data.write.mode("overwrite").json(opts.out)
    else:
        data.write.mode("overwrite").parquet(opts.out)


def _csv_cells(columns: list[str], batches: Iterator[Any]) -> Iterator[Any]:
    import pandas as pd

    for batch in batches:
        cells = {c: [safe_cell(plain(v)) for v in batch[c].tolist()] for c in columns}
        yield pd.DataFrame(cells, columns=columns)


def _as_csv_cells(data: "DataFrame") -> "DataFrame":
    """Every cell as the local audit's CSV writes it (booleans true/false, amounts with two
    decimals, a leading = + - @ defused with an apostrophe)."""
    from functools import partial

    columns = [c for c in data.columns if c != RESULT_JSON]
    schema = ", ".join(f"`{c}` string" for c in columns)
    return data.select(*columns).mapInPandas(partial(_csv_cells, columns), schema=schema).select(*columns)


def _write_summary(out: str, summary: AuditSummary) -> None:
    path = out.rstrip("/") + ".summary.json"
    if is_local(path):
        write_summary_json(local_path(path), summary)
        return
    from pyspark.sql import SparkSession

    # A remote OUT: the summary goes beside it through Spark, as one small text file.
    spark = SparkSession.getActiveSession()
    assert spark is not None
    spark.createDataFrame([(summary.model_dump_json(indent=2),)], "value string").coalesce(1).write.mode("overwrite").text(path)


class _Rows:
    """The report's records, streamed from the cluster in input order, one partition at a time
    (`toLocalIterator`); `claim_of` answers for the record just handed out."""

    def __init__(self, checked: "DataFrame") -> None:
        self.rows = checked.select(RESULT_JSON, EXCERPTS_KEY, ORDER_KEY, "billed_cpt", "billed_units", "billed_modifiers").orderBy(ORDER_KEY)
        self.current: Optional[ClaimContext] = None

    def records(self) -> Iterator[dict[str, Any]]:
        import json

        for row in self.rows.toLocalIterator(prefetchPartitions=False):
            record = json.loads(row[RESULT_JSON])
            if row[EXCERPTS_KEY]:
                record[EXCERPTS_KEY] = json.loads(row[EXCERPTS_KEY])
            self.current = claim_of_row(row)
            yield record

    def claim_of(self, _note_id: Optional[str]) -> Optional[ClaimContext]:
        return self.current


def _write_report(checked: "DataFrame", summary: AuditSummary, fees: FeeTable, out: Path) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from notecheck.audit.report_html import write_report

    try:
        notecheck_version = version("notecheck")
    except PackageNotFoundError:
        notecheck_version = "unknown"
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    rows = _Rows(checked)
    with atomic_text(out) as fh:
        write_report(fh, summary, rows.records, rows.claim_of, fees, generated, notecheck_version)


def _closing_line(opts: SparkAuditOptions, s: AuditSummary, elapsed: float) -> str:
    rate = f", {s.notes / elapsed:,.1f} notes/s" if elapsed > 0 and s.notes else ""
    return (f"{s.notes:,} notes -> {opts.out} ({s.checked:,} checked, {s.errors:,} errors; {s.ready_to_sign:,} of "
            f"{s.implant_removals:,} implant removals ready to sign) in {elapsed:.1f} s on Spark{rate}")

