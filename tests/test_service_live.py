"""The service on a real socket (uvicorn in a thread, with `notecheck serve`'s protocol and
options): slow clients are cut off while normal requests go on, a worker caps its connections,
/healthz answers while a batch body is being parsed, and /docs renders in Chromium with nothing
loaded from elsewhere.

Every wait polls with a generous deadline; no assertion is about how fast anything was.
"""
from __future__ import annotations

import select
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from notecheck.checker import Checker  # noqa: E402
from service.app import create_app  # noqa: E402
from service.run import uvicorn_options  # noqa: E402
from service.settings import Settings  # noqa: E402

NOTE = (Path(__file__).resolve().parent.parent / "sample_notes" /
        "hwr_024_right_index_p3_pin_patient_request.txt").read_text(encoding="utf-8")
DEADLINE = 60.0  # seconds any single wait may take before the test fails (generous on purpose)


class Live(NamedTuple):
    host: str
    port: int
    url: str
    server: Any


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@contextmanager
def live_server(checker: Checker, **values: Any) -> Iterator[Live]:
    settings = Settings(**values)
    app = create_app(settings, checker_factory=lambda: checker)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", **uvicorn_options(settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-live-test", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, "server never started")
        url = f"http://{host}:{port}"
        wait_for(lambda: httpx.get(f"{url}/readyz", timeout=5).status_code == 200, "pipeline never loaded")
        yield Live(host, port, url, server)
    finally:
        server.should_exit = True
        thread.join(DEADLINE)
        sock.close()


def closed_by_server(conn: socket.socket, trickle: bytes, received: bytearray) -> bool:
    """Send `trickle` a byte at a time (every 50 ms) until the server closes the connection;
    True when it did within DEADLINE. Whatever the server answered is collected in `received`."""
    deadline = time.monotonic() + DEADLINE
    index = 0
    while time.monotonic() < deadline:
        readable, _, _ = select.select([conn], [], [], 0.05)
        if readable:
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                return True
            if not data:
                return True
            received.extend(data)
            continue
        if trickle:
            try:
                conn.sendall(trickle[index % len(trickle):index % len(trickle) + 1])
            except (BrokenPipeError, ConnectionResetError):
                return True
            index += 1
    return False


@pytest.fixture(scope="module")
def live(checker: Checker) -> Iterator[Live]:
    with live_server(checker, header_timeout=1.0, body_timeout=1.0) as server:
        yield server


def normal_requests_work(live: Live) -> None:
    assert httpx.get(f"{live.url}/healthz", timeout=30).status_code == 200
    r = httpx.post(f"{live.url}/v1/check", json={"text": NOTE, "note_id": "n"}, timeout=60)
    assert r.status_code == 200 and r.json()["note_id"] == "n"


class TestSlowClients:
    """Before: 48 connections sending headers or body a byte at a time were all still open after
    90 s. After: each is closed once its header or body deadline passes."""

    def test_headers_a_byte_at_a_time(self, live: Live) -> None:
        with socket.create_connection((live.host, live.port)) as conn:
            conn.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nX-Pad: ")
            outcome: dict[str, bool] = {}
            thread = threading.Thread(target=lambda: outcome.update(
                closed=closed_by_server(conn, b"a", bytearray())))
            thread.start()
            normal_requests_work(live)  # while the slow client trickles
            thread.join()
        assert outcome["closed"], "a client sending its headers a byte at a time was never cut off"

    def test_a_silent_connection(self, live: Live) -> None:
        with socket.create_connection((live.host, live.port)) as conn:
            assert closed_by_server(conn, b"", bytearray()), "a connection that sends nothing stays open"

    def test_body_a_byte_at_a_time_gets_408(self, live: Live) -> None:
        received = bytearray()
        with socket.create_connection((live.host, live.port)) as conn:
            conn.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n{\"text\": \"")
            assert closed_by_server(conn, b"a", received), "a body sent a byte at a time was never cut off"
        head, _, body = bytes(received).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 ")
        assert body == b'{"detail": "request body not received within 1 seconds"}'
        normal_requests_work(live)

    def test_headers_after_a_kept_alive_request(self, live: Live) -> None:
        """The deadline also runs for the second request on a connection (uvicorn's keep-alive
        timer stops at its first byte)."""
        with socket.create_connection((live.host, live.port)) as conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            first = bytearray()
            wait_for(lambda: first.extend(conn.recv(65536)) or b'"ok"' in first, "no answer to the first request")
            assert first.startswith(b"HTTP/1.1 200 ")
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ")
            assert closed_by_server(conn, b"a", bytearray())


def test_connection_cap(checker: Checker) -> None:
    """A worker keeps at most NOTECHECK_MAX_CONNECTIONS connections: the next gets a JSON 503 at
    once, and once the others close, new connections are served again."""
    with live_server(checker, max_connections=3, header_timeout=300) as live:
        idle = [socket.create_connection((live.host, live.port)) for _ in range(3)]
        try:
            wait_for(lambda: len(live.server.server_state.connections) == 3, "idle connections not accepted")
            with socket.create_connection((live.host, live.port)) as extra:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                received = bytearray()
                closed_by_server(extra, b"", received)
            head, _, body = bytes(received).partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503 ")
            assert b"content-type: application/json" in head
            assert body == b'{"detail": "too many open connections to this worker; retry shortly"}'
        finally:
            for conn in idle:
                conn.close()
        wait_for(lambda: not live.server.server_state.connections, "closed connections still counted")
        assert httpx.get(f"{live.url}/healthz", timeout=30).status_code == 200


def test_healthz_answers_while_a_batch_body_is_parsed(checker: Checker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch body is decoded on a worker thread: held there, /healthz still answers. Before,
    the parse ran on the event loop and /healthz hung for the 26-31 s it took."""
    import service.app
    from service.body import parse_batch

    entered, release = threading.Event(), threading.Event()

    def held_parse(*args: Any) -> Any:
        entered.set()
        assert release.wait(DEADLINE)
        return parse_batch(*args)

    monkeypatch.setattr(service.app, "parse_batch", held_parse)
    with live_server(checker) as live:
        outcome: dict[str, Any] = {}
        body = b'{"notes": [' + b",".join([b'{"text":"x"}'] * 200_000) + b"]}"

        def post_batch() -> None:
            r = httpx.post(f"{live.url}/v1/check/batch", content=body,
                           headers={"content-type": "application/json"}, timeout=DEADLINE)
            outcome["status"] = r.status_code

        thread = threading.Thread(target=post_batch)
        thread.start()
        try:
            assert entered.wait(DEADLINE), "the batch never reached its parse"
            assert httpx.get(f"{live.url}/healthz", timeout=DEADLINE).status_code == 200
            assert "status" not in outcome  # the batch is still being parsed
        finally:
            release.set()
            thread.join(DEADLINE)
        assert outcome["status"] == 413


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_docs_render_offline_in_chromium(checker: Checker) -> None:
    """/docs in a real browser that cannot reach anything but this server: Swagger UI renders
    the operations, no request leaves, no console error (so the CSP holds with it)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with live_server(checker) as live, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking", "--disable-component-update"])
        try:
            page = browser.new_page()
            outside: list[str] = []
            errors: list[str] = []

            def only_local(route: Any) -> None:
                if route.request.url.startswith(live.url + "/"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live.url}/docs")
            page.wait_for_selector(".opblock", timeout=DEADLINE * 1000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert {"/v1/check", "/v1/check/batch", "/healthz"} <= {p.replace("\u200b", "") for p in paths}
            assert outside == [], outside
            assert errors == [], errors
        finally:
            browser.close()
