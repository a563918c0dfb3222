"""The HTTP service (CONTRACT.md §5) through FastAPI's TestClient: every endpoint and error path,
auth, limits, headers, CORS, and the pipeline's load/recycle life cycle."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from notecheck.checker import Checker  # noqa: E402
from service.app import create_app  # noqa: E402
from service.auth import key_matches, presented_keys  # noqa: E402
from service.engine import Engine  # noqa: E402
from service.settings import Settings, SettingsError  # noqa: E402

NOTES = Path(__file__).resolve().parent.parent / "sample_notes"
NOTE = (NOTES / "hwr_024_right_index_p3_pin_patient_request.txt").read_text(encoding="utf-8")
SECOND = (NOTES / "hwr_001_left_ring_p1_kwires_staged.txt").read_text(encoding="utf-8")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def make_client(checker: Checker, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings), checker_factory=lambda: checker))


@pytest.fixture
def client(checker: Checker) -> Iterator[TestClient]:
    with make_client(checker) as c:
        yield c


def wait_ready(client: TestClient, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "pipeline never became ready"
        time.sleep(0.02)


def post_raw(client: TestClient, path: str, body: bytes, headers: Optional[dict[str, str]] = None) -> Any:
    return client.post(path, content=body, headers={"content-type": "application/json", **(headers or {})})


class TestCheck:
    def test_returns_a_contract_result(self, client: TestClient) -> None:
        """POST /v1/check answers with the §2 result, the claim context applied and note_id echoed."""
        r = client.post(
            "/v1/check",
            json={"text": NOTE, "note_id": "op-1", "removal_date": "2026-05-05", "billed_cpt": "20680",
                  "billed_modifiers": "RT"},
        )
        assert r.status_code == 200
        body = r.json()
        assert body["schema_version"] == "1"
        assert body["note_id"] == "op-1"
        assert body["procedure"]["suggested_cpt"] == "26320"
        assert {item["id"] for item in body["checklist"]} >= {"implant_type", "anatomic_location", "indication"}
        assert "billed_20680_for_hand" in {risk["id"] for risk in body["denial_risks"]}
        for item in body["checklist"]:
            for ev in item["evidence"]:
                assert NOTE[ev["start"]:ev["end"]] == ev["text"]

    def test_same_result_as_the_checker(self, client: TestClient, checker: Checker) -> None:
        """The service adds nothing and loses nothing: its JSON is the in-process result's."""
        r = client.post("/v1/check", json={"text": NOTE, "note_id": "x"})
        assert r.json() == json.loads(checker.check(NOTE, None, "x").model_dump_json())

    def test_modifiers_as_list_numeric_id_and_blank_fields(self, client: TestClient) -> None:
        """billed_modifiers may be a list; a numeric note_id is echoed as a string; "" means absent."""
        r = client.post(
            "/v1/check",
            json={"text": NOTE, "note_id": 42, "billed_modifiers": ["RT", "F6"], "removal_date": "",
                  "billed_units": "", "index_related": ""},
        )
        assert r.status_code == 200
        assert r.json()["note_id"] == "42"

    def test_unknown_fields_are_ignored(self, client: TestClient) -> None:
        r = client.post("/v1/check", json={"text": NOTE, "dictation_tool": "X", "patient": {"mrn": 1}})
        assert r.status_code == 200

    def test_global_period_uses_dates(self, client: TestClient) -> None:
        """Claim dates reach the coding engine (58/78/79 need them)."""
        ctx = {"removal_date": "2026-05-05", "index_surgery_date": "2026-04-20", "index_related": True}
        with_dates = client.post("/v1/check", json={"text": SECOND, **ctx}).json()
        without = client.post("/v1/check", json={"text": SECOND}).json()
        assert with_dates["modifiers"] != without["modifiers"] or with_dates["checklist"] != without["checklist"]


