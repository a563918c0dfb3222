"""INPUT for `audit --engine spark`, read with Spark from any path it can read: Parquet, Delta, CSV,
JSONL, or a folder of .txt/.docx notes (as the local audit reads them).

What the format is comes from the path: a local folder is looked into (`_delta_log` → Delta,
*.parquet → Parquet, else .txt/.docx notes); a file or a remote URI goes by its suffix (.csv,
.jsonl/.ndjson/.json, .parquet, .delta), Parquet when it has none.

A folder's notes are read as bytes (`binaryFile`) and decoded in the worker with the local audit's
decoder, so encodings and error messages match it. Files over the size limit are listed (path and
length only, a filter Spark pushes down into the file listing) and become error rows without
their bytes ever being read.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from notecheck.audit.inputs import DOCX_FILE_FACTOR, InputError
from notecheck.spark.columns import ORDER_KEY
from notecheck.spark.frames import INPUT_ERROR

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

TABULAR = {".csv": "csv", ".jsonl": "json", ".ndjson": "json", ".json": "json", ".parquet": "parquet", ".delta": "delta"}


@dataclass
class NotesInput:
    frame: "DataFrame"
    kind: str
    ignored_files: int = 0


def is_local(path: str) -> bool:
    scheme = urlparse(path).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a Windows drive letter is not a scheme


def local_path(path: str) -> Path:
    return Path(urlparse(path).path if path.startswith("file:") else path)


def input_kind(path: str) -> str:
    if is_local(path):
        local = local_path(path)
        if not local.exists():
            raise InputError(f"no such file or folder: {path}")
        if local.is_dir():
            if (local / "_delta_log").is_dir():
                return "delta"
            if any(p.suffix.lower() == ".parquet" for p in local.rglob("*.parquet")):
                return "parquet"
            return "folder"
        kind = TABULAR.get(local.suffix.lower())
        if kind is None:
            raise InputError(f"INPUT must be a folder, a Parquet or Delta table, a .csv or a .jsonl file, not {local.name}")
        return kind
    return TABULAR.get(os.path.splitext(urlparse(path).path.rstrip("/"))[1].lower(), "parquet")


def read_notes(spark: "SparkSession", path: str, max_bytes: int) -> NotesInput:
    """The notes as a DataFrame ready for `check_notes` (plus an input-order key)."""
    from pyspark.sql import functions as F

    kind = input_kind(path)
    if kind == "folder":
        return _read_folder(spark, path, max_bytes)
    reader = spark.read
    if kind == "csv":
        # RFC 4180 as the local audit reads it: quoted fields may hold newlines, "" is a quote.
        frame = reader.options(header=True, multiLine=True, escape='"', mode="PERMISSIVE").csv(path)
        frame = frame.toDF(*[c.strip().lower() for c in frame.columns])
        _require(frame, path, "a CSV input needs note_id and text columns")
    elif kind == "json":
        frame = reader.options(mode="PERMISSIVE", columnNameOfCorruptRecord="_corrupt_record").json(path)
        frame = _json_columns(frame)
    elif kind == "delta":
        try:
            frame = reader.format("delta").load(path)
        except Exception as exc:  # no delta-spark on this cluster: say so in one line
            raise InputError(f"cannot read {path} as Delta ({type(exc).__name__}); is delta-spark installed?") from None
        _require(frame, path, "a table input needs note_id and text columns")
    else:
        frame = reader.parquet(path)
        _require(frame, path, "a table input needs note_id and text columns")
    return NotesInput(frame.withColumn(ORDER_KEY, F.format_string("%020d", F.monotonically_increasing_id())), kind)


def _require(frame: "DataFrame", path: str, what: str) -> None:
    names = {c.lower() for c in frame.columns}
    if "note_id" not in names or "text" not in names:
        raise InputError(f"{path}: {what} (found: {', '.join(frame.columns) or 'none'})")


def _json_columns(frame: "DataFrame") -> "DataFrame":
    """JSONL records that lack a field still get a row: a line that is not JSON, or has no text,
    becomes an error row instead of vanishing."""
    from pyspark.sql import functions as F

    if "note_id" not in frame.columns:
        frame = frame.withColumn("note_id", F.lit(None).cast("string"))
    if "text" not in frame.columns:
        frame = frame.withColumn("text", F.lit(None).cast("string"))
    elif dict(frame.dtypes)["text"] != "string":
        frame = frame.withColumn(INPUT_ERROR, F.lit('the record has no "text" string'))
    if "_corrupt_record" in frame.columns:
        bad = F.col("_corrupt_record").isNotNull()
        current = F.col(INPUT_ERROR) if INPUT_ERROR in frame.columns else F.lit(None).cast("string")
        frame = frame.withColumn(INPUT_ERROR, F.when(bad, F.lit("the line is not a valid JSON object")).otherwise(current))
        frame = frame.drop("_corrupt_record")
    return frame


def _read_folder(spark: "SparkSession", path: str, max_bytes: int) -> NotesInput:
    from pyspark.sql import functions as F

    local = local_path(path)
    names = [e.name for e in os.scandir(local)]
    notes = [n for n in names if n.endswith((".txt", ".docx")) and not n.startswith((".", "~$", "_"))]
    if not notes:
        raise InputError(f"no .txt or .docx files in {path}")
    ignored = len(names) - len(notes)

    def files(glob: str, limit: int, over: str) -> "DataFrame":
        listing = spark.read.format("binaryFile").option("pathGlobFilter", glob).load(path)
        # `length` filters are pushed into the listing: oversized files' bytes are never read.
        small = listing.where(F.col("length") <= limit).select("path", "content", F.lit(None).cast("string").alias(INPUT_ERROR))
        large = listing.where(F.col("length") > limit).select(
            "path", F.lit(None).cast("binary").alias("content"),
            F.format_string(over, F.format_number(F.col("length"), 0), F.lit(f"{limit:,}")).alias(INPUT_ERROR),
        )
        return small.unionByName(large)

    parts = []
    if any(n.endswith(".txt") for n in notes):
        parts.append(files("*.txt", max_bytes, "note is %s bytes, over the %s-byte limit"))
    if any(n.endswith(".docx") for n in notes):
        parts.append(files("*.docx", DOCX_FILE_FACTOR * max_bytes, ".docx file is %s bytes, over the %s-byte limit"))
    frame = parts[0]
    for part in parts[1:]:
        frame = frame.unionByName(part)
    name = F.regexp_extract(F.col("path"), r"([^/]+)$", 1)
    frame = frame.select(
        F.regexp_extract(name, r"^(.*)\.(txt|docx)$", 1).alias("note_id"),
        F.col("content").alias("text"),
        F.when(name.endswith(".docx"), F.lit("docx")).alias("source"),
        INPUT_ERROR,
        name.alias(ORDER_KEY),
    )
    return NotesInput(frame, "folder", ignored)


def read_claims(spark: "SparkSession", path: str) -> "DataFrame":
    if is_local(path) and not local_path(path).is_file():
        raise InputError(f"cannot read claims file {path}: No such file")
    if path.lower().endswith(".parquet"):
        frame = spark.read.parquet(path)
    else:
        frame = spark.read.options(header=True, multiLine=True, escape='"', mode="PERMISSIVE").csv(path)
    frame = frame.toDF(*[c.strip().lower() for c in frame.columns])
    if "note_id" not in frame.columns:
        raise InputError(f"{path}: the claims CSV needs a note_id column (found: {', '.join(frame.columns) or 'none'})")
    return frame

