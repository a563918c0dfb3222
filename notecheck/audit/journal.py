"""The append-only record file that makes a run resumable.

Every record is one line, written with a single write and flushed to the OS before the next, so
after a SIGKILL the file holds whole records in input order (a killed process loses nothing it
has written; the page cache keeps it). fsync, which only a power cut needs, runs every
`FSYNC_EVERY` records and at close: per record it made the single parent process the bottleneck
of a two-worker run. A torn last line (power cut) is cut off by `recover()`. For a .jsonl output the journal *is* the output; for
.csv and .html it is a sidecar `OUT.partial.jsonl` that the final render reads and then removes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional


class JournalError(ValueError):
    """The journal cannot be used (unreadable, or not written by `notecheck audit`)."""


FSYNC_EVERY = 256


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Optional[BinaryIO] = None
        self._unsynced = 0

    def recover(self) -> Iterator[dict[str, Any]]:
        """The whole records of an interrupted run, in order, after cutting off a torn tail.

        Stops at the first line that is not a complete JSON record: only the last write can be
        incomplete, and whatever follows a bad line cannot be trusted to be in order.
        """
        if not self.path.exists():
            return
        good_end = 0
        try:
            with self.path.open("rb") as fh:
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break
                    try:
                        record = json.loads(raw)
                    except ValueError:
                        break
                    if not isinstance(record, dict) or "note_id" not in record:
                        raise JournalError(f"{self.path} was not written by notecheck audit (line without note_id)")
                    good_end += len(raw)
                    yield record
            if good_end != self.path.stat().st_size:
                with self.path.open("r+b") as fh:
                    fh.truncate(good_end)
                    os.fsync(fh.fileno())
        except OSError as exc:
            raise JournalError(f"cannot read {self.path}: {exc.strerror}") from None

    def open(self, append: bool) -> None:
        """Open for writing: appending to recovered records, or starting empty."""
        self._fh = self.path.open("ab" if append else "wb")
        if not append:
            os.fsync(self._fh.fileno())

    def append(self, line: str) -> None:
        assert self._fh is not None
        self._fh.write(line.encode("utf-8") + b"\n")
        self._fh.flush()
        self._unsynced += 1
        if self._unsynced >= FSYNC_EVERY:
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def close(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def records(self) -> Iterator[dict[str, Any]]:
        """All records, for rendering the final output."""
        with self.path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    yield json.loads(raw)

    def remove(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
