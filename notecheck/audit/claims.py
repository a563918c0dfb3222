"""The claim-context CSV (CONTRACT.md §3), joined to notes by `note_id`.

Claims are small next to notes (a few short fields per row), so the index holds them all; what it
remembers about the join (notes without a row, rows without a note) goes into the summary.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator, Optional

from pydantic import ValidationError

from notecheck.audit.lines import csv_field_limit, read_lines
from notecheck.coding.claim_rows import ClaimRowsError, claim_from_rows
from notecheck.errors import describe_validation
from notecheck.models import ClaimContext
from notecheck.reader import NoteInputError, open_regular

# Claim fields are short codes and dates: the csv module's default field limit (128 KiB) is kept
# on purpose (set explicitly, since a notes CSV read in the same process raises it), and a
# physical line is read at most this long, so a runaway line is never held whole.
CLAIMS_FIELD_LIMIT = 131_072
CLAIMS_LINE_LIMIT = 1024 * 1024


class ClaimsFileError(ValueError):
    """The claims file as a whole is unusable (missing, or no `note_id` column)."""


class ClaimIndex:
    """Claim rows by note id, plus the bookkeeping of the join."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._claims: dict[str, ClaimContext] = {}
        self.invalid: dict[str, str] = {}  # note_id -> why the row could not be read
        # Note ids with more than one row: one row per billed line (CONTRACT §3), read as billed_lines.
        self.duplicate_ids: list[str] = []
        self.rows_without_id = 0
        self.rows = 0
        self._matched: set[str] = set()
        self.notes_without_claim: list[str] = []
        self._load()

    def _load(self) -> None:
        try:
            fh = open_regular(self.path)
        except NoteInputError as exc:
            raise ClaimsFileError(f"cannot read claims file {self.path}: {exc}") from None
        last = 0

        def lines() -> Iterator[str]:
            nonlocal last
            for line in read_lines(fh, CLAIMS_LINE_LIMIT):
                last = line.number
                if line.overflow:
                    raise ClaimsFileError(f"{self.path}: line {line.number} is over {CLAIMS_LINE_LIMIT:,} bytes; not a claims CSV?")
                yield line.text

        with fh, csv_field_limit(CLAIMS_FIELD_LIMIT):
            try:
                self._read(csv.reader(lines()))
            except csv.Error as exc:
                raise ClaimsFileError(f"{self.path}: line {last}: unreadable claims CSV ({exc})") from None
            except OSError as exc:
                raise ClaimsFileError(f"cannot read claims file {self.path}: {exc.strerror or type(exc).__name__}") from None

    def _read(self, reader: Iterator[list[str]]) -> None:
        header = next(reader, None)
        if header is None:
            return
        names = [h.strip().lower() for h in header]
        if "note_id" not in names:
            raise ClaimsFileError(f"{self.path}: the claims CSV needs a note_id column (found: {', '.join(names) or 'none'})")
        rows: dict[str, list[dict[str, str]]] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            self.rows += 1
            data = {name: (row[i] if i < len(row) else "") for i, name in enumerate(names) if name}
            note_id = data.get("note_id", "").strip()
            if not note_id:
                self.rows_without_id += 1
                continue
            if note_id in rows and len(rows[note_id]) == 1:
                self.duplicate_ids.append(note_id)
            rows.setdefault(note_id, []).append(data)
        for note_id, group in rows.items():
            try:
                self._claims[note_id] = claim_from_rows(group)
            except ValidationError as exc:
                self.invalid[note_id] = describe_validation(exc)
            except ClaimRowsError as exc:
                self.invalid[note_id] = str(exc)

    def attach(self, note_id: str) -> tuple[Optional[ClaimContext], Optional[str]]:
        """The claim for a note from the input (marking the row as matched), or the reason its row
        is unusable. A note with no row is remembered for the summary."""
        if note_id in self.invalid:
            self._matched.add(note_id)
            return None, f"its claim row is invalid ({self.invalid[note_id]})"
        claim = self._claims.get(note_id)
        if claim is None:
            self.notes_without_claim.append(note_id)
        else:
            self._matched.add(note_id)
        return claim, None

    def peek(self, note_id: Optional[str]) -> Optional[ClaimContext]:
        return self._claims.get(note_id) if note_id else None

    @property
    def claims_without_note(self) -> list[str]:
        """Claim rows (in file order) that no input note matched."""
        return [i for i in [*self._claims, *self.invalid] if i not in self._matched]

    @property
    def joined(self) -> int:
        return len(self._matched)
