"""Schema-driven fuzzing of the interchange routes (schemathesis, from the app's own OpenAPI):
never a 5xx; every FHIR answer (a DetectedIssue Bundle or an OperationOutcome) validates with
fhir.resources R4B; every /v1/hl7 answer with a body carries a parseable ACK."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

import hl7  # noqa: E402
from fhir.resources.R4B import get_fhir_model_class  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from notecheck.checker import Checker  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402

_CHECKER = Checker()
APP = create_app(Settings(max_note_bytes=20_000, ready_wait=30), checker_factory=lambda: _CHECKER)
APP.state.engine.start_loading()

schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex=r"^/v1/(hl7|fhir/check)$")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_interchange_routes(case: "schemathesis.Case") -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code)
    body = response.json()
    if case.path == "/v1/fhir/check":
        media = response.headers.get("content-type") or [""]
        if (media[0] if isinstance(media, list) else media).startswith("application/fhir+json"):
            get_fhir_model_class(body["resourceType"]).model_validate(body)
            if response.status_code >= 400:
                assert body["resourceType"] == "OperationOutcome"
        else:
            assert response.status_code in (200, 401, 413, 503) or "detail" in body
    elif "ack" in body:
        msa = hl7.parse(body["ack"]).segment("MSA")
        assert str(msa(1)) in ("AA", "AE", "AR")
        assert (str(msa(1)) == "AA") == (response.status_code == 200)
    else:
        assert "detail" in body
