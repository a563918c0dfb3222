"""The fee table behind "revenue at risk": CPT code -> amount (USD).

The default is `fees` in patterns/coding.yaml (the CMS national rate, DOMAIN.md §9); `--fees FILE`
replaces it with a practice's own contracted rates, as YAML or JSON, either a plain mapping
(`{"26320": 412.50}`) or the same shape as coding.yaml (`{"fees": {...}}`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from notecheck.audit.claims import describe_validation


class FeeFileError(ValueError):
    pass


class FeeTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fees: dict[str, float] = Field(default_factory=dict)
    source: str = "patterns/coding.yaml"

    @field_validator("fees", mode="before")
    @classmethod
    def _codes_as_strings(cls, value: object) -> object:
        # YAML reads an unquoted 26320 as an int; codes are strings everywhere else.
        if isinstance(value, dict):
            return {str(k).strip(): v for k, v in value.items()}
        return value

    @field_validator("fees")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(code for code, amount in value.items() if amount < 0)
        if bad:
            raise ValueError(f"negative fee for {', '.join(bad)}")
        return value

    def amount(self, cpt: Optional[str], units: Optional[int]) -> Optional[float]:
        """The fee for `units` of `cpt`, or None when the table has no fee for that code."""
        if not cpt or cpt not in self.fees:
            return None
        return self.fees[cpt] * max(1, units or 1)


def load_fees(path: Optional[Path]) -> FeeTable:
    if path is None:
        from notecheck.rules import load_coding

        return FeeTable(fees=load_coding()[0].fees)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FeeFileError(f"cannot read fee table {path}: {exc.strerror}") from None
    except yaml.YAMLError:
        raise FeeFileError(f"fee table {path} is not valid YAML or JSON") from None
    if isinstance(data, dict) and "fees" in data:
        data = data["fees"]
    if not isinstance(data, dict) or not data:
        raise FeeFileError(f"fee table {path} must map CPT codes to amounts, e.g. {{\"26320\": 337.68}}")
    try:
        return FeeTable(fees=data, source=str(path))
    except ValidationError as exc:
        raise FeeFileError(f"fee table {path}: {describe_validation(exc)}") from None