class TestBadInput:
    """Every bad input is a 4xx JSON {"detail": ...}; none echoes the note."""

    @pytest.mark.parametrize(
        "payload",
        [{}, {"note_id": "a"}, {"text": None}],
        ids=["empty-object", "no-text", "null-text"],
    )
    def test_missing_text_422(self, client: TestClient, payload: dict[str, Any]) -> None:
        r = client.post("/v1/check", json=payload)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "text"]

    @pytest.mark.parametrize("text", ["", "   ", "\n\t\n"], ids=["empty", "spaces", "whitespace"])
    def test_blank_text_422(self, client: TestClient, text: str) -> None:
        r = client.post("/v1/check", json={"text": text})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "text"]

    def test_binary_text_422(self, client: TestClient) -> None:
        r = client.post("/v1/check", json={"text": "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 5})
        assert r.status_code == 422
        assert r.json()["detail"] == [{"type": "value_error", "loc": ["body", "text"],
                                       "msg": "note looks binary (control characters), not text"}]

    def test_binary_note_in_batch_is_located(self, client: TestClient) -> None:
        r = client.post("/v1/check/batch", json={"notes": [{"text": NOTE}, {"text": "\x01\x02\x03" * 20}]})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "notes", 1, "text"]

    def test_lone_surrogate_422(self, client: TestClient) -> None:
        r = post_raw(client, "/v1/check", b'{"text": "K-wire removed \\ud800 left ring finger"}')
        assert r.status_code == 422

    @pytest.mark.parametrize(
        "body",
        [b"{", b'{"text": "a"', b"not json", b'{"text": "x",}', b"\xff\xfe\x00"],
        ids=["open-brace", "unterminated", "bare-word", "trailing-comma", "not-utf8"],
    )
    def test_malformed_json_422(self, client: TestClient, body: bytes) -> None:
        r = post_raw(client, "/v1/check", body)
        assert r.status_code == 422
        assert "detail" in r.json()

    @pytest.mark.parametrize("body", [b"[]", b'"a note"', b"42", b"null"], ids=["list", "string", "number", "null"])
    def test_body_not_an_object_422(self, client: TestClient, body: bytes) -> None:
        r = post_raw(client, "/v1/check", body)
        assert r.status_code == 422

    def test_empty_body_422(self, client: TestClient) -> None:
        assert post_raw(client, "/v1/check", b"").status_code == 422

    def test_wrong_content_type_422(self, client: TestClient) -> None:
        """JSON is required as JSON: a text/plain post (a cross-site form can send one) is refused."""
        r = client.post("/v1/check", content=json.dumps({"text": NOTE}), headers={"content-type": "text/plain"})
        assert r.status_code == 422

    @pytest.mark.parametrize(
        "field,value",
        [
            ("text", 123),
            ("text", ["a", "b"]),
            ("text", {"a": 1}),
            ("note_id", ["x"]),
            ("billed_units", "two"),
            ("billed_units", 2.5),
            ("billed_units", -1),
            ("billed_units", 1000),
            ("index_related", "maybe"),
            ("billed_modifiers", 7),
            ("billed_modifiers", ["LT"] * 21),
            ("index_cpt", "2" * 40),
        ],
    )
    def test_wrong_types_422(self, client: TestClient, field: str, value: Any) -> None:
        payload = {"text": NOTE, field: value}
        r = client.post("/v1/check", json=payload)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][:2] == ["body", field]

    @pytest.mark.parametrize(
        "field,value",
        [
            ("removal_date", "2026-13-01"),
            ("removal_date", "2026-02-30"),
            ("removal_date", "yesterday"),
            ("index_surgery_date", "05/05/2026"),
            ("index_surgery_date", "2026-5-5x"),
        ],
    )
    def test_bad_dates_422(self, client: TestClient, field: str, value: str) -> None:
        r = client.post("/v1/check", json={"text": NOTE, field: value})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", field]

    def test_errors_never_echo_the_note(self, client: TestClient) -> None:
        """pydantic puts the offending input in its errors; the service strips it."""
        marker = "ZEBRAQUUX"
        for payload in (
            {"text": f"{marker} removal", "removal_date": "bad"},
            {"text": f"{marker} removal", "billed_units": marker},
            {"text": [marker]},
            {"text": f"{marker}\x01\x02\x03\x04\x05\x06\x07\x08\x0e"},
        ):
            r = client.post("/v1/check", json=payload)
            assert r.status_code == 422
            assert marker not in r.text
            assert all(set(d) == {"type", "loc", "msg"} for d in r.json()["detail"])

    def test_oversized_note_413(self, checker: Checker) -> None:
        """A note over NOTECHECK_MAX_NOTE_BYTES is 413, whether the body limit or the note limit
        catches it first."""
        with make_client(checker, max_note_bytes=2000) as c:
            assert c.post("/v1/check", json={"text": "K-wire removed. " * 100}).status_code == 200
            r = c.post("/v1/check", json={"text": "é" * 1500})  # 1,500 chars, 3,000 bytes
            assert r.status_code == 413
            assert "3,000 bytes" in r.json()["detail"]
            r = c.post("/v1/check", json={"text": "x" * 100_000})
            assert r.status_code == 413
            assert "detail" in r.json()

    def test_oversized_body_rejected_by_content_length(self, checker: Checker) -> None:
        with make_client(checker, max_note_bytes=1000) as c:
            r = post_raw(c, "/v1/check", b'{"text": "' + b"a" * 200_000 + b'"}')
            assert r.status_code == 413
            assert r.json()["detail"].startswith("request body is over")

    def test_oversized_streamed_body_413(self, checker: Checker) -> None:
        """A chunked upload (no Content-Length) is counted as it streams and cut off at the limit."""
        sent = {"chunks": 0}

        def chunks() -> Iterator[bytes]:
            yield b'{"text": "'
            for _ in range(1000):
                sent["chunks"] += 1
                yield b"a" * 1000
            yield b'"}'

        with make_client(checker, max_note_bytes=1000) as c:
            r = c.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
            assert r.status_code == 413

    def test_default_limit_is_one_megabyte(self, client: TestClient) -> None:
        r = client.post("/v1/check", json={"text": "a" * 1_000_001})
        assert r.status_code == 413

    def test_wrong_method_and_unknown_path(self, client: TestClient) -> None:
        assert client.get("/v1/check").status_code == 405
        assert client.get("/v1/nothing").status_code == 404
        assert client.get("/v1/nothing").json() == {"detail": "Not Found"}

    def test_a_checker_bug_is_a_bare_500(self, checker: Checker, monkeypatch: pytest.MonkeyPatch) -> None:
        """Only a true bug gives 500, as JSON without details."""
        with make_client(checker) as c:
            wait_ready(c)
            engine = c.app.state.engine  # type: ignore[attr-defined]
            broken = Checker.__new__(Checker)
            monkeypatch.setattr(engine, "_checker", broken)
            r = c.post("/v1/check", json={"text": NOTE})
            assert r.status_code == 500
            assert r.json() == {"detail": "internal error"}


