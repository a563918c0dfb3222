"""Worker processes that check chunks of notes and hand the records back in input order.

- A bounded window of chunks is in flight, so the parent never holds more than
  `window x chunk` notes however long the input is (memory stays flat).
- Chunks are collected strictly in submission order; a finished chunk waits for the ones before
  it, so output order is input order whatever the number of workers.
- A worker that dies (segfault, out-of-memory kill) breaks a ProcessPoolExecutor. The pool is
  rebuilt and the chunk being collected is re-run one note at a time, so the note that kills a
  worker becomes an error record and everything else is still checked.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from notecheck.audit.inputs import NoteJob
from notecheck.audit.workers import check_chunk, error_line, init_worker

CHUNK_NOTES = 8  # notes per task: small enough to keep workers evenly busy and order latency low
CHUNK_BYTES = 512 * 1024  # ... and a cap on the text shipped per task
WINDOW_PER_WORKER = 4  # chunks in flight per worker
CRASH_REASON = "checking this note crashed the worker process"


def default_workers() -> int:
    """The cores this process may run on (container limits included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass
class _Pending:
    chunk: list[NoteJob]
    future: Future


def _chunks(jobs: Iterable[NoteJob]) -> Iterator[list[NoteJob]]:
    chunk: list[NoteJob] = []
    size = 0
    for job in jobs:
        chunk.append(job)
        size += len(job.payload) if job.source == "text" else 0
        if len(chunk) >= CHUNK_NOTES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


class OrderedPool:
    """`imap_ordered(jobs)` over `workers` processes, each with its own Checker."""

    def __init__(self, workers: int, max_bytes: int, with_excerpts: bool, rules_dir: Optional[str] = None,
                 budget_s: Optional[float] = None) -> None:
        self.workers = workers
        self.window = workers * WINDOW_PER_WORKER
        self._initargs = (max_bytes, with_excerpts, os.getpid(), rules_dir, budget_s)
        # fork shares the already imported spaCy/notecheck modules with the workers; each worker
        # still builds its own pipeline in init_worker. Elsewhere, the platform default.
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._executor: Optional[ProcessPoolExecutor] = None
        self.crashes = 0

    def __enter__(self) -> "OrderedPool":
        self._executor = self._new_executor()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=init_worker, initargs=self._initargs
        )

    def _submit(self, chunk: list[NoteJob]) -> Future:
        assert self._executor is not None
        return self._executor.submit(check_chunk, chunk)

    def imap_ordered(self, jobs: Iterable[NoteJob]) -> Iterator[str]:
        """Record lines for `jobs`, one per job, in the order of `jobs`."""
        pending: deque[_Pending] = deque()
        for chunk in _chunks(jobs):
            pending.append(_Pending(chunk, self._submit(chunk)))
            while len(pending) >= self.window:
                yield from self._collect(pending.popleft(), pending)
        while pending:
            yield from self._collect(pending.popleft(), pending)

    def _collect(self, head: _Pending, rest: deque[_Pending]) -> list[str]:
        try:
            return head.future.result()
        except BrokenProcessPool:
            pass
        # The head chunk is re-run one note at a time on a fresh pool with nothing else queued,
        # so a second crash can only be that note's; then the queued chunks are resubmitted.
        self._restart()
        lines = [self._check_alone(job) for job in head.chunk]
        for item in rest:
            if not item.future.done() or item.future.cancelled() or item.future.exception() is not None:
                item.future = self._submit(item.chunk)
        return lines

    def _restart(self) -> None:
        self.crashes += 1
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._new_executor()

    def _check_alone(self, job: NoteJob) -> str:
        try:
            return self._submit([job]).result()[0]
        except BrokenProcessPool:
            self._restart()
            return error_line(job.note_id, CRASH_REASON)
