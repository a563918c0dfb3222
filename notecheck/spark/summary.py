"""The audit summary of a Spark result, with Spark doing the work where the rows are.

Each partition folds its rows into the local audit's own `SummaryBuilder` (so every count means
exactly what it means in a local audit), and only that small state — counters, not records —
comes back to the driver, one per partition, where the states are added up. This is a map-side
aggregation: no result row is collected. Note ids seen more than once are counted with a Spark
`groupBy`, not with the builder's in-memory id set.

Retries cannot double-count: a partition's state is a task result, and Spark keeps exactly one
successful attempt's result per partition (no accumulators, which retried tasks can update twice).
"""
from __future__ import annotations

import dataclasses
import json
import pickle
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

import pandas as pd
from pydantic import BaseModel, ValidationError

from notecheck.audit.fees import FeeTable
from notecheck.audit.summary import MAX_LISTED, ClaimsJoin, SummaryBuilder
from notecheck.errors import describe_validation
from notecheck.models import ClaimContext
from notecheck.spark.columns import ORDER_KEY, RESULT_JSON
from notecheck.spark.rows import plain

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# SummaryBuilder fields that the merge leaves alone: the configuration, and the duplicate
# bookkeeping (done by a Spark groupBy instead, since an id set does not fit a driver at scale).
_NOT_MERGED = {"fees", "item_titles", "seen_ids", "duplicates"}
# MAX_IDS_LISTED of the local run (notecheck.audit.run): ids listed by name in the claims join.
MAX_IDS_LISTED = 1000


def claim_of_row(row: Any) -> Optional[ClaimContext]:
    """The part of a note's claim that the summary and the report read (billed code, units and
    modifiers), rebuilt from the row's flat columns."""
    cpt, units, modifiers = plain(row["billed_cpt"]), plain(row["billed_units"]), plain(row["billed_modifiers"])
    units = None if units is None else int(units)
    if not cpt and units is None and not modifiers:
        return None
    return ClaimContext(billed_cpt=cpt or None, billed_units=units, billed_modifiers=modifiers or "")


@dataclass
class _Order:
    """Where a partition's order-dependent facts sit in the input, so the merge can put them back
    in input order: the keys of its listed errors, and per risk id the key and severity of the
    last note carrying it (the builder keeps the last severity it saw)."""

    error_keys: list[str] = field(default_factory=list)
    last_risk: dict[str, tuple[str, str]] = field(default_factory=dict)