class TestBatch:
    def test_results_in_request_order(self, client: TestClient) -> None:
        notes = [{"text": NOTE if i % 2 else SECOND, "note_id": f"n{i}"} for i in range(7)]
        r = client.post("/v1/check/batch", json={"notes": notes})
        assert r.status_code == 200
        results = r.json()["results"]
        assert [res["note_id"] for res in results] == [f"n{i}" for i in range(7)]
        single = client.post("/v1/check", json=notes[1]).json()
        assert results[1] == single

    def test_context_per_note(self, client: TestClient) -> None:
        r = client.post(
            "/v1/check/batch",
            json={"notes": [{"text": NOTE, "billed_cpt": "20680"}, {"text": NOTE, "billed_cpt": "26320"}]},
        )
        first, second = r.json()["results"]
        assert "billed_20680_for_hand" in {x["id"] for x in first["denial_risks"]}
        assert "billed_20680_for_hand" not in {x["id"] for x in second["denial_risks"]}

    def test_empty_batch(self, client: TestClient) -> None:
        assert client.post("/v1/check/batch", json={"notes": []}).json() == {"results": []}

    def test_over_the_note_limit_413(self, checker: Checker) -> None:
        with make_client(checker, max_batch=3) as c:
            assert c.post("/v1/check/batch", json={"notes": [{"text": NOTE}] * 3}).status_code == 200
            r = c.post("/v1/check/batch", json={"notes": [{"text": NOTE}] * 4})
            assert r.status_code == 413
            assert "over the limit of 3" in r.json()["detail"]

    def test_default_batch_limit_is_100(self, client: TestClient) -> None:
        r = client.post("/v1/check/batch", json={"notes": [{"text": "x"}] * 101})
        assert r.status_code == 413

    def test_oversized_note_in_batch_413(self, checker: Checker) -> None:
        with make_client(checker, max_note_bytes=1000) as c:
            r = c.post("/v1/check/batch", json={"notes": [{"text": NOTE[:500]}, {"text": "b" * 1001}]})
            assert r.status_code == 413
            assert r.json()["detail"].startswith("notes[1]")

    def test_oversized_batch_body_413(self, checker: Checker) -> None:
        with make_client(checker, max_batch_bytes=10_000) as c:
            r = c.post("/v1/check/batch", json={"notes": [{"text": NOTE}] * 30})
            assert r.status_code == 413

    @pytest.mark.parametrize(
        "payload",
        [{}, {"notes": "x"}, {"notes": [{"note_id": "a"}]}, {"notes": [{"text": NOTE}, {"text": " "}]},
         {"notes": [{"text": NOTE, "removal_date": "2026-02-31"}]}],
        ids=["no-notes", "not-a-list", "note-without-text", "blank-second-note", "bad-date"],
    )
    def test_bad_batches_422(self, client: TestClient, payload: dict[str, Any]) -> None:
        r = client.post("/v1/check/batch", json=payload)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][0] == "body"

    def test_bad_note_is_located(self, client: TestClient) -> None:
        r = client.post("/v1/check/batch", json={"notes": [{"text": NOTE}, {"text": NOTE, "billed_units": "x"}]})
        assert r.json()["detail"][0]["loc"] == ["body", "notes", 1, "billed_units"]


