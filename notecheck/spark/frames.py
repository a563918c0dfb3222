"""`check_notes`: a DataFrame of notes in, a DataFrame of results out, one row per input row.

    notes[note_id, text | content, claim columns…]  ──(left join claims)──►  mapInPandas(check_partition)
                                                                              │  pipeline built once per
                                                                              ▼  Python worker process
              flat audit columns + result_json (+ error), exactly the local audit's values

Only DataFrame APIs are used (no SparkContext, RDD or broadcast), so the same call works on
Spark Connect and Databricks shared/serverless compute where those are unavailable.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Optional

from notecheck.audit.fees import FeeTable, load_fees
from notecheck.audit.run import DEFAULT_NOTE_BUDGET_S
from notecheck.reader import DEFAULT_MAX_BYTES
from notecheck.spark.columns import CLAIM_FIELDS, ORDER_KEY, output_schema
from notecheck.spark.rows import CheckConfig, check_partition

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

# Per-note time budget, the local audit's default (Checker.check(budget_s=...)): a note that takes
# longer becomes an error row instead of holding its task, and the task's retries, for ever.
DEFAULT_BUDGET_S = DEFAULT_NOTE_BUDGET_S
INPUT_ERROR = "input_error"  # optional input column: why a row is known to be unusable (e.g. bad JSON)
SOURCE = "source"  # optional input column: "docx" when `content` holds a .docx file's bytes
# ORDER_KEY (columns.py): optional input column (the input order), carried to the output


def checklist_ids(rules_dir: Optional[str] = None) -> tuple[str, ...]:
    from notecheck.registry import load_registry

    return tuple(load_registry(rules_dir).checklist.items)


def _as_string(df: "DataFrame", name: str) -> "Column":
    """A claim column as the text the claim model parses (dates as YYYY-MM-DD, booleans true/false)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    column = F.col(f"`{name}`")
    kind = df.schema[name].dataType
    if isinstance(kind, (DateType, TimestampType, TimestampNTZType)):
        return F.date_format(column, "yyyy-MM-dd")
    return column.cast("string")


def prepare_notes(df: "DataFrame", id_col: str = "note_id", text_col: str = "text") -> "DataFrame":
    """The columns the worker reads: note_id, text (string) or content (bytes), input_error and any
    claim columns present. Raises ValueError naming the missing column."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType

    names = {c.lower(): c for c in df.columns}
    for wanted in (id_col, text_col):
        if wanted.lower() not in names:
            raise ValueError(f"the notes need {id_col} and {text_col} columns (found: {', '.join(df.columns) or 'none'})")
    text_name = names[text_col.lower()]
    is_bytes = isinstance(df.schema[text_name].dataType, BinaryType)
    columns = [
        F.col(f"`{names[id_col.lower()]}`").cast("string").alias("note_id"),
        (F.lit(None).cast("string") if is_bytes else F.col(f"`{text_name}`").cast("string")).alias("text"),
        (F.col(f"`{text_name}`") if is_bytes else F.lit(None).cast("binary")).alias("content"),
        (F.col(f"`{names[INPUT_ERROR]}`").cast("string") if INPUT_ERROR in names else F.lit(None).cast("string")).alias(INPUT_ERROR),
    ]
    columns += [F.col(f"`{names[c]}`").cast("string").alias(c) for c in (SOURCE, ORDER_KEY) if c in names]
    columns += [_as_string(df, names[f]).alias(f) for f in CLAIM_FIELDS if f in names]
    return df.select(*columns)


def prepare_claims(claims: "DataFrame") -> "DataFrame":
    """One claim row per note id, the first in the claims' order (as the local audit uses)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    names = {c.lower(): c for c in claims.columns}
    if "note_id" not in names:
        raise ValueError(f"the claims need a note_id column (found: {', '.join(claims.columns) or 'none'})")
    keyed = claims.select(
        F.trim(F.col(f"`{names['note_id']}`").cast("string")).alias("note_id"),
        *[_as_string(claims, names[f]).alias(f) for f in CLAIM_FIELDS if f in names],
    ).where(F.col("note_id") != "").withColumn("_claim_pos", F.monotonically_increasing_id())
    first = Window.partitionBy("note_id").orderBy("_claim_pos")
    return keyed.withColumn("_claim_rank", F.row_number().over(first)).where("_claim_rank = 1").drop("_claim_rank", "_claim_pos")


def check_notes(
    df: "DataFrame",
    *,
    id_col: str = "note_id",
    text_col: str = "text",
    claims: Optional["DataFrame"] = None,
    fees: Optional[FeeTable] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    budget_s: Optional[float] = DEFAULT_BUDGET_S,
    rules_dir: Optional[str] = None,
    with_excerpts: bool = False,
) -> "DataFrame":
    """One output row per input row: the audit CSV's flat columns and `result_json` (the contract
    result plus note_id and encoding, or {"note_id", "error"}); `error` is set when the note could
    not be checked. Claim context comes from claim columns of `df` or from `claims` (joined on
    note_id; it replaces any claim columns of `df`). Never raises because of a note's content.

    `text_col` may hold strings or bytes (bytes are decoded like the local audit's files).
    `with_excerpts` adds the report's evidence excerpts (the CLI's HTML report needs them; they
    hold note text around the evidence, so they are off by default). An input column
    `_order_key` (the input order) is carried to the output."""
    notes = prepare_notes(df, id_col, text_col)
    if claims is not None:
        notes = notes.drop(*[f for f in CLAIM_FIELDS if f in notes.columns])
        notes = notes.join(prepare_claims(claims), on="note_id", how="left")
    item_ids = checklist_ids(rules_dir)
    config = CheckConfig(
        item_ids=item_ids,
        fees=fees if fees is not None else load_fees(None, rules_dir),
        max_bytes=max_bytes,
        budget_s=budget_s,
        rules_dir=rules_dir,
        with_excerpts=with_excerpts,
        with_order=ORDER_KEY in notes.columns,
        claim_fields=tuple(f for f in CLAIM_FIELDS if f in notes.columns),
    )
    return notes.mapInPandas(partial(check_partition, config), schema=output_schema(item_ids, with_excerpts, config.with_order))
