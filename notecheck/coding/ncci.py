"""patterns/ncci.yaml as validated data: PTP edits, MUEs, E/M codes, global days, place of service
and fees by setting. Loaded once; a bad file fails naming the file and the field."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, field_validator

from notecheck.rules import RiskText, load_model
from patterns import PATTERNS_DIR

_ITEM = re.compile(r"^(?:[0-9A-Z][0-9]{3}[0-9A-Z])(?:-[0-9A-Z][0-9]{3}[0-9A-Z])?$")
Setting = Literal["office", "hospital_outpatient", "asc", "inpatient"]


class CodeSet(BaseModel):
    """Codes and inclusive ranges ("26070-26080"); a range compares numeric codes only."""

    model_config = ConfigDict(frozen=True)

    items: tuple[str, ...]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        for item in self.items:
            if "-" in item:
                lo, hi = item.split("-")
                if code.isdigit() and lo.isdigit() and int(lo) <= int(code) <= int(hi):
                    return True
            elif item == code:
                return True
        return False


def _code_set(value: object) -> object:
    if isinstance(value, list):
        items = [str(v).strip().upper() for v in value]
        bad = [i for i in items if not _ITEM.match(i)]
        if bad:
            raise ValueError(f"not a code or code range: {', '.join(bad)}")
        return CodeSet(items=tuple(items))
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PtpEdit(_Strict):
    id: str
    column1: CodeSet
    column2: CodeSet
    indicator: Literal[0, 1]
    kind: Literal["bundle", "mutually_exclusive", "em"]
    rationale: str

    _sets = field_validator("column1", "column2", mode="before")(lambda cls, v: _code_set(v))


class Documentation(_Strict):
    codes: CodeSet
    procedures: list[str] = []
    complexity: list[str] = []

    _sets = field_validator("codes", mode="before")(lambda cls, v: _code_set(v))


class QueryText(_Strict):
    question: str
    options: list[str] = []


class NcciRules(_Strict):
    version: str
    kind: Literal["ncci_rules"]
    ptp: list[PtpEdit]
    anatomic_modifiers: list[str]
    distinct_modifiers: list[str]
    mue: dict[str, int]
    global_days: dict[str, int]
    # The global period of major surgery (CMS PFS global indicator 090).
    major_global_days: int
    em_codes: CodeSet
    documented_by: dict[str, Documentation]
    separately_reportable: dict[str, CodeSet]
    place_of_service: dict[str, Setting]
    no_or_settings: list[Setting]
    physician_fees: dict[Setting, dict[str, float]]
    facility_fees: dict[Setting, dict[str, float]] = {}
    denial_risks: dict[str, RiskText] = {}
    queries: dict[str, QueryText] = {}

    _em = field_validator("em_codes", mode="before")(lambda cls, v: _code_set(v))

    @field_validator("separately_reportable", mode="before")
    @classmethod
    def _sets(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _code_set(v) for k, v in value.items()}
        return value

    @field_validator("mue", "global_days", mode="before")
    @classmethod
    def _string_keys(cls, value: object) -> object:
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("physician_fees", "facility_fees", mode="before")
    @classmethod
    def _string_codes(cls, value: object) -> object:
        if isinstance(value, dict):
            return {s: {str(k): v for k, v in (t or {}).items()} for s, t in value.items()}
        return value

    def over_mue(self, code: Optional[str], units: Optional[int]) -> Optional[int]:
        """The code's MUE when `units` of it exceed that limit, else None (a code without an MUE
        has no limit). The one MUE check: the suggested lines, the billed units and every billed
        line of a claim are all measured here, against this one table."""
        limit = self.mue.get(code or "")
        return limit if limit is not None and units is not None and units > limit else None

    def setting(self, place_of_service: Optional[str]) -> Optional[str]:
        return self.place_of_service.get(place_of_service or "")

    def is_em(self, code: str) -> bool:
        return code in self.em_codes

    def is_major(self, code: str) -> bool:
        return self.global_days.get(code) == self.major_global_days


@lru_cache(maxsize=8)  # algorithm: one parsed table per rules directory
def load_ncci(directory: Optional[str] = None) -> NcciRules:
    base = Path(directory) if directory else PATTERNS_DIR
    path = base / "ncci.yaml"
    if directory and not path.exists():
        path = PATTERNS_DIR / "ncci.yaml"  # an older rules folder without claim-level data
    return load_model(NcciRules, path)
