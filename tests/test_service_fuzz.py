"""Schema-driven fuzzing: schemathesis generates requests from the service's own OpenAPI spec,
both valid ones and ones that break it (wrong types, missing fields, odd strings), and none may
get a 5xx. A small example budget keeps the run well under a minute."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from notecheck.checker import Checker  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402

# One Checker for the module, built once; schemathesis collects the operations at import time,
# so the app has to exist before any fixture does.
_CHECKER = Checker()
APP = create_app(Settings(max_note_bytes=20_000, max_batch=5, ready_wait=30), checker_factory=lambda: _CHECKER)
APP.state.engine.start_loading()

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible, not flaky
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: "schemathesis.Case") -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, repr(case.body)[:300])
    if response.status_code >= 400:
        body = response.json()
        # FHIR routes answer errors with an OperationOutcome (CONTRACT §6); all others with {"detail"}.
        assert "detail" in body or body.get("resourceType") == "OperationOutcome"