class TestOtherEndpoints:
    def test_checklist(self, client: TestClient) -> None:
        r = client.get("/v1/checklist")
        assert r.status_code == 200
        body = r.json()
        ids = [item["id"] for item in body["items"]]
        assert {"implant_type", "anatomic_location", "indication", "approach", "planned_status",
                "modifier_22_support"} <= set(ids)
        assert all(item["description"] and item["title"] for item in body["items"])
        assert 0 <= body["ready_threshold"] <= 100

    def test_healthz_answers_before_the_pipeline_loads(self) -> None:
        """/healthz is 200 at once; /readyz and /v1/check are 503 until the load finishes."""
        import threading

        release = threading.Event()

        def slow_factory() -> Checker:
            release.wait(10)
            raise RuntimeError("no pipeline in this test")

        app = create_app(Settings(ready_wait=0.2), checker_factory=slow_factory)
        with TestClient(app) as c:
            assert c.get("/healthz").json()["status"] == "ok"
            r = c.get("/readyz")
            assert r.status_code == 503 and r.json()["status"] == "loading"
            r = c.post("/v1/check", json={"text": NOTE})
            assert r.status_code == 503 and r.json() == {"detail": "pipeline is still loading"}
            assert r.headers["retry-after"] == "1"
            release.set()
            deadline = time.monotonic() + 5
            while c.get("/readyz").json()["status"] == "loading":
                assert time.monotonic() < deadline
                time.sleep(0.02)
            assert c.get("/readyz").json()["status"] == "failed"
            assert c.post("/v1/check", json={"text": NOTE}).json() == {"detail": "pipeline failed to load"}

    def test_readyz_after_load(self, client: TestClient) -> None:
        wait_ready(client)
        body = client.get("/readyz").json()
        assert body["status"] == "ready" and body["generation"] == 1

    def test_requests_wait_for_a_loading_pipeline(self, checker: Checker) -> None:
        """A request that arrives during the load waits for it (up to NOTECHECK_READY_WAIT) instead
        of failing: with several workers, one may be ready while another is still loading."""

        def slow_factory() -> Checker:
            time.sleep(0.5)
            return checker

        with TestClient(create_app(Settings(), checker_factory=slow_factory)) as c:
            assert c.post("/v1/check", json={"text": NOTE}).status_code == 200

    def test_openapi_docs_with_examples(self, client: TestClient) -> None:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        assert {"/v1/check", "/v1/check/batch", "/v1/checklist", "/healthz", "/readyz"} <= set(spec["paths"])
        check = spec["paths"]["/v1/check"]["post"]
        assert check["responses"]["200"]["content"]["application/json"]["example"]["procedure"]
        for code in ("401", "413", "422"):
            assert code in check["responses"]
        request_schema = spec["components"]["schemas"]["CheckRequest"]
        assert request_schema["examples"][0]["text"]
        assert {"bearer" if s.get("scheme") == "bearer" else s.get("name") for s in
                spec["components"]["securitySchemes"].values()} == {"bearer", "X-API-Key"}
        assert check["security"] == [{"bearer": []}, {"apiKey": []}]
        assert "security" not in spec["paths"]["/healthz"]["get"]


