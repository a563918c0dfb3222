"""Gold annotations in the two formats notecheck is scored against, read into one shape.

`sample_notes/` gold (README there) nests `procedure` / `findings`; the released-eval gold
(`released_eval/GOLD_SCHEMA.md`) is flat (`expected_cpt`, `implant_types`, `expected_modifiers`,
`claim_context`). Each file is recognised on its own, so one folder may mix them. Both become a
`GoldNote` whose `fields` hold only what that format annotates: a field a format lacks is absent,
and absent fields are not scored.

Values: a single-valued field is a string or None (booleans as "true"/"false"; a code of "none"
is None), a multi-valued field a frozenset of strings. Bones carry their ray ("metacarpal:5") where
the gold gives one (sample format) and are bare values where it does not (released format).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notecheck.coding.claim_rows import ClaimRowsError, claim_from_rows
from notecheck.errors import describe_validation
from notecheck.models import Bone, ClaimContext, Complexity, Cpt, Digit, ImplantType, Indication, Region, Side
from notecheck.reader import DEFAULT_MAX_BYTES, NoteInputError, decode_note

FieldValue = Union[Optional[str], frozenset[str]]
GoldFormat = Literal["sample", "released"]


class GoldError(ValueError):
    """A gold folder or file that cannot be scored; the message names the file, never note text."""


def as_value(value: object) -> Optional[str]:
    """One single-valued field as the string it is scored by."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---- sample_notes format ------------------------------------------------------------------------------------------

