"""What runs in Spark's Python workers: Arrow batches of notes in, one output row per note out.

The pipeline is built lazily, once per Python worker process, and cached in this module's global:
this function is pickled *by reference* (it lives in the installed package, not in the driver's
`__main__`), so the cache survives from task to task while Spark reuses the worker
(`spark.python.worker.reuse`, on by default). Nothing spaCy ever crosses the wire; only strings,
numbers and JSON leave a worker.

A note that cannot be checked becomes an error row, never an exception: an exception raised here
fails the task, Spark retries it, and after four failures the whole job. Error reasons are the
local audit's (`notecheck.audit.workers`): one line, no note text, so executor logs hold none.

This module imports pandas but not pyspark, so the batch function can be unit-tested without a JVM.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

import pandas as pd
from pydantic import ValidationError

from notecheck.audit.evidence import excerpts
from notecheck.audit.fees import FeeTable
from notecheck.audit.inputs import _read_docx, _text_job, load_text
from notecheck.audit.summary import NoteRow
from notecheck.audit.workers import EXCERPTS_KEY, HardTimeout, describe_failure, error_line, hard_deadline
from notecheck.budget import CheckTimeout
from notecheck.errors import describe_validation
from notecheck.models import ClaimContext
from notecheck.reader import NoteInputError, decode_note
from notecheck.spark.columns import ORDER_KEY, output_columns

if TYPE_CHECKING:
    from notecheck.checker import Checker

# Set in a worker's environment (spark.executorEnv.*) to record each pipeline build as a line
# "<pid>" in that file: how the bench and the tests count builds per worker process.
BUILD_LOG_ENV = "NOTECHECK_SPARK_BUILD_LOG"

_checker: Optional["Checker"] = None
_checker_rules: Optional[str] = None


@dataclass(frozen=True)
class CheckConfig:
    """Everything a worker needs besides the notes; small and picklable (no spaCy objects)."""

    item_ids: tuple[str, ...]
    fees: FeeTable
    max_bytes: int
    budget_s: Optional[float]
    rules_dir: Optional[str] = None
    with_excerpts: bool = False
    with_order: bool = False
    claim_fields: tuple[str, ...] = field(default_factory=tuple)


def worker_checker(rules_dir: Optional[str], rebuild: bool = False) -> "Checker":
    """This process's Checker, built on first use and kept for every later batch and task."""
    global _checker, _checker_rules
    if rebuild or _checker is None or _checker_rules != rules_dir:
        from notecheck.checker import Checker

        _checker = Checker(rules_dir)
        _checker_rules = rules_dir
        log = os.environ.get(BUILD_LOG_ENV)
        if log:
            with open(log, "a", encoding="ascii") as fh:
                fh.write(f"{os.getpid()}\n")
    return _checker