class TestHtmlView:
    """The HTML variant of POST /v1/check: the engine's view of the note, nothing else."""

    HOSTILE = ('PROCEDURE: Removal of <script>alert(1)</script> two K-wires "quoted" & \'single\',\r\n'
               "left ring finger 🖐🏽 proximal phalanx.\r\nThe K-wires were removed intact. <img src=x onerror=alert(2)>")

    def test_the_fragment_is_what_the_engine_renders(self, client: TestClient, checker: Checker) -> None:
        from notecheck.models import ClaimContext
        from notecheck.render_html import checklist_descriptions, render_view

        ctx = {"note_id": "op-1", "removal_date": "2026-03-02", "index_surgery_date": "2026-02-02"}
        r = client.post("/v1/check?format=html", json={"text": SECOND, **ctx})
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
        result = checker.check(SECOND, ClaimContext(**ctx), "op-1")
        assert r.text == render_view(result, SECOND, checklist_descriptions(checker))
        assert r.text.startswith(
            f'<div class="nc-view" data-ready="{str(result.ready_to_sign).lower()}" data-score="{result.score}"')
        assert f'data-cpt="{result.procedure.suggested_cpt}"' in r.text

    def test_a_hostile_note_stays_text(self, client: TestClient) -> None:
        r = client.post("/v1/check", json={"text": self.HOSTILE}, headers={"accept": "text/html"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        body = r.text
        assert "<script" not in body and "<img" not in body and "\r" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&quot;quoted&quot; &amp; &#x27;single&#x27;" in body
        assert "🖐🏽" in body and "&#13;\n" in body

    @pytest.mark.parametrize(
        "query, accept, html",
        [
            ("", None, False),
            ("", "*/*", False),
            ("", "application/json", False),
            ("", "text/html", True),
            ("", "text/html, application/json;q=0.9", True),
            ("", "text/*", True),
            ("", "text/html;q=0.5, application/json", False),
            ("", "application/json, text/html", False),
            ("", "text/html;q=0", False),
            ("?format=html", "application/json", True),
            ("?format=json", "text/html", False),
        ],
    )
    def test_format_and_accept(self, client: TestClient, query: str, accept: Optional[str], html: bool) -> None:
        headers = {"accept": accept} if accept else {}
        r = client.post(f"/v1/check{query}", json={"text": NOTE}, headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html" if html else "application/json")

    def test_errors_stay_json(self, client: TestClient) -> None:
        r = client.post("/v1/check?format=html", json={"text": "  "})
        assert r.status_code == 422 and r.json()["detail"]
        r = client.post("/v1/check?format=xml", json={"text": NOTE})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "format"]

    def test_documented_as_an_extension(self, client: TestClient) -> None:
        check = client.get("/openapi.json").json()["paths"]["/v1/check"]["post"]
        assert set(check["responses"]["200"]["content"]) == {"application/json", "text/html"}
        param = next(p for p in check["parameters"] if p["name"] == "format")
        assert param["in"] == "query" and "html" in json.dumps(param["schema"])


class TestAuth:
    KEY = "s3cret-key-for-tests"

    @pytest.fixture
    def keyed(self, checker: Checker) -> Iterator[TestClient]:
        with make_client(checker, api_key=self.KEY) as c:
            yield c

    def test_no_key_configured_means_open(self, client: TestClient) -> None:
        assert client.post("/v1/check", json={"text": NOTE}).status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": KEY},
         {"Authorization": f"Basic {KEY}"}, {"Authorization": "Bearer "}, {"X-API-Key": ""},
         {"X-API-Key": KEY[:-1]}, {"Api-Key": KEY}],
        ids=["none", "bad-bearer", "bad-x-api-key", "no-scheme", "basic", "empty-bearer", "empty-x-api-key",
             "prefix", "wrong-header"],
    )
    def test_401_without_the_key(self, keyed: TestClient, headers: dict[str, str]) -> None:
        for path, payload in (("/v1/check", {"text": NOTE}), ("/v1/check/batch", {"notes": []})):
            r = keyed.post(path, json=payload, headers=headers)
            assert r.status_code == 401
            assert r.json() == {"detail": "missing or invalid API key"}
            assert r.headers["www-authenticate"].startswith("Bearer")
        assert keyed.get("/v1/checklist", headers=headers).status_code == 401

    @pytest.mark.parametrize(
        "headers",
        [{"Authorization": f"Bearer {KEY}"}, {"authorization": f"bearer {KEY}"}, {"X-API-Key": KEY},
         {"Authorization": "Bearer wrong", "X-API-Key": KEY}],
        ids=["bearer", "lowercase-bearer", "x-api-key", "bad-bearer-good-x-api-key"],
    )
    def test_either_header_form(self, keyed: TestClient, headers: dict[str, str]) -> None:
        assert keyed.post("/v1/check", json={"text": NOTE}, headers=headers).status_code == 200
        assert keyed.get("/v1/checklist", headers=headers).status_code == 200

    def test_auth_comes_before_the_body(self, keyed: TestClient) -> None:
        """Without the key, even malformed or oversized bodies get 401: nothing is read first."""
        assert post_raw(keyed, "/v1/check", b"{").status_code == 401
        assert post_raw(keyed, "/v1/check", b'{"text": "' + b"a" * 3_000_000 + b'"}').status_code == 401

    def test_only_v1_is_protected(self, keyed: TestClient) -> None:
        for path in ("/healthz", "/readyz", "/docs", "/openapi.json", "/"):
            assert keyed.get(path).status_code in (200, 503), path

    def test_helpers(self) -> None:
        assert presented_keys({b"authorization": b"Bearer  abc "}) == [b"abc"]
        assert presented_keys({b"x-api-key": b"abc", b"authorization": b"Bearer x"}) == [b"x", b"abc"]
        assert presented_keys({b"authorization": b"Token abc"}) == []
        assert key_matches([b"abc"], b"abc") and key_matches([b"x", b"abc"], b"abc")
        assert not key_matches([b"abd"], b"abc") and not key_matches([], b"abc")


