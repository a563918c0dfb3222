"""The Checker of one worker process: loaded off the event loop, run on a dedicated thread pool,
and recycled before its string store makes the process grow without bound.

Why recycle: spaCy interns every token string it has ever seen in `nlp.vocab.strings` (and keys
its tokenizer cache by them), so a service that checks distinct notes for days grows steadily.
Building a fresh Checker takes ~0.3 s, so once the store has grown by `recycle_strings` a new one
is built on a background thread and swapped in with one reference assignment; checks already
running keep the Checker they started with and the old one is freed when they finish.

Every check runs under a time budget (`notecheck.budget`): a note that takes longer raises
CheckTimeout and frees the check thread, so one pathological note cannot hold the worker. A
batch has one budget for the whole request and stops between notes when its caller goes away.

The budget is cooperative (checked between pipeline stages and inside their loops), so a stage
that overruns holds the thread until it reaches its next check. The caller does not wait for
that: after the budget plus OVERRUN_GRACE_S (time in the queue included) it gets CheckTimeout
anyway, and a check still queued then is dropped. Every request's answer time is bounded.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, Sequence

from notecheck.budget import CheckTimeout
from notecheck.checker import Checker
from notecheck.models import ClaimContext, Result
from notecheck.reader import NoteInputError, validate_text
from service.logging_ import SERVICE_LOGGER

log = logging.getLogger(SERVICE_LOGGER)

NoteItem = tuple[str, Optional[ClaimContext], Optional[str]]

# How long past its budget a caller waits for the check thread before answering CheckTimeout
# itself (the thread may still be inside one long pipeline step).
OVERRUN_GRACE_S = 2.0


class NotReady(Exception):
    """The pipeline has not loaded (yet, or at all)."""


class BatchNoteError(NoteInputError):
    """One note of a batch cannot be checked; `index` says which."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


class BatchTimeout(CheckTimeout):
    """A batch ran out of time (its own budget, or one note's); `index` says at which note."""

    def __init__(self, budget_s: float, index: Optional[int], whole_batch: bool) -> None:
        super().__init__(budget_s)
        self.index = index
        what = "batch" if whole_batch else f"notes[{index}]"
        where = f" (stopped at notes[{index}])" if whole_batch and index is not None else ""
        self.args = (f"{what} not checked within its {budget_s:g}-second time budget{where}",)


class CheckCancelled(Exception):
    """The caller went away; the rest of its batch is not checked."""


