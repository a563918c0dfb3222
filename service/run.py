"""`notecheck serve`: uvicorn with the service's defaults.

- Binds 127.0.0.1 unless told otherwise: a note checker is not something to expose by accident.
- `workers` > 1 starts that many processes, each loading its own pipeline; spaCy holds the GIL,
  so processes (not threads) are what use more cores. Where the OS has SO_REUSEPORT they run
  under `service.supervisor` (one listening socket each, so the kernel balances connections);
  elsewhere under uvicorn's own multi-process mode.
- SIGINT/SIGTERM stop accepting connections and give in-flight requests
  NOTECHECK_SHUTDOWN_TIMEOUT seconds (default 30) to finish before the worker exits.
- Slow clients are cut off: a request head must arrive within NOTECHECK_HEADER_TIMEOUT seconds
  and its body within NOTECHECK_BODY_TIMEOUT, and a worker keeps at most
  NOTECHECK_MAX_CONNECTIONS connections open (service.protocol, service.middleware).
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import logging.config
import sys
from typing import Any

from service.logging_ import SERVICE_LOGGER, install_scrubbers, log_config
from service.protocol import LimitedH11Protocol
from service.settings import Settings, SettingsError
from service.supervisor import Supervisor, reuse_port_supported


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for the service (all picklable: the supervisor hands them
    to spawned workers)."""
    return {
        "access_log": False,  # service.logging_.AccessLogMiddleware writes the access log
        "server_header": False,
        "proxy_headers": False,  # no proxy is assumed; behind one, set it up there
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        "timeout_keep_alive": settings.keep_alive_timeout,
        # h11 with a request-head deadline and a connection cap (uvicorn has neither).
        "http": functools.partial(
            LimitedH11Protocol, header_timeout=settings.header_timeout, max_connections=settings.max_connections
        ),
    }


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> int:
    """Run the service until it is stopped; returns the process exit code."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"notecheck: error: {exc}", file=sys.stderr)
        return 2
    if not 0 <= port <= 65535:
        print(f"notecheck: error: port {port} is not 0-65535", file=sys.stderr)
        return 2
    # An explicit --workers wins; NOTECHECK_CHECK_WORKERS sets the count when it is left at 1.
    count = workers if workers > 1 else settings.check_workers
    if count < 1:
        print("notecheck: error: --workers must be at least 1", file=sys.stderr)
        return 2

    config = log_config(settings.log_level)
    logging.config.dictConfig(config)
    install_scrubbers()
    log = logging.getLogger(SERVICE_LOGGER)
    if not _is_loopback(host) and settings.api_key is None:
        log.warning(
            "listening beyond loopback without NOTECHECK_API_KEY: anyone who can reach this port can submit notes",
            extra={"fields": {"host": host}},
        )
    log.info("starting", extra={"fields": {"host": host, "port": port, "workers": count}})
    uvicorn_kwargs = uvicorn_options(settings)
    if count > 1 and reuse_port_supported():
        try:
            return Supervisor(host, port, count, uvicorn_kwargs, config, settings.shutdown_timeout).run()
        except OSError as exc:
            print(f"notecheck: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    import uvicorn  # imported here so `notecheck check` never pays for the web stack

    uvicorn.run(
        "service.app:create_app", factory=True, host=host, port=port, workers=count, log_config=config,
        **uvicorn_kwargs,
    )
    return 0
