"""The Spark output's columns: the audit CSV's flat columns (same names and order, typed), then the
full contract result as JSON. Checklist columns follow the rules' checklist, as in the CSV.
"""
from __future__ import annotations

from notecheck.audit.workers import EXCERPTS_KEY
from notecheck.audit.writers import csv_header

# ClaimContext's fields besides note_id (CONTRACT.md §3): read from input columns of these names.
CLAIM_FIELDS = (
    "removal_date", "index_surgery_date", "index_cpt", "index_related", "billed_cpt", "billed_units", "billed_modifiers",
)
RESULT_JSON = "result_json"

_TYPES = {
    "score": "int", "ready_to_sign": "boolean", "is_implant_removal": "boolean", "units": "int",
    "billed_units": "int", "risk_count": "int", "amount": "double",
}


ORDER_KEY = "_order_key"
# Internal columns, never written: the report's evidence excerpts, and the input order (when the
# input carries it) that the report's table and the summary's order-dependent parts follow.
REPORT_COLUMNS = [EXCERPTS_KEY, ORDER_KEY]


def output_columns(item_ids: tuple[str, ...], with_excerpts: bool = False, with_order: bool = False) -> list[str]:
    columns = csv_header(list(item_ids)) + [RESULT_JSON]
    return columns + ([EXCERPTS_KEY] if with_excerpts else []) + ([ORDER_KEY] if with_order else [])


def output_schema(item_ids: tuple[str, ...], with_excerpts: bool = False, with_order: bool = False) -> str:
    """Spark DDL for mapInPandas' result; every column nullable (error rows leave most empty)."""
    names = output_columns(item_ids, with_excerpts, with_order)
    return ", ".join(f"`{name}` {_TYPES.get(name, 'string')}" for name in names)


def flat_columns(item_ids: tuple[str, ...]) -> list[str]:
    return csv_header(list(item_ids))