class Engine:
    def __init__(
        self,
        *,
        threads: int = 1,
        recycle_strings: int = 10_000,
        recycle_notes: int = 50_000,
        factory: Callable[[], Checker] = Checker,
        budget_s: Optional[float] = None,
        batch_budget_s: Optional[float] = None,
    ) -> None:
        self._factory = factory
        self._budget_s = budget_s
        self._batch_budget_s = batch_budget_s
        self._recycle_strings = recycle_strings
        self._recycle_notes = recycle_notes
        self._threads = threads
        self._executor: Optional[ThreadPoolExecutor] = None
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._started = False
        self._checker: Optional[Checker] = None
        self._load_error: Optional[str] = None
        self._recycling = False
        self._notes_since_build = 0
        self._strings_at_build = 0
        self.generation = 0
        self.notes_checked = 0
        self.load_seconds: Optional[float] = None

    # -- loading -------------------------------------------------------------------------------

    def start_loading(self) -> None:
        """Open the check thread pool and build the Checker on a background thread, so /healthz
        answers while it loads. Called at every lifespan start-up: a second start (a test client
        re-entering the app) reopens the pool and keeps the pipeline already loaded."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="notecheck-check")
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="notecheck-load", daemon=True).start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            checker = self._factory()
        except Exception as exc:  # noqa: BLE001 - reported by /readyz, the process stays up
            self._load_error = type(exc).__name__
            log.error("pipeline failed to load", extra={"fields": {"error_type": type(exc).__name__}})
        else:
            with self._lock:
                self._install(checker)
            self.load_seconds = round(time.perf_counter() - started, 3)
            log.info("pipeline loaded", extra={"fields": {"seconds": self.load_seconds}})
        finally:
            self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._checker is not None

    @property
    def load_error(self) -> Optional[str]:
        return self._load_error

    @property
    def checker(self) -> Optional[Checker]:
        return self._checker

    async def wait_ready(self, timeout: float) -> None:
        """Wait (without blocking the loop) for the first load; NotReady when it failed or is slow."""
        if self._checker is None and self._started:
            # Polling, not a thread blocked on the event: a burst of requests during start-up
            # must not occupy the loop's default thread pool.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not self._loaded.is_set() and loop.time() < deadline:
                await asyncio.sleep(0.02)
        if self._checker is None:
            raise NotReady("pipeline failed to load" if self._load_error else "pipeline is still loading")

    # -- checking ------------------------------------------------------------------------------

    async def check(self, text: str, context: Optional[ClaimContext], note_id: Optional[str],
                    explain: bool = False) -> Result:
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._pool(), self._check_sync, text, context, note_id, explain)
        if self._budget_s is None:
            return await work
        try:
            # wait_for cancels `work` on timeout: dropped if still queued.
            return await asyncio.wait_for(work, self._budget_s + OVERRUN_GRACE_S)
        except TimeoutError:
            raise CheckTimeout(self._budget_s) from None

    async def check_many(self, items: Sequence[NoteItem]) -> list[Result]:
        # Cancelling the awaiting task (the client went away, or shutdown cut the request off)
        # drops a batch still queued and stops a running one before its next note.
        stop = threading.Event()
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._pool(), self._pipe_sync, list(items), stop)
        limit = None if self._batch_budget_s is None else self._batch_budget_s + OVERRUN_GRACE_S
        try:
            return await asyncio.wait_for(work, limit)
        except TimeoutError:
            stop.set()
            raise BatchTimeout(self._batch_budget_s or 0.0, None, whole_batch=True) from None
        except asyncio.CancelledError:
            stop.set()
            raise

    def _pool(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            raise NotReady("service is not running")
        return executor

    def _current(self) -> Checker:
        checker = self._checker
        if checker is None:
            raise NotReady("pipeline is still loading")
        return checker

    def _check_sync(self, text: str, context: Optional[ClaimContext], note_id: Optional[str],
                    explain: bool = False) -> Result:
        checker = self._current()  # read once: a swap mid-check must not change the Checker used
        try:
            # The flag is passed only when set: a checker factory's Checker (a stand-in, an older
            # subclass) that predates `explain` keeps working for every ordinary request.
            extra = {"explain": True} if explain else {}
            return checker.check(text, context, note_id, budget_s=self._budget_s, **extra)
        finally:
            self._after(checker, 1)

    def _pipe_sync(self, items: list[NoteItem], stop: Optional[threading.Event] = None) -> list[Result]:
        # Every note is validated before any is checked, so a bad last note fails fast. The
        # size limit is the caller's (the service's 413 on UTF-8 bytes, at most the reader's
        # limit), so the reader's own limit never cuts in here.
        for index, (text, _, _) in enumerate(items):
            try:
                validate_text(text)
            except NoteInputError as exc:
                raise BatchNoteError(index, str(exc)) from None
        checker = self._current()
        deadline = None if self._batch_budget_s is None else time.monotonic() + self._batch_budget_s
        results: list[Result] = []
        try:
            for index, (text, context, note_id) in enumerate(items):
                if stop is not None and stop.is_set():
                    raise CheckCancelled()
                budget, whole_batch = self._budget_s, False
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise BatchTimeout(self._batch_budget_s or 0.0, index, whole_batch=True)
                    if budget is None or remaining < budget:
                        budget, whole_batch = remaining, True
                try:
                    results.append(checker.check(text, context, note_id, budget_s=budget))
                except CheckTimeout:
                    spent = self._batch_budget_s if whole_batch else self._budget_s
                    raise BatchTimeout(spent or 0.0, index, whole_batch) from None
            return results
        finally:
            self._after(checker, len(results))

    # -- recycling -----------------------------------------------------------------------------

    def _install(self, checker: Checker) -> None:
        """Make `checker` current; caller holds the lock."""
        self._checker = checker
        self._strings_at_build = len(checker.nlp.vocab.strings)
        self._notes_since_build = 0
        self.generation += 1

    def _after(self, checker: Checker, notes: int) -> None:
        with self._lock:
            self.notes_checked += notes
            if checker is not self._checker:
                return
            self._notes_since_build += notes
            grown = len(checker.nlp.vocab.strings) - self._strings_at_build
            due = grown >= self._recycle_strings or self._notes_since_build >= self._recycle_notes
            if not due or self._recycling:
                return
            self._recycling = True
        threading.Thread(target=self._recycle, name="notecheck-recycle", daemon=True).start()

    def _recycle(self) -> None:
        started = time.perf_counter()
        try:
            fresh = self._factory()
        except Exception as exc:  # noqa: BLE001 - keep serving with the old Checker
            with self._lock:
                self._recycling = False
                # Restart the count so a persistent failure is retried after another full cycle,
                # not after every note.
                if self._checker is not None:
                    self._strings_at_build = len(self._checker.nlp.vocab.strings)
                    self._notes_since_build = 0
            log.error("pipeline recycle failed", extra={"fields": {"error_type": type(exc).__name__}})
            return
        with self._lock:
            self._install(fresh)
        del fresh
        try:
            # spaCy's Language holds reference cycles (components <-> nlp), so the retired
            # pipeline is only returned to the allocator by the cycle collector; run it now rather
            # than whenever generation 2 next fills up. The recycle counts as done (and another
            # may start) only after this collection.
            gc.collect()
        finally:
            with self._lock:
                self._recycling = False
        log.info(
            "pipeline recycled",
            extra={"fields": {"generation": self.generation, "seconds": round(time.perf_counter() - started, 3)}},
        )

    def close(self) -> None:
        # Requests have drained (uvicorn's graceful shutdown) before lifespan shutdown runs;
        # anything still queued past that timeout is abandoned rather than holding up exit.
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
