"""`notecheck audit INPUT --out FILE`: many notes into one report, on local worker processes
(notecheck/audit/run.py) or as an Apache Spark job (notecheck/spark/). Exit 0 when the run
completed, whatever the notes' gaps; 2 with one line when it could not."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from notecheck.cli.options import RULES_HELP, byte_limit, rules_dir, seconds
from notecheck.reader import DEFAULT_MAX_BYTES

EXAMPLES = """[bold]Examples[/bold]

  notecheck audit notes/ --out night.csv
  notecheck audit notes.jsonl --claims claims.csv --fees fees.yaml --out report.html
  notecheck audit notes/ --out night.jsonl --resume
  notecheck audit notes.parquet --out results.parquet --engine spark --master local[4]
"""


class Engine(str, Enum):
    local = "local"
    spark = "spark"


def audit(
    input: Annotated[str, typer.Argument(
        metavar="INPUT",
        help="a folder of .txt/.docx notes, or a .csv/.jsonl with note_id and text")],
    out: Annotated[str, typer.Option(
        metavar="FILE",
        help="the report; its suffix picks the format: .jsonl, .csv or .html")],
    claims: Annotated[Optional[str], typer.Option(
        metavar="FILE.csv",
        help="claim context joined by note_id (columns: note_id, removal_date, index_surgery_date, index_cpt, "
             "index_related, billed_cpt, billed_units, billed_modifiers, place_of_service)")] = None,
    workers: Annotated[Optional[int], typer.Option(metavar="N", help="worker processes (default: all cores)")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", metavar="",
        help="continue an interrupted run from its journal")] = False,
    max_bytes: Annotated[int, typer.Option(
        parser=byte_limit, metavar="BYTES",
        help="largest note, bytes of UTF-8 text")] = DEFAULT_MAX_BYTES,
    note_budget: Annotated[Optional[float], typer.Option(
        parser=seconds, metavar="SECONDS",
        help="time allowed per note; a note over it becomes an error record (default 30, 0: no limit)")] = None,
    fees: Annotated[Optional[str], typer.Option(
        metavar="FILE",
        help="YAML/JSON fee table {cpt: amount} for revenue at risk")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", metavar="",
        help="no progress bar and no closing summary on stderr")] = False,
    engine: Annotated[Engine, typer.Option(
        help="local worker processes or an Apache Spark job (the spark extra)")] = Engine.local,
    master: Annotated[Optional[str], typer.Option(
        metavar="URL",
        help="with --engine spark: local[N], spark://host:port, yarn, sc://host:port …")] = None,
    rules: Annotated[Optional[str], typer.Option(
        "--rules", parser=rules_dir, metavar="DIR", help=RULES_HELP)] = None,
) -> int:
    """Check many notes into one report (.jsonl, .csv or .html); every note yields one record."""
    from notecheck.audit.run import AuditArgs

    args = AuditArgs(input=input, out=out, claims=claims, workers=workers, resume=resume, max_bytes=max_bytes,
                     note_budget=note_budget, fees=fees, quiet=quiet, engine=engine.value, master=master,
                     rules=rules)
    if engine is Engine.spark:
        from notecheck.spark.run import run_spark_audit

        return run_spark_audit(args)
    from notecheck.audit.run import run_audit

    return run_audit(args)