class TestPageAndHeaders:
    PAGE_HEADERS = {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
    }

    def test_page_has_security_headers(self, client: TestClient) -> None:
        r = client.get("/")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        for name, value in self.PAGE_HEADERS.items():
            assert r.headers[name] == value

    def test_placeholder_when_the_page_is_absent(self, checker: Checker, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
        import service.app as app_module

        monkeypatch.setattr(app_module, "STATIC_DIR", tmp_path / "missing")
        with make_client(checker) as c:
            r = c.get("/")
            assert r.status_code == 200 and "notecheck" in r.text
            assert r.headers["x-frame-options"] == "DENY"
            assert c.get("/static/app.js").status_code == 404

    def test_static_assets(self, client: TestClient) -> None:
        from service.app import STATIC_DIR

        for name in ("app.js", "app.css"):
            if (STATIC_DIR / name).is_file():
                r = client.get(f"/static/{name}")
                assert r.status_code == 200
                assert r.headers["x-content-type-options"] == "nosniff"
        # The view's stylesheet and script come from the engine's package, the files
        # `notecheck check --format html` inlines.
        from notecheck.render_html import view_css, view_script

        for name, body in (("view.css", view_css()), ("view.js", view_script())):
            r = client.get(f"/static/view/{name}")
            assert r.status_code == 200 and r.text == body
            assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert client.get("/static/view/../render_html.py").status_code == 404
        assert client.get("/static/../app.py").status_code == 404

    def test_docs_headers(self, client: TestClient) -> None:
        r = client.get("/docs")
        assert r.headers["x-frame-options"] == "DENY"
        # Swagger UI comes from the package: scripts from this server only, no CDN, no inline script.
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "http" not in csp and "unsafe-eval" not in csp

    def test_api_responses_nosniff_and_request_id(self, client: TestClient) -> None:
        r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-request-id"] == "abc-123"
        r = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
        assert len(r.headers["x-request-id"]) == 32


class TestCors:
    ORIGIN = "https://scribe.example.org"

    def test_off_by_default(self, client: TestClient) -> None:
        r = client.get("/v1/checklist", headers={"Origin": self.ORIGIN})
        assert "access-control-allow-origin" not in r.headers
        r = client.options("/v1/check", headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers

    def test_allow_list(self, checker: Checker) -> None:
        with make_client(checker, cors_origins=self.ORIGIN, api_key="k") as c:
            pre = c.options(
                "/v1/check",
                headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "POST",
                         "Access-Control-Request-Headers": "authorization,content-type"},
            )
            assert pre.status_code == 200
            assert pre.headers["access-control-allow-origin"] == self.ORIGIN
            r = c.post("/v1/check", json={"text": NOTE}, headers={"Origin": self.ORIGIN, "X-API-Key": "k"})
            assert r.headers["access-control-allow-origin"] == self.ORIGIN
            other = c.post("/v1/check", json={"text": NOTE},
                           headers={"Origin": "https://evil.example", "X-API-Key": "k"})
            assert "access-control-allow-origin" not in other.headers


class TestSettings:
    def test_defaults(self) -> None:
        s = Settings.from_env({})
        assert (s.api_key, s.max_note_bytes, s.max_batch, s.cors_origins, s.check_workers) == (
            None, 1_000_000, 100, (), 1)

    def test_from_env(self) -> None:
        s = Settings.from_env({
            "NOTECHECK_API_KEY": "k", "NOTECHECK_MAX_NOTE_BYTES": "5000", "NOTECHECK_MAX_BATCH": "7",
            "NOTECHECK_CORS_ORIGINS": "https://a.example, http://localhost:3000/", "NOTECHECK_CHECK_WORKERS": "2",
        })
        assert s.api_key == "k" and s.max_note_bytes == 5000 and s.max_batch == 7 and s.check_workers == 2
        assert s.cors_origins == ("https://a.example", "http://localhost:3000")

    @pytest.mark.parametrize(
        "env",
        [{"NOTECHECK_MAX_BATCH": "lots"}, {"NOTECHECK_MAX_NOTE_BYTES": "0"}, {"NOTECHECK_CORS_ORIGINS": "*"},
         {"NOTECHECK_CHECK_WORKERS": "-1"}],
    )
    def test_bad_values_name_the_variable(self, env: dict[str, str]) -> None:
        with pytest.raises(SettingsError, match=next(iter(env))):
            Settings.from_env(env)

    @pytest.mark.parametrize("value", ["", "  ", "\n", " \t\r\n"])
    def test_blank_key_refuses_to_start(self, value: str) -> None:
        """Set but blank (an empty secret file) is a mistake, not a wish for an open service."""
        with pytest.raises(SettingsError, match=r"^bad NOTECHECK_API_KEY: blank after trimming whitespace"):
            Settings.from_env({"NOTECHECK_API_KEY": value})

    @pytest.mark.parametrize("value", ["k3y\n", " k3y", "k3y \r\n", "\tk3y\t"])
    def test_key_is_trimmed(self, checker: Checker, value: str) -> None:
        """A key read from a file keeps its newline; clients never send it. Before: every request
        got 401. After: the trimmed key is the key."""
        settings = Settings.from_env({"NOTECHECK_API_KEY": value})
        assert settings.api_key == "k3y"
        with TestClient(create_app(settings, checker_factory=lambda: checker)) as c:
            assert c.post("/v1/check", json={"text": NOTE}, headers={"X-API-Key": "k3y"}).status_code == 200
            assert c.post("/v1/check", json={"text": NOTE}, headers={"X-API-Key": "k3"}).status_code == 401

    def test_note_limit_above_the_checker_limit_refuses_to_start(self) -> None:
        """The checker takes notes of at most the reader's limit: a larger setting would be capped
        silently (a 422 for a note the service promised to take), so it is refused."""
        from notecheck.reader import DEFAULT_MAX_BYTES

        assert Settings.from_env({"NOTECHECK_MAX_NOTE_BYTES": str(DEFAULT_MAX_BYTES)}).max_note_bytes == DEFAULT_MAX_BYTES
        with pytest.raises(SettingsError, match=r"^bad NOTECHECK_MAX_NOTE_BYTES: at most 1,000,000"):
            Settings.from_env({"NOTECHECK_MAX_NOTE_BYTES": str(DEFAULT_MAX_BYTES + 1)})


class TestRecycling:
    def test_rebuilds_after_the_string_store_grows(self, checker: Checker) -> None:
        """Distinct notes grow the StringStore; past the threshold a fresh Checker is swapped in and
        the old one is released."""
        import asyncio
        import gc
        import weakref

        builds: list[Checker] = []

        def factory() -> Checker:
            fresh = Checker()
            builds.append(fresh)
            return fresh

        engine = Engine(recycle_strings=300, factory=factory)
        engine.start_loading()

        async def run() -> None:
            await engine.wait_ready(30)
            for i in range(120):  # ~4-6 new strings a note; the threshold is 300
                text = f"{NOTE}\nAddendum: ref zq{i}a{i * 7919} code {i}x{i * 31} word{i}k{i * 3}."
                await engine.check(text, None, f"n{i}")

        asyncio.run(run())
        deadline = time.monotonic() + 30
        while engine.generation < 2 or engine._recycling:
            assert time.monotonic() < deadline, "no recycle happened"
            time.sleep(0.05)
        assert engine.checker is builds[-1] and len(builds) >= 2
        first = weakref.ref(builds.pop(0))
        # The Checker sits in reference cycles, so only the cycle collector frees it; and
        # gc.collect() returns at once, collecting nothing, while another thread's collection
        # is under way (an automatic one, or the recycle's own). So collect until it is freed,
        # within a bound: a Checker still referenced stays alive through every collection.
        deadline = time.monotonic() + 10
        while first() is not None and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.02)
        assert first() is None, "the retired Checker is still referenced"
        assert engine.notes_checked == 120
        engine.close()

    def test_concurrent_checks_queue_on_the_check_thread(self, checker: Checker) -> None:
        """Checks submitted together run one after another on the check thread, each answered with
        its own result."""
        import asyncio

        engine = Engine(factory=lambda: checker)
        engine.start_loading()

        async def run() -> list[Optional[str]]:
            await engine.wait_ready(10)
            results = await asyncio.gather(*(engine.check(NOTE, None, str(i)) for i in range(5)))
            return [r.note_id for r in results]

        assert asyncio.run(run()) == [str(i) for i in range(5)]
        assert engine.notes_checked == 5
        engine.close()