def check_partition(config: CheckConfig, batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """mapInPandas body (bound to its config with functools.partial): one output frame per batch."""
    columns = output_columns(config.item_ids, config.with_excerpts, config.with_order)
    checker = None
    for batch in batches:
        if checker is None and len(batch):
            checker = worker_checker(config.rules_dir)
        rows = [_guarded(checker, config, record, columns) for record in batch.to_dict("records")]
        yield pd.DataFrame(rows, columns=columns, dtype=object)


def _guarded(checker: Optional["Checker"], config: CheckConfig, record: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """check_record already turns every note problem into an error row; this is the net under
    it, so that not even a bug in building the row can fail the task."""
    try:
        return check_record(checker, config, record)
    except Exception as exc:
        note_id = _safe_id(record.get("note_id"))
        reason = " ".join(describe_failure(exc).split())
        row: dict[str, Any] = dict.fromkeys(columns)
        row.update({"note_id": note_id, "error": reason, "result_json": error_line(note_id, reason)})
        return row


def _claim(config: CheckConfig, record: dict[str, Any]) -> tuple[Optional[ClaimContext], Optional[str]]:
    """The note's claim context from its claim columns; (None, reason) when the row is invalid."""
    values = {name: plain(record.get(name)) for name in config.claim_fields}
    if not any(v not in (None, "") for v in values.values()):
        return None, None
    try:
        return ClaimContext.model_validate(values), None
    except ValidationError as exc:
        return None, f"its claim row is invalid ({describe_validation(exc)})"


def plain(value: Any) -> Any:
    """pandas hands a missing value over as None, NaN, NA or NaT, by column type; we want None."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return value


def _text(config: CheckConfig, note_id: str, record: dict[str, Any], claim_problem: Optional[str]) -> tuple[str, str]:
    """The note's text and encoding, with the local audit's checks, messages and their order."""
    content = plain(record.get("content"))
    if content is not None:  # a file's bytes (a folder input): decoded exactly as the local audit does
        if claim_problem:
            raise NoteInputError(claim_problem)
        if record.get("source") == "docx":
            return _docx_text(bytes(content), config.max_bytes), "docx"
        note = decode_note(bytes(content), config.max_bytes)
        return note.text, note.encoding
    text = plain(record.get("text"))
    if not isinstance(text, str):
        raise NoteInputError('the record has no "text" string')
    loaded = load_text(_text_job(0, note_id, text, "utf-8", config.max_bytes), config.max_bytes)
    if claim_problem:
        raise NoteInputError(claim_problem)
    return loaded


def _docx_text(data: bytes, max_bytes: int) -> str:
    """A .docx's text through the local audit's reader, which takes a path: the bytes go to a
    private temporary file for the length of the read."""
    with tempfile.TemporaryDirectory(prefix="notecheck-docx-") as folder:
        path = Path(folder) / "note.docx"
        path.write_bytes(data)
        return _read_docx(path, max_bytes)


def check_record(checker: Optional["Checker"], config: CheckConfig, record: dict[str, Any]) -> dict[str, Any]:
    """One output row for one input row, whatever the input holds."""
    note_id = _safe_id(record.get("note_id"))
    claim, claim_problem = _claim(config, record)
    extra: Optional[str] = None
    try:
        input_error = plain(record.get("input_error"))
        if input_error:
            raise NoteInputError(str(input_error))
        if not note_id:
            raise NoteInputError("the record has no note_id")
        text, encoding = _text(config, note_id, record, claim_problem)
        assert checker is not None
        # The local audit's SIGALRM backstop too, for code that never reaches a cooperative check.
        with hard_deadline(config.budget_s):
            result = checker.check(text, claim, note_id, budget_s=config.budget_s, max_bytes=config.max_bytes)
        data: dict[str, Any] = result.model_dump(mode="json")
        data["note_id"] = note_id
        data["encoding"] = encoding
        line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        line.encode("utf-8")  # a lone surrogate would fail the Arrow batch, and with it the task
        if config.with_excerpts:
            extra = json.dumps(excerpts(data, text), ensure_ascii=False, separators=(",", ":"))
    except HardTimeout as exc:
        # The interrupted code may have left the pipeline's state half updated: build it afresh.
        worker_checker(config.rules_dir, rebuild=True)
        line, data = _error(note_id, str(exc))
    except (NoteInputError, CheckTimeout) as exc:  # messages name sizes, budgets, never the text
        line, data = _error(note_id, str(exc))
    except UnicodeEncodeError:
        line, data = _error(note_id, "the result holds text that is not valid Unicode")
    except Exception as exc:  # a checker bug costs one note, not the job
        line, data = _error(note_id, describe_failure(exc))
    return _flat(config, NoteRow.build(0, data, claim, config.fees), line, extra, plain(record.get(ORDER_KEY)))


def _safe_id(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    text = str(value).strip()
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error(note_id: str, reason: str) -> tuple[str, dict[str, Any]]:
    line = error_line(note_id, reason)
    return line, json.loads(line)


def _flat(config: CheckConfig, row: NoteRow, line: str, extra: Optional[str], order_key: Optional[str]) -> dict[str, Any]:
    """The audit CSV's columns, typed (the CSV writer formats them; Parquet keeps the types)."""
    out: dict[str, Any] = {
        "note_id": row.note_id, "error": row.error, "encoding": row.encoding, "score": row.score,
        "ready_to_sign": row.ready_to_sign, "is_implant_removal": row.is_implant_removal,
        "suggested_cpt": row.suggested_cpt, "units": row.units,
    }
    for item_id in config.item_ids:
        out[f"checklist_{item_id}"] = row.checklist.get(item_id, "")
    out.update({
        "claim_lines": row.claim_lines, "modifiers": row.modifiers, "icd10": row.icd10,
        "billed_cpt": row.billed_cpt, "billed_units": row.billed_units, "billed_modifiers": row.billed_modifiers,
        "risk_ids": " ".join(row.risk_ids), "risk_count": None if row.error else len(row.risk_ids),
        "top_severity": row.top_severity, "amount": row.amount, "revenue_at_risk": row.at_risk,
        "result_json": line,
    })
    if config.with_excerpts:
        out[EXCERPTS_KEY] = extra
    if config.with_order:
        out[ORDER_KEY] = order_key
    return out


__all__ = ["BUILD_LOG_ENV", "CheckConfig", "check_partition", "check_record", "worker_checker"]
