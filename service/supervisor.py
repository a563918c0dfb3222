"""Several worker processes behind one port, each with its own SO_REUSEPORT listening socket.

Why not uvicorn's `workers=N`: there all workers accept from one shared socket, and an asyncio
server accepts every pending connection in one go when it wakes, so a burst of keep-alive
connections (16 dictation clients opening at once) lands on a single worker while the others sit
idle; measured here, a second worker added nothing. With SO_REUSEPORT the kernel spreads new
connections over the workers' sockets.

The supervisor forwards SIGINT/SIGTERM to the workers once (they drain in-flight requests, see
`service.run`), restarts a worker that dies, and exits when all have stopped. Workers run in
their own process group, so a terminal's Ctrl+C reaches them only through the supervisor (a
second signal would make uvicorn abandon in-flight requests).

A worker that dies soon after its start (a bad environment, the OOM killer during a load) is
restarted after a growing delay, while the other workers go on serving; the supervisor gives up
only when no worker is left alive and every slot has failed that way MAX_QUICK_FAILURES times
in a row (a start-up that can never work).

Workers stop by themselves when the supervisor dies, however it dies and whenever: on Linux the
kernel sends them SIGTERM (PR_SET_PDEATHSIG, set first thing in the worker), and a watchdog
thread compares the parent pid with the supervisor's pid handed over at spawn time. Both are
checked right after they are set up, so a supervisor that died while the worker was starting
is noticed too (the old watchdog read its "parent" only after start-up, and a worker whose
supervisor had died in the meantime took init for its parent and lived on).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable, Optional

from service.logging_ import SERVICE_LOGGER, install_scrubbers

log = logging.getLogger(SERVICE_LOGGER)

# A worker that dies within this many seconds of its start failed "quickly": it is restarted
# after a delay that doubles with each quick failure in a row (FIRST_BACKOFF .. MAX_BACKOFF), so a
# slot that cannot start does not spin.
MIN_UPTIME_FOR_RESTART = 5.0
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
# With no worker alive and every slot failed quickly this many times in a row, stop trying.
MAX_QUICK_FAILURES = 5

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# How often the watchdog looks at the parent pid (the fallback where prctl is not available).
PARENT_POLL_S = 0.5


def backoff(quick_failures: int) -> float:
    """Seconds before restarting a slot whose worker died quickly `quick_failures` times in a row."""
    if quick_failures <= 0:
        return 0.0
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (quick_failures - 1))


def die_with_parent(parent: int, signum: int = signal.SIGTERM) -> bool:
    """Ask the kernel for `signum` when the parent dies (Linux); True when that is set up.

    Then exit at once if the parent is already gone: PR_SET_PDEATHSIG only covers a death that
    happens after the call, and a parent that died between fork and here has left this process
    to init (or a subreaper), whose pid differs from `parent`."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(0)  # orphaned before anything started: nothing to drain
    return armed


def watch_parent(parent: int, on_orphaned: Callable[[], None], stop: Callable[[], bool]) -> threading.Thread:
    """A daemon thread that calls `on_orphaned` once the parent pid is no longer `parent`."""

    def watch() -> None:
        while not stop():
            if os.getppid() != parent:
                on_orphaned()
                return
            time.sleep(PARENT_POLL_S)

    thread = threading.Thread(target=watch, name="notecheck-parent-watch", daemon=True)
    thread.start()
    return thread


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _tcp_socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose
    # proto is IPPROTO_TCP, and accepted connections inherit it. With proto 0, responses (written
    # as headers, then body) wait for delayed ACKs and throughput halves.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.set_inheritable(False)
    return sock


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = _tcp_socket(host)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _claim_port(host: str, port: int) -> int:
    """Fail early, in the supervisor, when the port is taken; resolve port 0 to a real port.

    The probe binds *without* SO_REUSEPORT, so it also fails when another SO_REUSEPORT service
    (a second `notecheck serve`, say) listens there, instead of silently sharing its port.
    """
    probe = _tcp_socket(host)
    try:
        probe.bind((host, port))
        return int(probe.getsockname()[1])
    finally:
        probe.close()


