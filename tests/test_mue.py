"""One MUE table (patterns/ncci.yaml `mue`) and one check (`NcciRules.over_mue`): the suggested
lines, the billed units of a single-line claim and each billed line of a multi-line claim all
move together when the table changes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from notecheck.coding import code_note
from notecheck.coding.ncci import NcciRules, load_ncci
from notecheck.models import ClaimContext
from test_coding import ICD, INDEX, RULES, STAGED, findings

NCCI = load_ncci()
THREE_DIGITS = dict(digits=("index", "middle", "ring"), side="right", **STAGED)
DATES = dict(index_surgery_date=INDEX, removal_date=INDEX + timedelta(days=30), index_cpt="26727")


def _with_mue(limit: int) -> NcciRules:
    return NCCI.model_copy(update={"mue": {**NCCI.mue, "26320": limit}})


@pytest.mark.parametrize("code, units, expected", [
    ("26320", 4, None), ("26320", 5, 4), ("20694", 3, 2), ("20694", None, None), ("99213", 40, None), (None, 9, None),
])
def test_over_mue(code, units, expected):
    assert NCCI.over_mue(code, units) == expected


@pytest.mark.parametrize("limit, flagged", [(3, False), (2, True)])
def test_one_table_for_suggested_lines_billed_units_and_billed_lines(limit: int, flagged: bool):
    ncci = _with_mue(limit)
    f = findings(**THREE_DIGITS)
    single = code_note(f, ClaimContext(billed_cpt="26320", billed_units=3, billed_modifiers="RT F6 F7 F8 58", **DATES),
                       RULES, ICD, ncci)
    assert len(single.claim_lines) == 3
    assert ("units_above_mue" in single.procedure.flags) is flagged
    assert ("units_above_mue" in {r.id for r in single.risks}) is flagged
    one_line = code_note(f, ClaimContext(billed_lines=[{"cpt": "26320", "units": 3, "modifiers": "RT 58"}], **DATES),
                         RULES, ICD, ncci)
    assert ("mue_line_exceeded" in {r.id for r in one_line.risks}) is flagged
    split = [{"cpt": "26320", "units": 1, "modifiers": f"RT {m} 58"} for m in ("F6", "F7", "F8")]
    lines = code_note(f, ClaimContext(billed_lines=split, **DATES), RULES, ICD, ncci)
    risk = next((r for r in lines.risks if r.id == "units_above_mue"), None)
    assert (risk is not None) is flagged
    if risk is not None:
        assert risk.lines == ["26320"] and f"MUE {limit}" in risk.message


def test_coding_rules_hold_no_second_mue_table():
    assert "mue" not in type(RULES).model_fields
