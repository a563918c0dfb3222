"""The fee table behind "revenue at risk": CPT code -> amount (USD), optionally by setting.

The default is `fees` in patterns/coding.yaml (the CMS national rate, DOMAIN.md §9) with the
physician and facility amounts by setting of patterns/ncci.yaml; `--fees FILE` replaces it with a
practice's own contracted rates, as YAML or JSON, either a plain mapping (`{"26320": 412.50}`) or
the same shape as coding.yaml (`{"fees": {...}}`), optionally with `physician_fees` and
`facility_fees` by setting (`{"asc": {"26320": 742.04}}`; settings: office, hospital_outpatient,
asc, inpatient). A line is priced at its setting's physician fee, else the plain fee.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from notecheck.coding.ncci import Setting
from notecheck.errors import describe_validation


class FeeFileError(ValueError):
    pass


class FeeTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fees: dict[str, float] = Field(default_factory=dict)
    physician_fees: dict[Setting, dict[str, float]] = Field(default_factory=dict)
    facility_fees: dict[Setting, dict[str, float]] = Field(default_factory=dict)
    source: str = "patterns/coding.yaml"
    # CMS place-of-service code -> setting, from the rules' ncci.yaml: which fee column a claim uses.
    place_of_service: dict[str, str] = Field(default_factory=dict)

    def setting_of(self, place_of_service: Optional[str]) -> Optional[str]:
        return self.place_of_service.get(place_of_service or "")

    @field_validator("fees", mode="before")
    @classmethod
    def _codes_as_strings(cls, value: object) -> object:
        # YAML reads an unquoted 26320 as an int; codes are strings everywhere else.
        if isinstance(value, dict):
            return {str(k).strip(): v for k, v in value.items()}
        return value

    @field_validator("physician_fees", "facility_fees", mode="before")
    @classmethod
    def _setting_codes_as_strings(cls, value: object) -> object:
        if isinstance(value, dict):
            return {s: ({str(k).strip(): v for k, v in t.items()} if isinstance(t, dict) else t) for s, t in value.items()}
        return value

    @field_validator("fees")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(code for code, amount in value.items() if amount < 0)
        if bad:
            raise ValueError(f"negative fee for {', '.join(bad)}")
        return value

    @field_validator("physician_fees", "facility_fees")
    @classmethod
    def _non_negative_by_setting(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        bad = sorted(f"{s} {code}" for s, table in value.items() for code, amount in table.items() if amount < 0)
        if bad:
            raise ValueError(f"negative fee for {', '.join(bad)}")
        return value

    def prices(self, cpt: Optional[str]) -> bool:
        return bool(cpt) and (cpt in self.fees or any(cpt in t for t in self.physician_fees.values()))

    def amount(self, cpt: Optional[str], units: Optional[int], setting: Optional[str] = None) -> Optional[float]:
        """The physician fee for `units` of `cpt` in `setting` (else the plain fee), or None when
        the table has no fee for that code."""
        if not cpt:
            return None
        fee = self.physician_fees.get(setting, {}).get(cpt) if setting else None  # type: ignore[call-overload]
        if fee is None:
            fee = self.fees.get(cpt)
        return None if fee is None else fee * max(1, units or 1)

    def facility_amount(self, cpt: Optional[str], units: Optional[int], setting: Optional[str]) -> Optional[float]:
        """The facility's payment for the line in its setting, when the table has one."""
        fee = self.facility_fees.get(setting, {}).get(cpt or "") if setting else None  # type: ignore[call-overload]
        return None if fee is None else fee * max(1, units or 1)


def load_fees(path: Optional[Path], rules_dir: Optional[str] = None) -> FeeTable:
    """The fee table of `path`, else that of the rules (`rules_dir`, default the packaged ones)."""
    if path is None:
        from notecheck.registry import load_registry

        registry = load_registry(rules_dir)
        return FeeTable(fees=registry.coding.fees, physician_fees=registry.ncci.physician_fees,
                        facility_fees=registry.ncci.facility_fees, place_of_service=registry.ncci.place_of_service,
                        source=f"{'patterns' if rules_dir is None else rules_dir}/coding.yaml, ncci.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FeeFileError(f"cannot read fee table {path}: {exc.strerror}") from None
    except yaml.YAMLError:
        raise FeeFileError(f"fee table {path} is not valid YAML or JSON") from None
    by_setting: dict[str, object] = {}
    if isinstance(data, dict) and "fees" in data:
        by_setting = {k: data[k] for k in ("physician_fees", "facility_fees") if k in data}
        data = data["fees"]
    if not isinstance(data, dict) or not data:
        raise FeeFileError(f"fee table {path} must map CPT codes to amounts, e.g. {{\"26320\": 337.68}}")
    try:
        from notecheck.registry import load_registry

        return FeeTable(fees=data, source=str(path), place_of_service=load_registry(rules_dir).ncci.place_of_service,
                        **by_setting)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise FeeFileError(f"fee table {path}: {describe_validation(exc)}") from None
