"""Where the MLLP listener writes results: a JSONL file (one line per message) or a folder (one
JSON file per message). A record is durable (flushed and fsynced) before its message is ACKed, so
a crash loses no ACKed message; a message resent after a crash (the sender got no ACK) is
recognised by its sending application + control id and not written twice.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Optional, Protocol

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SinkError(Exception):
    """The output cannot be used; one line, no note text."""


class Sink(Protocol):
    def seen(self, key: str) -> bool: ...

    def write(self, key: str, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: set[str] = set()
        try:
            self._repair_and_index()
            self._fh = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise SinkError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None

    def _repair_and_index(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb+") as fh:
            data = fh.read()
            end = data.rfind(b"\n") + 1
            if end < len(data):
                # A line cut by a crash: its message was never ACKed, so it will be resent.
                fh.truncate(end)
        for line in data[:end].splitlines():
            try:
                key = json.loads(line).get("key")
            except (ValueError, AttributeError):
                continue
            if isinstance(key, str):
                self._keys.add(key)

    def seen(self, key: str) -> bool:
        return key in self._keys

    def write(self, key: str, record: dict[str, Any]) -> None:
        line = json.dumps({"key": key, **record}, ensure_ascii=False, separators=(",", ":"))
        self._fh.write(line + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._keys.add(key)

    def close(self) -> None:
        self._fh.close()


class FolderSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._names = {p.name for p in path.iterdir() if p.suffix == ".json"}
            for stale in path.glob(".*.json.tmp"):
                stale.unlink()  # a write cut by a crash; that message was not ACKed
        except OSError as exc:
            raise SinkError(f"cannot use folder {path}: {exc.strerror or type(exc).__name__}") from None

    @staticmethod
    def file_name(key: str) -> str:
        return (_UNSAFE.sub("_", key).strip("._") or "message")[:200] + ".json"

    def seen(self, key: str) -> bool:
        return self.file_name(key) in self._names

    def write(self, key: str, record: dict[str, Any]) -> None:
        name = self.file_name(key)
        tmp = self.path / f".{name}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump({"key": key, **record}, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / name)
        dir_fd: Optional[int] = None
        try:
            dir_fd = os.open(self.path, os.O_RDONLY)
            os.fsync(dir_fd)  # the rename itself must survive a crash
        except OSError:
            pass
        finally:
            if dir_fd is not None:
                os.close(dir_fd)
        self._names.add(name)

    def close(self) -> None:
        pass


def open_sink(out: Path) -> Sink:
    """A .jsonl path is a JSONL file; anything else is a folder (created when missing)."""
    if out.suffix.lower() in (".jsonl", ".ndjson"):
        if not out.parent.is_dir():
            raise SinkError(f"the folder for --out does not exist: {out.parent}")
        return JsonlSink(out)
    if out.exists() and not out.is_dir():
        raise SinkError(f"--out must be a .jsonl file or a folder, not {out.name}")
    return FolderSink(out)