class TestServeFunction:
    """service.run.serve hands uvicorn the service's defaults (without starting a server)."""

    @pytest.fixture
    def captured(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        import logging.config

        import uvicorn

        import service.run

        calls: dict[str, Any] = {}
        monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(app=app, **kwargs))

        class FakeSupervisor:
            def __init__(self, host: str, port: int, workers: int, uvicorn_kwargs: dict[str, Any],
                         log_config: dict[str, Any], shutdown_timeout: float) -> None:
                calls.update(supervisor=True, host=host, port=port, workers=workers, **uvicorn_kwargs)
                assert shutdown_timeout == uvicorn_kwargs["timeout_graceful_shutdown"]

            def run(self) -> int:
                return 0

        monkeypatch.setattr(service.run, "Supervisor", FakeSupervisor)
        # serve() installs its JSON logging for the process; keep this test process's logging as is.
        monkeypatch.setattr(logging.config, "dictConfig", lambda config: calls.update(dict_config=config))
        for name in ("NOTECHECK_CHECK_WORKERS", "NOTECHECK_SHUTDOWN_TIMEOUT", "NOTECHECK_API_KEY"):
            monkeypatch.delenv(name, raising=False)
        return calls

    def test_defaults(self, captured: dict[str, Any]) -> None:
        from service.run import serve

        assert serve() == 0
        assert captured["app"] == "service.app:create_app" and captured["factory"] is True
        assert captured["host"] == "127.0.0.1" and captured["port"] == 8000 and captured["workers"] == 1
        assert captured["access_log"] is False
        assert captured["timeout_graceful_shutdown"] == 30.0
        assert captured["log_config"] is captured["dict_config"]

    def test_workers_from_flag_or_environment(self, captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
        from service.run import serve
        from service.supervisor import reuse_port_supported

        monkeypatch.setenv("NOTECHECK_CHECK_WORKERS", "3")
        monkeypatch.setenv("NOTECHECK_SHUTDOWN_TIMEOUT", "5")
        serve("127.0.0.1", 9000, 1)
        assert captured["workers"] == 3 and captured["timeout_graceful_shutdown"] == 5.0
        # Several workers run under the SO_REUSEPORT supervisor where the OS has it.
        assert captured.get("supervisor", False) is reuse_port_supported()
        serve("127.0.0.1", 9000, 2)
        assert captured["workers"] == 2

    def test_bad_environment(self, captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
        from service.run import serve

        monkeypatch.setenv("NOTECHECK_CHECK_WORKERS", "zero")
        assert serve() == 2
        assert capsys.readouterr().err.startswith("notecheck: error: bad NOTECHECK_CHECK_WORKERS")
        assert not captured

    def test_warns_when_exposed_without_a_key(self, captured: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
        from service.run import serve

        with caplog.at_level(logging.WARNING, logger="notecheck.service"):
            serve("0.0.0.0", 8000, 1)
        assert any("without NOTECHECK_API_KEY" in r.getMessage() for r in caplog.records)