def _fold(fees: FeeTable, titles: dict[str, str], batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    builder = SummaryBuilder(fees=fees, item_titles=titles)
    order = _Order()
    for batch in batches:
        for row in batch.to_dict("records"):
            record = json.loads(row[RESULT_JSON])
            builder.add(record, claim_of_row(row))
            key = plain(row.get(ORDER_KEY)) or ""
            if record.get("error") and len(order.error_keys) < MAX_LISTED:
                order.error_keys.append(key)
            for risk in record.get("denial_risks") or []:
                seen = order.last_risk.get(risk["id"])
                if seen is None or key >= seen[0]:
                    order.last_risk[risk["id"]] = (key, risk.get("severity", "low"))
        builder.seen_ids.clear()  # duplicates are counted by Spark; the set would only grow
    builder.duplicates.clear()
    yield pd.DataFrame({"state": [pickle.dumps((builder, order))]})


def merge(total: SummaryBuilder, part: SummaryBuilder) -> None:
    """Add one partition's counts to `total`, field by field by type, so fields added to
    SummaryBuilder later are merged without a change here as long as they are counts."""
    for f in dataclasses.fields(SummaryBuilder):
        if f.name in _NOT_MERGED:
            continue
        mine, theirs = getattr(total, f.name), getattr(part, f.name)
        if isinstance(mine, Counter):
            mine.update(theirs)
        elif isinstance(mine, (int, float)) and not isinstance(mine, bool):
            setattr(total, f.name, mine + theirs)
        elif isinstance(mine, set):
            mine |= theirs
        elif isinstance(mine, list) and all(isinstance(x, int) for x in mine + theirs) and len(mine) == len(theirs):
            setattr(total, f.name, [a + b for a, b in zip(mine, theirs)])
        elif isinstance(mine, list):
            mine.extend(theirs[: max(0, MAX_LISTED - len(mine))])
        elif isinstance(mine, dict):
            for key, value in theirs.items():
                if isinstance(value, BaseModel) and key in mine:
                    _add_model(mine[key], value)  # per-item counts (ItemGaps)
                else:
                    mine[key] = value  # first sight of a key, or a label such as a risk's severity
        else:
            raise TypeError(f"SummaryBuilder.{f.name}: no rule to merge a {type(mine).__name__}")


def _add_model(into: BaseModel, other: BaseModel) -> None:
    """Per-item counts and amounts (ItemGaps, SettingRevenue); labels are left as they are."""
    for name, value in other:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(into, name, getattr(into, name) + value)


def summarise(checked: "DataFrame", fees: FeeTable, titles: dict[str, str]) -> SummaryBuilder:
    """One SummaryBuilder for the whole result, from per-partition builders."""
    from pyspark.sql import functions as F

    order = F.col(ORDER_KEY) if ORDER_KEY in checked.columns else F.lit(None).cast("string")
    rows = checked.select(RESULT_JSON, "billed_cpt", "billed_units", "billed_modifiers", order.alias(ORDER_KEY))
    states = rows.mapInPandas(partial(_fold, fees, titles), schema="state binary").collect()
    total = SummaryBuilder(fees=fees, item_titles=titles)
    errors: list[tuple[str, Any]] = []
    last_risk: dict[str, tuple[str, str]] = {}
    for state in states:
        part, order = pickle.loads(state["state"])
        errors += zip(order.error_keys, part.error_list)
        for rid, (key, severity) in order.last_risk.items():
            if rid not in last_risk or key >= last_risk[rid][0]:
                last_risk[rid] = (key, severity)
        merge(total, part)
    # The local audit lists errors, and keeps each risk's last severity, in input order.
    total.error_list = [e for _, e in sorted(errors, key=lambda pair: pair[0])][:MAX_LISTED]
    total.risk_severity.update({rid: severity for rid, (_, severity) in last_risk.items()})
    repeated = (checked.groupBy("note_id").count().where(F.col("count") > 1)
                .select(F.explode(F.array_repeat("note_id", (F.col("count") - 1).cast("int"))).alias("note_id"))
                .orderBy("note_id").limit(MAX_LISTED).collect())
    total.duplicates = [r["note_id"] for r in repeated]
    return total


def claims_join(note_ids: "DataFrame", claims: "DataFrame", prepared: "DataFrame", file: str) -> ClaimsJoin:
    """What the join of notes and claim rows matched, as the local audit reports it: a few small
    aggregations over note ids and claim rows (no note text, no results).

    `note_ids` holds one row per input note, `claims` is the claims file as read, `prepared` its
    one-row-per-note_id form (first row wins).
    """
    from pyspark.sql import functions as F

    ids = F.trim(F.coalesce(F.col("note_id").cast("string"), F.lit("")))
    filled = [F.length(F.trim(F.coalesce(F.col(f"`{c}`").cast("string"), F.lit("")))) for c in claims.columns]
    non_blank = claims.where((F.greatest(*filled) if len(filled) > 1 else filled[0]) > 0)
    file_stats = non_blank.agg(F.count(F.lit(1)).alias("rows"), F.sum(F.when(ids == "", 1).otherwise(0)).alias("without_id")).first()
    dup_rows = (non_blank.where(ids != "").groupBy(ids.alias("note_id")).count().where(F.col("count") > 1)
                .select(F.explode(F.array_repeat("note_id", (F.col("count") - 1).cast("int"))).alias("note_id"))
                .orderBy("note_id").limit(MAX_IDS_LISTED).collect())
    # Every claim id once, with whether a note has it; every note row, with whether a claim has it.
    claim_side = prepared.select("note_id").join(note_ids.distinct().withColumn("_has_note", F.lit(True)), "note_id", "left")
    note_side = note_ids.join(prepared.select("note_id").withColumn("_has_claim", F.lit(True)), "note_id", "left")
    joined = claim_side.where("_has_note").count()
    unmatched_notes = note_side.where(F.col("_has_claim").isNull()).select("note_id")
    unmatched_claims = claim_side.where(F.col("_has_note").isNull()).select("note_id")
    return ClaimsJoin(
        file=file,
        rows=file_stats["rows"],
        joined=joined,
        notes_without_claim=unmatched_notes.count(),
        notes_without_claim_ids=[r["note_id"] for r in unmatched_notes.orderBy("note_id").limit(MAX_IDS_LISTED).collect()],
        claims_without_note=unmatched_claims.count(),
        claims_without_note_ids=[r["note_id"] for r in unmatched_claims.orderBy("note_id").limit(MAX_IDS_LISTED).collect()],
        invalid_rows=invalid_claims(prepared, MAX_IDS_LISTED),
        duplicate_rows=[r["note_id"] for r in dup_rows],
        rows_without_note_id=file_stats["without_id"] or 0,
    )


def _invalid(fields: tuple[str, ...], batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for batch in batches:
        bad = []
        for row in batch.to_dict("records"):
            try:
                ClaimContext.model_validate({f: row[f] for f in fields})
            except ValidationError as exc:
                bad.append((row["note_id"], describe_validation(exc)))
        yield pd.DataFrame(bad, columns=["note_id", "reason"])


def invalid_claims(prepared: "DataFrame", limit: int) -> dict[str, str]:
    """Claim rows the claim model rejects (their notes are error rows), validated where they are."""
    fields = tuple(c for c in prepared.columns if c != "note_id")
    found = prepared.mapInPandas(partial(_invalid, fields), schema="note_id string, reason string")
    return {r["note_id"]: r["reason"] for r in found.orderBy("note_id").limit(limit).collect()}
