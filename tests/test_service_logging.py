"""The note's text never reaches a log record: not on success, not on any failure path.

Every record any logger creates is captured (pytest's caplog on the root logger, plus handlers on
the uvicorn and service loggers in case something stops propagation), and the marker word that
each note carries is looked for in the message, the arguments, the extra fields, the exception
info and the JSON line the service would write.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from notecheck.checker import Checker  # noqa: E402
from service.app import create_app  # noqa: E402
from service.logging_ import ACCESS_LOGGER, JSONFormatter, install_scrubbers  # noqa: E402
from service.settings import Settings  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKER = "QUOKKAMARKER"
NOTES = Path(__file__).resolve().parent.parent / "sample_notes"
NOTE = (NOTES / "hwr_024_right_index_p3_pin_patient_request.txt").read_text(encoding="utf-8")
MARKED = NOTE.replace("college pitcher", f"college pitcher {MARKER}")
WATCHED = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "notecheck", "notecheck.access", "notecheck.service",
           "service", "fastapi", "asyncio")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Records:
    """caplog's records (what propagates to the root) plus the collector's (what is logged on the
    watched loggers, whether or not it propagates)."""

    def __init__(self, caplog: pytest.LogCaptureFixture, collector: Collect) -> None:
        self.caplog = caplog
        self.collector = collector

    def all(self) -> list[logging.LogRecord]:
        return self.caplog.records + self.collector.records


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[Records]:
    caplog.set_level(logging.DEBUG)
    collector = Collect()
    saved = {}
    for name in WATCHED:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(collector)
    try:
        yield Records(caplog, collector)
    finally:
        for name in WATCHED:
            logging.getLogger(name).removeHandler(collector)
            logging.getLogger(name).setLevel(saved[name])


def rendered(record: logging.LogRecord) -> str:
    """Everything a handler could write for this record."""
    parts = [record.getMessage(), repr(record.args), repr(getattr(record, "fields", None)),
             JSONFormatter().format(record)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    parts.extend(repr(v) for v in record.__dict__.values())
    return "\n".join(parts)


def assert_no_marker(records: list[logging.LogRecord]) -> None:
    leaks = [r.name for r in records if MARKER in rendered(r)]
    assert not leaks, f"note text reached the log via {leaks}"


class RaisingChecker:
    """A Checker stand-in whose failure message quotes the note, as a careless bug would."""

    def __init__(self, real: Checker) -> None:
        self.nlp = real.nlp  # the engine reads the string-store size after every check

    def check(self, text: str, context: Any = None, note_id: Any = None, budget_s: Any = None) -> Any:
        # The batch path checks note by note too; its ids tell the two apart here.
        if note_id == "in-batch":
            raise ValueError(f"batch failed on {text}")
        raise RuntimeError(f"could not check note: {text}")


def test_marker_never_logged_on_any_path(checker: Checker, records: Records) -> None:
    with TestClient(create_app(Settings(max_note_bytes=5000), checker_factory=lambda: checker)) as c:
        responses = [
            c.post("/v1/check", json={"text": MARKED, "note_id": "ok"}),  # success
            c.post("/v1/check/batch", json={"notes": [{"text": MARKED}, {"text": MARKED}]}),  # success
            c.post("/v1/check", json={"text": MARKED, "removal_date": "2026-02-30"}),  # bad date
            c.post("/v1/check", json={"text": MARKED, "billed_units": MARKER}),  # wrong type
            c.post("/v1/check", json={"text": f"{MARKER}\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"}),  # binary
            c.post("/v1/check", json={"text": [MARKED]}),  # text not a string
            c.post("/v1/check", json={"text": MARKED * 20}),  # note over the limit
            c.post("/v1/check", content=f'{{"text": "{MARKER}', headers={"content-type": "application/json"}),
            c.post("/v1/check", content=f'{{"text": "{MARKER}"}}', headers={"content-type": "text/plain"}),
            c.post("/v1/check", content=b'{"text": "' + MARKER.encode() * 4000 + b'"}',
                   headers={"content-type": "application/json"}),  # body over the limit
            c.post("/v1/check/batch", json={"notes": [{"text": MARKED}, {"text": MARKED, "index_related": "x"}]}),
            c.post("/v1/check/batch", json={"notes": [{"text": MARKED}] * 101}),
        ]
        statuses = [r.status_code for r in responses]
        assert statuses[:2] == [200, 200]
        assert all(400 <= s < 500 for s in statuses[2:]), statuses
        for r in responses[2:]:
            assert MARKER not in r.text

        # A bug whose exception message quotes the note: 500, and only the type is logged.
        engine = c.app.state.engine  # type: ignore[attr-defined]
        real = engine._checker
        engine._checker = RaisingChecker(real)
        try:
            failed = c.post("/v1/check", json={"text": MARKED})
            failed_batch = c.post("/v1/check/batch", json={"notes": [{"text": MARKED, "note_id": "in-batch"}]})
        finally:
            engine._checker = real
        assert failed.status_code == 500 and failed.json() == {"detail": "internal error"}
        assert failed_batch.status_code == 500 and MARKER not in failed_batch.text

    errors = [r for r in records.all() if r.name == "notecheck.service" and r.getMessage() == "unhandled error"]
    assert len(errors) >= 2
    assert {r.fields["error_type"] for r in errors} == {"RuntimeError", "ValueError"}  # type: ignore[attr-defined]
    access = [r for r in records.all() if r.name == ACCESS_LOGGER]
    assert len({r.fields["request_id"] for r in access}) == len(responses) + 2  # type: ignore[attr-defined]
    fields = access[0].fields  # type: ignore[attr-defined]
    assert set(fields) == {"request_id", "method", "path", "status", "request_bytes", "response_bytes", "duration_ms",
                           "worker"}
    assert fields["path"] == "/v1/check" and fields["request_bytes"] > len(NOTE)
    assert_no_marker(records.all())


def test_failed_load_logs_only_the_type(records: Records) -> None:
    def broken_factory() -> Checker:
        raise OSError(f"cannot read patterns for {MARKER}")

    with TestClient(create_app(Settings(ready_wait=5), checker_factory=broken_factory)) as c:
        assert c.post("/v1/check", json={"text": MARKED}).status_code == 503
    failures = [r for r in records.all() if r.getMessage() == "pipeline failed to load"]
    assert failures and failures[0].fields == {"error_type": "OSError"}  # type: ignore[attr-defined]
    assert_no_marker(records.all())


def test_scrubber_removes_exception_messages(records: Records) -> None:
    """Third-party code that logs an exception (uvicorn, asyncio) keeps its type and code
    locations in the record, not its message."""
    install_scrubbers()
    for name in ("uvicorn.error", "asyncio"):
        try:
            raise ValueError(f"bad input {MARKER}")
        except ValueError:
            logging.getLogger(name).exception("Exception in ASGI application")
    scrubbed = [r for r in records.all() if r.getMessage() == "Exception in ASGI application"]
    assert len(scrubbed) >= 2
    assert all(r.exc_info is None and r.fields["error_type"] == "ValueError" for r in scrubbed)  # type: ignore[attr-defined]
    assert_no_marker(records.all())
