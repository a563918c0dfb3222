"""notecheck/errors.py: the one ValidationError -> one-line formatter every user-facing message uses
(CLI claim options, audit claim rows and fee tables, gold files, rule files, service settings and
requests), and the one UsageError."""
from __future__ import annotations

from typing import Optional

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from notecheck.errors import describe_validation, dotted
from notecheck.models import ClaimContext

SECRET = "Zebediah-Quux-4471"


class Line(BaseModel):
    units: int = Field(ge=1)


class Claim(BaseModel):
    a: int = 0
    b: int = 0
    c: int = 0
    d: int = 0
    code: str = ""
    lines: list[Line] = []
    when: Optional[str] = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if value and not value.isdigit():
            raise ValueError("a CPT code is five digits")
        return value

    @model_validator(mode="after")
    def _whole(self) -> "Claim":
        if self.when == "never":
            raise ValueError("the claim as a whole is refused")
        return self


def error(**values: object) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        Claim(**values)
    return exc.value


def test_one_line_field_colon_message_without_the_value() -> None:
    line = describe_validation(error(code=SECRET))
    assert line == "code: a CPT code is five digits"  # "Value error, " is pydantic's, not news
    assert SECRET not in line and "\n" not in line


def test_nested_locations_are_dotted() -> None:
    assert describe_validation(error(lines=[{"units": 1}, {"units": 0}])) == "lines.1.units: Input should be greater than or equal to 1"


def test_several_errors_up_to_the_limit_then_a_count() -> None:
    exc = error(a="x", b="x", c="x", d="x")
    assert describe_validation(exc).count(";") == 3 and describe_validation(exc).endswith("and 1 more")
    assert describe_validation(exc, limit=1) == "a: Input should be a valid integer, unable to parse string as an integer; and 3 more"
    assert len(describe_validation(exc, limit=10).split("; ")) == 4


def test_an_error_of_the_whole_object_is_its_message_alone() -> None:
    assert describe_validation(error(when="never")) == "the claim as a whole is refused"


def test_where_names_a_location_for_its_reader() -> None:
    line = describe_validation(error(lines=[{"units": 0}]), where=lambda loc: f"line {loc[1] + 1}" if loc[0] == "lines" else dotted(loc))
    assert line.startswith("line 1: ")


def test_the_claim_context_of_the_cli_and_the_service() -> None:
    with pytest.raises(ValidationError) as exc:
        ClaimContext(billed_units=-3, removal_date="2026-13-45")
    line = describe_validation(exc.value)
    assert "billed_units:" in line and "removal_date:" in line and "2026-13-45" not in line