def _run_worker(host: str, port: int, uvicorn_kwargs: dict[str, Any], log_config: dict[str, Any],
                supervisor: int) -> None:
    """Entry point of one worker process (spawned, so it imports nothing from the parent).

    `supervisor` is the supervisor's pid, taken in the supervisor: read here, after start-up,
    it could already be init's."""
    # SIGTERM, not SIGKILL: uvicorn drains in-flight requests (up to the shutdown timeout) and
    # the worker exits; before uvicorn installs its handler, SIGTERM ends the process outright.
    die_with_parent(supervisor)
    os.setpgrp()
    logging.config.dictConfig(log_config)
    install_scrubbers()

    import uvicorn

    server = uvicorn.Server(uvicorn.Config("service.app:create_app", factory=True, log_config=log_config,
                                           **uvicorn_kwargs))

    def orphaned() -> None:
        # The fallback where prctl is missing (or the signal was lost): shut down gracefully.
        log.warning("supervisor gone; worker stopping", extra={"fields": {"supervisor_pid": supervisor}})
        server.should_exit = True

    watch_parent(supervisor, orphaned, lambda: server.should_exit)
    server.run(sockets=[_listening_socket(host, port)])
    # Here after a shutdown that no signal started (the watchdog's): uvicorn has drained what it
    # could within the shutdown timeout. A check still on the check thread would hold a normal
    # exit, which joins threads, for up to its budget; nothing is left to answer it.
    logging.shutdown()
    os._exit(0)


@dataclass
class Slot:
    """One worker place: its current process (None while waiting to restart), when that started,
    how many times in a row its worker died quickly, and when it may be restarted."""

    process: Optional[multiprocessing.process.BaseProcess] = None
    started: float = 0.0
    quick_failures: int = 0
    restart_at: float = 0.0


class Supervisor:
    def __init__(self, host: str, port: int, workers: int, uvicorn_kwargs: dict[str, Any],
                 log_config: dict[str, Any], shutdown_timeout: float) -> None:
        self.host = host
        self.port = port
        self.count = workers
        self.uvicorn_kwargs = uvicorn_kwargs
        self.log_config = log_config
        self.shutdown_timeout = shutdown_timeout
        self.context = multiprocessing.get_context("spawn")
        self.slots: list[Slot] = []
        self.stopping = threading.Event()

    def _spawn(self, slot: Slot) -> None:
        process = self.context.Process(
            target=_run_worker, args=(self.host, self.port, self.uvicorn_kwargs, self.log_config, os.getpid()),
            name="notecheck-worker",
        )
        process.start()
        slot.process, slot.started = process, time.monotonic()
        log.info("worker started", extra={"fields": {"pid": process.pid}})

    @property
    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        return [slot.process for slot in self.slots if slot.process is not None]

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        self.stopping.set()

    def run(self) -> int:
        self.port = _claim_port(self.host, self.port)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        log.info("supervisor listening", extra={"fields": {"host": self.host, "port": self.port,
                                                           "workers": self.count}})
        self.slots = [Slot() for _ in range(self.count)]
        for slot in self.slots:
            self._spawn(slot)
        while not self.stopping.wait(0.2):
            if self._tend(time.monotonic()):
                break
        return self._stop_all()

    def _tend(self, now: float) -> bool:
        """Notice dead workers and restart them when their delay is over; True to give up."""
        for slot in self.slots:
            process = slot.process
            if process is not None and not process.is_alive():
                uptime = now - slot.started
                slot.quick_failures = slot.quick_failures + 1 if uptime < MIN_UPTIME_FOR_RESTART else 0
                delay = backoff(slot.quick_failures)
                slot.process, slot.restart_at = None, now + delay
                log.error("worker exited", extra={"fields": {
                    "pid": process.pid, "exitcode": process.exitcode, "uptime_s": round(uptime, 1),
                    "quick_failures": slot.quick_failures, "restart_in_s": delay}})
                process.join(0)  # reap it
        if all(s.process is None and s.quick_failures >= MAX_QUICK_FAILURES for s in self.slots):
            log.error("no worker could start; giving up",
                      extra={"fields": {"quick_failures": MAX_QUICK_FAILURES}})
            return True
        for slot in self.slots:
            if slot.process is None and now >= slot.restart_at and not self.stopping.is_set():
                self._spawn(slot)
        return False

    def _stop_all(self) -> int:
        processes = self.processes
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # once: the worker drains, then exits
        deadline = time.monotonic() + self.shutdown_timeout + 10
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        failed = [p.exitcode for p in processes if p.exitcode not in (0, -signal.SIGTERM)]
        log.info("supervisor stopped", extra={"fields": {"workers_failed": len(failed)}})
        return 1 if failed or not self.stopping.is_set() else 0
