"""The final files: the flat CSV and the summary JSON, written atomically (temp file in the same
folder, fsync, os.replace), so a reader never sees half a file and a killed render leaves the
previous file, or none, in place; the temp file it may leave is removed by the next run.
"""
from __future__ import annotations

import csv
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, TextIO

from notecheck.audit.fees import FeeTable
from notecheck.audit.summary import AuditSummary, NoteRow
from notecheck.models import ClaimContext

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection, OWASP);
# a leading apostrophe makes it text. Tab and CR are on OWASP's list too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


TEMP_SUFFIX = ".tmp"
# Ours: 16 hex digits; and the 8 characters of tempfile.mkstemp, which earlier versions used.
_TEMP_TOKEN = re.compile(r"[0-9a-f]{16}|[a-z0-9_]{8}")


def temp_path(path: Path) -> Path:
    """A fresh temp name next to `path`: `.NAME.<16 hex>.tmp` (hidden, and recognisable by
    `remove_stale_temps` as ours and no one else's)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same inode when both exist (hard links, symlinks,
    `./x` vs `x`), else the same absolute path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a symlink loop: it cannot be the file we write
        return False


def remove_stale_temps(path: Path) -> int:
    """Delete the temp files a killed write of `path` left behind (they may hold note excerpts);
    only regular files whose name is exactly our pattern for `path`. Returns how many."""
    prefix = f".{path.name}."
    removed = 0
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        if not _TEMP_TOKEN.fullmatch(name[len(prefix):-len(TEMP_SUFFIX)]):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass  # gone already, or not ours to delete: the next run tries again
    return removed


@contextmanager
def atomic_text(path: Path, newline: Optional[str] = None, encoding: str = "utf-8") -> Iterator[TextIO]:
    while True:
        tmp = temp_path(path)
        try:
            # 0o666 minus the umask, as for any new file; O_EXCL: never reuse or follow a name.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = " ".join(str(value).splitlines()) if isinstance(value, str) else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


BASE_COLUMNS = ["note_id", "error", "encoding", "score", "ready_to_sign", "is_implant_removal", "suggested_cpt", "units"]
TAIL_COLUMNS = [
    "claim_lines", "modifiers", "icd10", "billed_cpt", "billed_units", "billed_modifiers",
    "risk_ids", "risk_count", "top_severity", "amount", "revenue_at_risk",
]


def csv_header(item_ids: list[str]) -> list[str]:
    return BASE_COLUMNS + [f"checklist_{i}" for i in item_ids] + TAIL_COLUMNS


def csv_values(row: NoteRow, item_ids: list[str]) -> list[str]:
    values: list[object] = [
        row.note_id, row.error, row.encoding, row.score, row.ready_to_sign, row.is_implant_removal,
        row.suggested_cpt, row.units,
    ]
    values += [row.checklist.get(i, "") for i in item_ids]
    values += [
        row.claim_lines, row.modifiers, row.icd10, row.billed_cpt, row.billed_units, row.billed_modifiers,
        " ".join(row.risk_ids), None if row.error else len(row.risk_ids), row.top_severity, row.amount, row.at_risk,
    ]
    return [safe_cell(v) for v in values]


def write_csv(path: Path, rows: Iterable[NoteRow], item_ids: list[str]) -> None:
    """One row per note. UTF-8 with a BOM so that Excel detects the encoding; every cell quoted,
    so commas, quotes and semicolons inside messages never shift columns."""
    with atomic_text(path, newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(csv_header(item_ids))
        for row in rows:
            writer.writerow(csv_values(row, item_ids))


def write_summary_json(path: Path, summary: AuditSummary) -> None:
    with atomic_text(path) as fh:
        fh.write(summary.model_dump_json(indent=2) + "\n")


def note_rows(
    records: Iterable[dict[str, Any]], claim_of: Callable[[Optional[str]], Optional[ClaimContext]], fees: FeeTable
) -> Iterator[NoteRow]:
    """The journal's records as flat rows, in order, with each note's claim joined again."""
    for seq, record in enumerate(records):
        yield NoteRow.build(seq, record, claim_of(record.get("note_id")), fees)