class _GoldPart(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _SampleImplant(_GoldPart):
    type: ImplantType
    count: Optional[int] = None


class _SampleBone(_GoldPart):
    value: Bone
    ray: Optional[int] = Field(default=None, ge=1, le=5)


class _SampleLaterality(_GoldPart):
    value: Optional[Side] = None
    conflict: bool = False


class _Approach(_GoldPart):
    documented: bool = False
    type: Optional[Literal["open", "percutaneous"]] = None
    incision_documented: bool = False


class _SampleFindings(_GoldPart):
    implants: list[_SampleImplant] = []
    region: list[Region] = []
    laterality: _SampleLaterality = _SampleLaterality()
    digits: list[Digit] = []
    bones: list[_SampleBone] = []
    indications: list[Indication] = []
    approach: _Approach = _Approach()
    planned_status: Optional[Literal["planned", "unplanned"]] = None
    complexity_factors: list[Complexity] = []


class _SampleProcedure(_GoldPart):
    is_implant_removal: bool
    suggested_cpt: Optional[Cpt] = None
    units: int = 0


class SampleGold(_GoldPart):
    """`sample_notes/<id>.json`."""

    note_id: Optional[str] = None
    procedure: _SampleProcedure
    findings: _SampleFindings
    modifiers: list[str] = []
    denial_risks: list[str] = []
    # Optional: overrides the derived verdict on the billed claim (see scoring.claim_is_wrong).
    billed_claim_correct: Optional[bool] = None

    def fields(self) -> dict[str, FieldValue]:
        f, p = self.findings, self.procedure
        return {
            "is_implant_removal": as_value(p.is_implant_removal),
            "suggested_cpt": p.suggested_cpt,
            "units": as_value(p.units or None),
            "implants": frozenset(i.type for i in f.implants),
            "implant_counts": frozenset(f"{i.type}:{i.count}" for i in f.implants),
            "region": frozenset(f.region),
            "laterality": f.laterality.value,
            "laterality_conflict": as_value(f.laterality.conflict),
            "digits": frozenset(f.digits),
            "bones": frozenset(f"{b.value}:{b.ray}" for b in f.bones),
            "indications": frozenset(f.indications),
            "approach_documented": as_value(f.approach.documented),
            "approach_type": f.approach.type,
            "incision_documented": as_value(f.approach.incision_documented),
            "planned_status": f.planned_status,
            "complexity_factors": frozenset(f.complexity_factors),
            "modifiers": frozenset(m.upper() for m in self.modifiers),
            "denial_risks": frozenset(self.denial_risks),
        }


# ---- released_eval format -----------------------------------------------------------------------------------------

class _ClaimContextGold(_GoldPart):
    index_surgery_date: Optional[str] = None
    removal_date: Optional[str] = None
    related_to_index: Optional[bool] = None


class ReleasedGold(_GoldPart):
    """`released_eval/<batch>/<id>.json` (GOLD_SCHEMA.md)."""

    expected_cpt: Literal["26320", "20680", "20670", "none"]
    region: list[Region] = []
    implant_types: list[ImplantType] = []
    laterality: Optional[Side] = None
    digits: list[Digit] = []
    bones: list[Bone] = []
    indications: list[Indication] = []
    approach: _Approach = _Approach()
    planned_status: Optional[Literal["planned", "unplanned"]] = None
    complexity_factors: list[Complexity] = []
    claim_context: Optional[_ClaimContextGold] = None
    expected_modifiers: list[str] = []
    billed_claim_correct: Optional[bool] = None

    def fields(self) -> dict[str, FieldValue]:
        # No units, implant counts, laterality conflict or denial risks here: those are not scored.
        return {
            "suggested_cpt": None if self.expected_cpt == "none" else self.expected_cpt,
            "implants": frozenset(self.implant_types),
            "region": frozenset(self.region),
            "laterality": self.laterality,
            "digits": frozenset(self.digits),
            "bones": frozenset(self.bones),
            "indications": frozenset(self.indications),
            "approach_documented": as_value(self.approach.documented),
            "approach_type": self.approach.type,
            "incision_documented": as_value(self.approach.incision_documented),
            "planned_status": self.planned_status,
            "complexity_factors": frozenset(self.complexity_factors),
            "modifiers": frozenset(m.upper() for m in self.expected_modifiers),
        }

    def claim(self, note_id: str) -> Optional[ClaimContext]:
        c = self.claim_context
        if c is None:
            return None
        return ClaimContext(
            note_id=note_id, removal_date=c.removal_date, index_surgery_date=c.index_surgery_date,
            index_related=c.related_to_index,
        )


# ---- one note, one folder ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoldNote:
    note_id: str
    text_path: Path
    format: GoldFormat
    fields: dict[str, FieldValue]
    claim: Optional[ClaimContext]
    billed_claim_correct: Optional[bool]

    @property
    def bones_have_rays(self) -> bool:
        return self.format == "sample"

    def read_text(self) -> str:
        try:
            return decode_note(self.text_path.read_bytes(), DEFAULT_MAX_BYTES).text
        except NoteInputError as exc:
            raise GoldError(f"note {self.text_path.name}: {exc}") from None


@dataclass(frozen=True)
class GoldBatch:
    name: str
    folder: Path
    notes: list[GoldNote]


def parse_gold(data: object, name: str) -> tuple[GoldFormat, Union[SampleGold, ReleasedGold]]:
    """Recognise the format of one parsed gold file and validate it; `name` is for messages."""
    if not isinstance(data, dict):
        raise GoldError(f"gold file {name}: not a JSON object")
    try:
        if "expected_cpt" in data:
            return "released", ReleasedGold.model_validate(data)
        if "procedure" in data or "findings" in data:
            return "sample", SampleGold.model_validate(data)
    except ValidationError as exc:
        raise GoldError(f"gold file {name}: {describe_validation(exc)}") from None
    raise GoldError(f"gold file {name}: neither sample_notes gold (procedure/findings) nor released gold (expected_cpt)")


def load_claims(folder: Path) -> dict[str, ClaimContext]:
    """`claims.csv` beside the notes, by note_id; either format's columns (modifiers split on , ; or space)."""
    path = folder / "claims.csv"
    if not path.exists():
        return {}
    rows: dict[str, list[dict[str, str]]] = {}
    first_line: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if not row.get("note_id"):
                continue
            note_id = row["note_id"].strip()
            first_line.setdefault(note_id, line)
            # One row per billed line, the same note_id repeated (CONTRACT §3).
            rows.setdefault(note_id, []).append({k: v for k, v in row.items() if k is not None})
    out: dict[str, ClaimContext] = {}
    for note_id, group in rows.items():
        try:
            out[note_id] = claim_from_rows(group)
        except ValidationError as exc:
            raise GoldError(f"{path.name} line {first_line[note_id]}: {describe_validation(exc)}") from None
        except ClaimRowsError as exc:
            raise GoldError(f"{path.name} line {first_line[note_id]}: {exc}") from None
    return out


def load_batch(folder: Path, name: Optional[str] = None) -> GoldBatch:
    """Every `<id>.json` with a `<id>.txt` beside it; claim context from claims.csv, else from the gold."""
    claims = load_claims(folder)
    notes: list[GoldNote] = []
    for gold_path in sorted(folder.glob("*.json")):
        text_path = gold_path.with_suffix(".txt")
        if not text_path.exists():
            continue
        try:
            data = json.loads(gold_path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(f"gold file {gold_path.name}: not JSON ({type(exc).__name__})") from None
        fmt, gold = parse_gold(data, gold_path.name)
        note_id = gold_path.stem
        claim = claims.get(note_id)
        if claim is None and isinstance(gold, ReleasedGold):
            claim = gold.claim(note_id)
        notes.append(GoldNote(note_id, text_path, fmt, gold.fields(), claim, gold.billed_claim_correct))
    return GoldBatch(name or folder.name, folder, notes)


def load_gold(folder: Path) -> list[GoldBatch]:
    """The folder's own gold pairs as one batch and each sub-folder holding gold pairs as another."""
    if not folder.is_dir():
        raise GoldError(f"not a directory: {folder}")
    batches = []
    own = load_batch(folder)
    if own.notes:
        batches.append(own)
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        batch = load_batch(sub)
        if batch.notes:
            batches.append(batch)
    if not batches:
        raise GoldError(f"no .txt + .json gold pairs in {folder} or its sub-folders")
    return batches
