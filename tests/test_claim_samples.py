"""The sample multi-line claims (sample_notes/claims_multiline.csv): 32 claims for sample notes,
one row per billed line, several settings, some wrong on purpose with the risk ids they must
raise. Kept apart from claims.csv so the gold evaluation's inputs stay as annotated."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from notecheck.coding.claim_rows import claim_from_rows

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
CLAIMS = SAMPLES / "claims_multiline.csv"


def _claims() -> dict[str, list[dict[str, str]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    with CLAIMS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["note_id"], []).append(row)
    return groups


CLAIM_ROWS = _claims()


def test_the_sample_set_is_multi_line_and_covers_settings() -> None:
    assert len(CLAIM_ROWS) >= 30
    assert all(len(rows) >= 2 for rows in CLAIM_ROWS.values())
    assert {rows[0]["place_of_service"] for rows in CLAIM_ROWS.values()} >= {"11", "19", "22", "24"}
    wrong = [n for n, rows in CLAIM_ROWS.items() if rows[0]["expected_risks"].strip()]
    assert 15 <= len(wrong) < len(CLAIM_ROWS)


@pytest.mark.parametrize("note_id", sorted(CLAIM_ROWS))
def test_sample_claim_raises_its_expected_risks(checker, note_id: str) -> None:
    rows = CLAIM_ROWS[note_id]
    expected = set(rows[0]["expected_risks"].split())
    ctx = claim_from_rows(rows)
    assert len(ctx.billed_lines) == len([r for r in rows if r["billed_cpt"]])
    result = checker.check((SAMPLES / f"{note_id}.txt").read_text(encoding="utf-8"), ctx, note_id)
    got = {r.id: r for r in result.denial_risks}
    assert expected <= set(got), sorted(got)
    if not expected:
        assert [r.id for r in result.denial_risks if r.severity == "high"] == []
    billed = {l.cpt for l in ctx.billed_lines}
    for risk in result.denial_risks:
        assert set(risk.lines) <= billed, (risk.id, risk.lines)


ROW = {"note_id": "n1", "removal_date": "2025-04-17", "index_surgery_date": "2023-12-02", "index_related": "true",
       "billed_cpt": "26320", "billed_units": "1"}


def test_two_index_operations_on_one_date_give_lines_their_own_index_codes() -> None:
    """A metacarpal plate and a phalanx pinning done the same day: each line names its index code."""
    ctx = claim_from_rows([{**ROW, "index_cpt": "26615", "billed_modifiers": "LT"},
                           {**ROW, "index_cpt": "26735", "billed_modifiers": "LT;F2"}])
    assert ctx.index_cpt == "26615" and ctx.index_related is True
    assert [line.modifiers for line in ctx.billed_lines] == [["LT"], ["LT", "F2"]]


def test_index_codes_that_disagree_without_relatedness_are_an_error() -> None:
    rows = [{**ROW, "index_related": "", "index_cpt": "26615"}, {**ROW, "index_related": "", "index_cpt": "64721"}]
    with pytest.raises(ValueError, match="index_cpt"):
        claim_from_rows(rows)


def test_dates_that_disagree_are_an_error() -> None:
    with pytest.raises(ValueError, match="removal_date"):
        claim_from_rows([ROW, {**ROW, "removal_date": "2025-04-18"}])
