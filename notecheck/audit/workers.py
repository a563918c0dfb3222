"""What runs inside a worker process: one `Checker` per process, built by the pool initializer
(spaCy pipelines are never pickled), turning `NoteJob`s into output record lines.

A record line is the JSON of contract §2 plus `note_id` and `encoding`, or `{"note_id", "error"}`
for a note that could not be checked. Error reasons are one line and never quote the note.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Optional

from notecheck.audit.evidence import excerpts
from notecheck.audit.inputs import NoteJob, load_text, safe_note_id
from notecheck.budget import CheckTimeout
from notecheck.reader import NoteInputError

if TYPE_CHECKING:
    from notecheck.checker import Checker

EXCERPTS_KEY = "_excerpts"  # only in the journal of an .html run; never in a .jsonl output

_checker: Optional["Checker"] = None
_max_bytes = 0
_with_excerpts = False
_budget_s: Optional[float] = None  # seconds per note; None: no budget
_rules_dir: Optional[str] = None

# The budget is checked cooperatively (notecheck.budget): between pipeline stages and inside the
# extractors' loops. Code that never reaches a check (a regression, a pattern that backtracks)
# would still hold the worker, so the worker also arms SIGALRM as a backstop: at
# HARD_FACTOR x budget + HARD_GRACE_S its handler raises in whatever Python code is running. The
# Checker is then rebuilt, since the interrupted code may have left shared state half updated.
HARD_FACTOR = 2.0
HARD_GRACE_S = 1.0


class HardTimeout(CheckTimeout):
    """The backstop fired: the note overran its budget without reaching a cooperative check."""


def init_worker(max_bytes: int, with_excerpts: bool, parent_pid: int, rules_dir: Optional[str] = None,
                budget_s: Optional[float] = None) -> None:
    """Pool initializer: build this process's Checker once."""
    global _checker, _max_bytes, _with_excerpts, _budget_s, _rules_dir
    # Ctrl-C is the parent's to handle; a worker that also raised would print a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent_pid)
    from notecheck.checker import Checker

    _checker = Checker(rules_dir)
    _max_bytes = max_bytes
    _with_excerpts = with_excerpts
    _budget_s = budget_s
    _rules_dir = rules_dir


def _exit_with_parent(parent_pid: int) -> None:
    """Make sure a worker does not outlive an audit killed with SIGKILL (which runs no cleanup)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # the portable fallback, for systems without PR_SET_PDEATHSIG
        while True:
            time.sleep(2.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="notecheck-parent-watch", daemon=True).start()


def check_chunk(jobs: list[NoteJob]) -> list[str]:
    """Record lines for a chunk of notes, in the chunk's order; never raises for a bad note."""
    return [check_job(job) for job in jobs]


def error_line(note_id: str, reason: str) -> str:
    return json.dumps({"note_id": safe_note_id(note_id), "error": " ".join(reason.split())}, ensure_ascii=False)


@contextmanager
def hard_deadline(budget_s: Optional[float]) -> Iterator[None]:
    """Raise HardTimeout in the body once HARD_FACTOR x budget_s + HARD_GRACE_S have passed
    (POSIX, main thread only; elsewhere the cooperative budget alone applies)."""
    if not budget_s or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise HardTimeout(budget_s)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, HARD_FACTOR * budget_s + HARD_GRACE_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_job(job: NoteJob) -> str:
    global _checker
    assert _checker is not None, "init_worker() was not run in this process"
    try:
        text, encoding = load_text(job, _max_bytes)
        with hard_deadline(_budget_s):
            result = _checker.check(text, job.claim, job.note_id, budget_s=_budget_s, max_bytes=_max_bytes)
    except HardTimeout as exc:
        from notecheck.checker import Checker

        _checker = Checker(_rules_dir)
        return error_line(job.note_id, str(exc))
    except (NoteInputError, CheckTimeout) as exc:
        return error_line(job.note_id, str(exc))
    except Exception as exc:  # a checker bug must cost one note, not the night's run
        return error_line(job.note_id, describe_failure(exc))
    record: dict[str, Any] = result.model_dump(mode="json")
    record["note_id"] = job.note_id
    record["encoding"] = encoding
    if _with_excerpts:
        record[EXCERPTS_KEY] = excerpts(record, text)
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    try:
        line.encode("utf-8")  # the journal writes UTF-8: a line it cannot write must not reach it
    except UnicodeEncodeError:
        return error_line(job.note_id, "the result holds text that is not valid Unicode")
    return line


def describe_failure(exc: BaseException) -> str:
    """Where the checker failed, without the exception's message (it might quote the note)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(frames):
        if "notecheck" in frame.filename or "pipelines" in frame.filename:
            where = f" in {os.path.basename(frame.filename)}:{frame.lineno}"
            break
    return f"the checker failed on this note ({type(exc).__name__}{where})"
