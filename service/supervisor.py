"""Several worker processes behind one port, each with its own SO_REUSEPORT listening socket.

Why not uvicorn's `workers=N`: there all workers accept from one shared socket, and an asyncio
server accepts every pending connection in one go when it wakes, so a burst of keep-alive
connections (16 dictation clients opening at once) lands on a single worker while the others sit
idle; measured here, a second worker added nothing. With SO_REUSEPORT the kernel spreads new
connections over the workers' sockets.

The supervisor forwards SIGINT/SIGTERM to the workers once (they drain in-flight requests, see
`service.run`), restarts a worker that dies, and exits when all have stopped. Workers run in
their own process group, so a terminal's Ctrl+C reaches them only through the supervisor (a
second signal would make uvicorn abandon in-flight requests), and each stops by itself if the
supervisor disappears.
"""
from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import threading
import time
from types import FrameType
from typing import Any, Optional

from service.logging_ import SERVICE_LOGGER, install_scrubbers

log = logging.getLogger(SERVICE_LOGGER)

# A worker that dies within this many seconds of its start is not restarted: it would only die
# again (a bad environment, a port taken by another program) and spin.
MIN_UPTIME_FOR_RESTART = 5.0


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


def _run_worker(host: str, port: int, uvicorn_kwargs: dict[str, Any], log_config: dict[str, Any]) -> None:
    """Entry point of one worker process (spawned, so it imports nothing from the parent)."""
    os.setpgrp()
    logging.config.dictConfig(log_config)
    install_scrubbers()

    import uvicorn

    parent = os.getppid()
    server = uvicorn.Server(uvicorn.Config("service.app:create_app", factory=True, log_config=log_config,
                                           **uvicorn_kwargs))

    def watch_parent() -> None:
        # Orphaned (the supervisor was killed): shut down gracefully rather than linger.
        while not server.should_exit:
            if os.getppid() != parent:
                server.should_exit = True
                return
            time.sleep(1.0)

    threading.Thread(target=watch_parent, name="notecheck-parent-watch", daemon=True).start()
    server.run(sockets=[_listening_socket(host, port)])


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
        self.workers: list[tuple[multiprocessing.process.BaseProcess, float]] = []
        self.stopping = threading.Event()

    def _spawn(self) -> tuple[multiprocessing.process.BaseProcess, float]:
        process = self.context.Process(
            target=_run_worker, args=(self.host, self.port, self.uvicorn_kwargs, self.log_config),
            name="notecheck-worker",
        )
        process.start()
        log.info("worker started", extra={"fields": {"pid": process.pid}})
        return process, time.monotonic()

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        self.stopping.set()

    def run(self) -> int:
        self.port = _claim_port(self.host, self.port)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        log.info("supervisor listening", extra={"fields": {"host": self.host, "port": self.port,
                                                           "workers": self.count}})
        self.workers = [self._spawn() for _ in range(self.count)]
        while not self.stopping.wait(0.5):
            if self._replace_dead():
                break
        return self._stop_all()

    def _replace_dead(self) -> bool:
        """Restart workers that died; True when one died too young to be worth restarting."""
        for index, (process, started) in enumerate(self.workers):
            if process.is_alive():
                continue
            uptime = time.monotonic() - started
            log.error("worker exited", extra={"fields": {"pid": process.pid, "exitcode": process.exitcode,
                                                         "uptime_s": round(uptime, 1)}})
            if uptime < MIN_UPTIME_FOR_RESTART:
                return True
            self.workers[index] = self._spawn()
        return False

    def _stop_all(self) -> int:
        for process, _ in self.workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # once: the worker drains, then exits
        deadline = time.monotonic() + self.shutdown_timeout + 10
        for process, _ in self.workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        failed = [p.exitcode for p, _ in self.workers if p.exitcode not in (0, -signal.SIGTERM)]
        log.info("supervisor stopped", extra={"fields": {"workers_failed": len(failed)}})
        return 1 if failed or not self.stopping.is_set() else 0
