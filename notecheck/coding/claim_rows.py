"""A claims CSV's rows for one note -> one ClaimContext (CONTRACT §3: one row per billed line, the
same note_id repeated). Shared by the audit's claim index and the evaluation's gold loader."""
from __future__ import annotations

from notecheck.models import ClaimContext

# Columns that describe one billed line; every other column describes the claim as a whole.
LINE_COLUMNS = {"billed_cpt": "cpt", "billed_units": "units", "billed_modifiers": "modifiers", "icd10": "icd10", "service_date": "service_date"}
# Columns that are bookkeeping of a sample file, not claim data.
IGNORED_COLUMNS = {"expected_risks", "note_id"}


class ClaimRowsError(ValueError):
    pass


def claim_from_rows(rows: list[dict[str, str]]) -> ClaimContext:
    """One row keeps the single-line fields (they mean one line); several rows become
    `billed_lines`, and the claim-wide fields must agree wherever a row gives them. Raises
    pydantic's ValidationError for a bad value and ClaimRowsError when rows disagree."""
    if len(rows) == 1:
        return ClaimContext.model_validate(rows[0])
    shared: dict[str, str] = {}
    index_codes: set[str] = set()
    lines = []
    for row in rows:
        for name, value in row.items():
            if name in LINE_COLUMNS or name in IGNORED_COLUMNS or not (value or "").strip():
                continue
            if name == "index_cpt":
                index_codes.add(value.strip())
                shared.setdefault(name, value)
                continue
            if name in shared and shared[name].strip() != value.strip():
                raise ClaimRowsError(f"{name}: the note's rows disagree")
            shared[name] = value
        if (row.get("billed_cpt") or "").strip():
            lines.append({LINE_COLUMNS[k]: v for k, v in row.items() if k in LINE_COLUMNS})
    # Two index operations on the one index date (a metacarpal plate and a phalanx pinning) give
    # the lines different index codes. The global period reads one claim-wide relatedness: when
    # the rows state it (index_related), the first line's index code stands for the claim; without
    # it, which code decides relatedness would be a guess.
    if len(index_codes) > 1 and not (shared.get("index_related") or "").strip():
        raise ClaimRowsError("index_cpt: the note's rows disagree and give no index_related")
    if "note_id" in rows[0]:
        shared["note_id"] = rows[0]["note_id"]
    return ClaimContext.model_validate({**shared, "billed_lines": lines})
