"""The FastAPI app (CONTRACT.md §5): `create_app(settings)` builds one; `uvicorn --factory
service.app:create_app` (what `notecheck serve` runs) builds it from the environment.

Request path, outside in: access log -> catch-all 500 (and 503 for a request cut off by
shutdown) -> security headers -> CORS (only with an allow-list) -> API key (/v1/ only) ->
body-size limit and read timeout -> FastAPI (validation, routes). Checking runs on the Engine's
thread under a time budget, never on the event loop; the batch body is parsed on a worker thread
with its note count capped first (service.body).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional, Union

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

import notecheck
from notecheck.budget import CheckTimeout
from notecheck.checker import Checker
from notecheck.explain.models import ExplainedResult
from notecheck.models import Result
from notecheck.reader import NoteInputError
from notecheck.registry import load_registry, registry_dir
from notecheck.rules import rules_fingerprint
from service.auth import APIKeyMiddleware, document_security
from service.body import BodyError, json_error_detail, parse_batch
from service.disconnect import CLIENT_CLOSED_REQUEST, unless_disconnected
from service.docs import docs_router
from service.engine import BatchNoteError, Engine, NotReady
from service.html_view import FORMAT_DESCRIPTION, HTML_RESPONSE_DOC, OutputFormat, html_response, wants_html
from service.interchange_routes import router as interchange_router
from service.logging_ import AccessLogMiddleware, install_scrubbers
from service.middleware import BodyLimitMiddleware, CatchAllMiddleware, SecurityHeadersMiddleware
from service.models import (
    ERROR_RESPONSES,
    RESULT_EXAMPLE,
    BatchRequest,
    BatchResponse,
    ChecklistItemInfo,
    ChecklistResponse,
    CheckRequest,
    HealthResponse,
    ReadyResponse,
)
from service.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
# The scribe view's own stylesheet and script, shipped with the engine (notecheck/static/): the
# page links them here, so it looks and behaves as `notecheck check --format html` does.
VIEW_STATIC_DIR = Path(notecheck.__file__).parent / "static"
BATCH_PATH = "/v1/check/batch"

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>notecheck</title></head>
<body><h1>notecheck</h1>
<p>The scribe page is not installed. The API is at <a href="/docs">/docs</a>.</p>
</body></html>
"""

DESCRIPTION = """
Checks hand-surgery operative notes for CPT 26320 (removal of implant, finger or hand):
documentation checklist, suggested code, modifiers, ICD-10 and denial risks.

**Authentication.** When the server has `NOTECHECK_API_KEY` set, every `/v1/` request carries it as
`Authorization: Bearer <key>` or `X-API-Key: <key>`; otherwise it gets 401.

**Limits.** A note is at most `NOTECHECK_MAX_NOTE_BYTES` UTF-8 bytes (default 1,000,000) and a
batch at most `NOTECHECK_MAX_BATCH` notes (default 100); over either limit, or over the body limit,
the answer is **413**. Malformed JSON, missing or blank `text`, wrong types and bad dates get
**422**. Every error body is JSON `{"detail": ...}` and never repeats the note. Unknown fields are
ignored. Requests must be sent as `Content-Type: application/json`.

**HTML.** `POST /v1/check?format=html` (or `Accept: text/html` preferred over JSON) answers with
the scribe's view of the note, a `text/html` fragment from the engine's renderer, instead of the
JSON result; errors stay JSON.

**Time.** A note has `NOTECHECK_CHECK_BUDGET_S` seconds (default 10) to be checked, a whole batch
`NOTECHECK_BATCH_BUDGET_S` (default 60); past that the answer is **503** with a JSON detail. A
body not received within `NOTECHECK_BODY_TIMEOUT` seconds (default 60) gets **408**.
"""

EXPLAIN_DESCRIPTION = (
    "Add an `explanation` field (schema `Explanation`; the whole answer is an `ExplainedResult`): for every field, each rule match kept or dropped and "
    "why (rule ids, ConText triggers, sections, suppressors), and why the code, modifiers and planned status "
    "came out as they did. It quotes the note; it is returned to the caller only and never logged."
)

BATCH_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}},
}


def _note_too_large(text: str, limit: int) -> Optional[int]:
    """The note's UTF-8 size when it is over `limit`, else None."""
    if len(text) * 4 <= limit:  # no UTF-8 character is longer than 4 bytes
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def _validation_detail(errors: Any) -> list[dict[str, Any]]:
    # pydantic puts the offending value in `input` (for `text`, the whole note) and sometimes in
    # `ctx`; keep only where and what.
    return [
        {"type": e.get("type", "value_error"), "loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors
    ]


def _note_rejected(loc: list[Union[str, int]], exc: NoteInputError) -> JSONResponse:
    """422 shaped like a validation error, for what the checker's own input check refuses."""
    return JSONResponse({"detail": [{"type": "value_error", "loc": loc, "msg": str(exc)}]}, status_code=422)


def create_app(settings: Optional[Settings] = None, checker_factory: Optional[Callable[[], Checker]] = None) -> FastAPI:
    """Build the app. `settings` defaults to the environment; `checker_factory` builds the
    Checker at start-up and at each recycle (default: one on `settings.rules_dir`; tests pass a
    shared one to save the load)."""
    settings = settings or Settings.from_env()
    rules_dir = settings.rules_dir
    if checker_factory is None:
        def checker_factory() -> Checker:
            return Checker(rules_dir)
    # The rules' version is a hash of the files, cheap enough for /healthz before the pipeline loads.
    rules_version = rules_fingerprint(registry_dir(rules_dir))
    install_scrubbers()
    engine = Engine(
        threads=settings.check_threads,
        recycle_strings=settings.recycle_strings,
        recycle_notes=settings.recycle_notes,
        factory=checker_factory,
        budget_s=settings.check_budget_s,
        batch_budget_s=settings.batch_budget_s,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Loading runs on its own thread: the server accepts connections and /healthz answers at
        # once, /readyz turns 200 when the pipeline is in.
        engine.start_loading()
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="notecheck",
        version="1",
        summary="CPT 26320 operative-note checker",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # service.docs serves /docs from the installed Swagger UI, not a CDN
        redoc_url=None,  # one documentation page (/docs) to keep a CSP for
    )
    app.state.settings = settings
    app.state.engine = engine

    async def ensure_ready() -> None:
        await engine.wait_ready(settings.ready_wait)  # NotReady -> 503 (handler below)

    api = APIRouter(
        prefix="/v1",
        tags=["check"],
        responses={401: ERROR_RESPONSES[401]},
    )

    @api.post(
        "/check",
        response_model=Result,
        summary="Check one note",
        responses={
            200: {"content": {"application/json": {"example": RESULT_EXAMPLE}, "text/html": HTML_RESPONSE_DOC}},
            **{code: ERROR_RESPONSES[code] for code in (413, 422, 503)},
        },
    )
    async def check(
        body: CheckRequest,
        request: Request,
        output: Optional[OutputFormat] = Query(None, alias="format", description=FORMAT_DESCRIPTION),
        explain: bool = Query(False, description=EXPLAIN_DESCRIPTION),
    ) -> Response:
        size = _note_too_large(body.text, settings.max_note_bytes)
        if size is not None:
            raise HTTPException(413, f"note is {size:,} bytes, over the {settings.max_note_bytes:,}-byte limit")
        await ensure_ready()
        try:
            answered, result = await unless_disconnected(
                request.receive, engine.check(body.text, body.context, body.context.note_id, explain=explain)
            )
        except NoteInputError as exc:  # binary-looking text; the message never quotes the note
            return _note_rejected(["body", "text"], exc)
        if not answered or result is None:
            return Response(status_code=CLIENT_CLOSED_REQUEST)
        if wants_html(output, request.headers.get("accept")):
            return await run_in_threadpool(html_response, result, body.text, engine.checker)
        # Serialized once here; returning the model would make FastAPI validate it a second time.
        return Response(result.model_dump_json(), media_type="application/json")

    @api.post(
        "/check/batch",
        response_model=BatchResponse,
        summary="Check several notes, results in the same order",
        responses={code: ERROR_RESPONSES[code] for code in (413, 422, 503)},
        openapi_extra={"requestBody": BATCH_REQUEST_BODY},
    )
    async def check_batch(request: Request) -> Response:
        # The body (already capped in bytes by BodyLimitMiddleware) is decoded on a worker thread,
        # the notes counted before any is built: 413 for too many, like an oversized body.
        raw = await request.body()
        try:
            body = await run_in_threadpool(parse_batch, raw, request.headers.get("content-type"), settings.max_batch)
        except BodyError as exc:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status)
        for index, note in enumerate(body.notes):
            size = _note_too_large(note.text, settings.max_note_bytes)
            if size is not None:
                raise HTTPException(
                    413, f"notes[{index}] is {size:,} bytes, over the {settings.max_note_bytes:,}-byte limit"
                )
        if not body.notes:
            return Response('{"results":[]}', media_type="application/json")
        await ensure_ready()
        try:
            answered, results = await unless_disconnected(
                request.receive, engine.check_many([(n.text, n.context, n.context.note_id) for n in body.notes])
            )
        except BatchNoteError as exc:
            return _note_rejected(["body", "notes", exc.index, "text"], exc)
        if not answered or results is None:
            return Response(status_code=CLIENT_CLOSED_REQUEST)
        payload = '{"results":[' + ",".join(r.model_dump_json() for r in results) + "]}"
        return Response(payload, media_type="application/json")

    @api.get("/checklist", response_model=ChecklistResponse, summary="The checklist items and their descriptions")
    async def checklist() -> ChecklistResponse:
        rules = (await run_in_threadpool(load_registry, rules_dir)).checklist  # YAML on first call, cached after
        return ChecklistResponse(
            version=rules.version,
            ready_threshold=rules.ready_threshold,
            items=[
                ChecklistItemInfo(
                    id=item_id, title=item.title, description=item.description, weight=item.weight,
                    required=item.required, scored=item.scored, messages=dict(item.messages),
                )
                for item_id, item in rules.items.items()
            ],
        )

    app.include_router(api)
    app.include_router(docs_router())
    app.include_router(interchange_router)  # POST /v1/hl7, POST /v1/fhir/check (CONTRACT §6)

    @app.get("/healthz", response_model=HealthResponse, tags=["ops"], summary="200 while the process is up")
    async def healthz() -> HealthResponse:
        return HealthResponse(status="ok", rules_version=rules_version)

    @app.get(
        "/readyz",
        response_model=ReadyResponse,
        tags=["ops"],
        summary="200 once this worker's pipeline is loaded, 503 before",
        responses={503: {"model": ReadyResponse, "description": "Still loading, or the load failed."}},
    )
    async def readyz() -> Union[ReadyResponse, JSONResponse]:
        body = ReadyResponse(
            status="ready" if engine.ready else ("failed" if engine.load_error else "loading"),
            generation=engine.generation,
            notes_checked=engine.notes_checked,
        )
        if engine.ready:
            return body
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "1"})

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        index = STATIC_DIR / "index.html"
        if index.is_file():
            return FileResponse(index, media_type="text/html")
        return HTMLResponse(PLACEHOLDER_PAGE)

    # Before /static: a mount matches by prefix, the first one wins.
    if VIEW_STATIC_DIR.is_dir():
        app.mount("/static/view", StaticFiles(directory=VIEW_STATIC_DIR), name="view-static")
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, summary=app.summary,
                               description=app.description, routes=app.routes)
            # The batch route parses its own body (service.body), so FastAPI does not know its
            # model: add BatchRequest (and what it refers to) to the components.
            batch_schema = BatchRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in batch_schema.pop("$defs", {}).items():
                schemas.setdefault(name, schema)
            schemas["BatchRequest"] = batch_schema
            # ?explain=true on /v1/check adds `explanation`: list its schema beside the result's.
            explained = ExplainedResult.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, schema in explained.pop("$defs", {}).items():
                schemas.setdefault(name, schema)
            schemas["ExplainedResult"] = explained
            app.openapi_schema = document_security(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc.errors())}, status_code=422)

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: NotReady) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(CheckTimeout)
    async def timed_out(request: Request, exc: CheckTimeout) -> JSONResponse:
        # 503: this server could not do it in the time it allows; the check thread is free again.
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        # FastAPI turns a body json.loads refuses with anything but JSONDecodeError (bytes that are
        # not UTF-8/16/32, nesting past the recursion limit, an integer of over 4,300 digits) into
        # a bare 400; for the caller it is malformed JSON like any other, so 422 (CONTRACT §5).
        if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, RecursionError)):
            return JSONResponse({"detail": json_error_detail(exc.__cause__)}, status_code=422)
        return await http_exception_handler(request, exc)

    # Paths the access log may name; included routers are not flattened into app.routes.
    known_paths = frozenset(
        path for route in (*api.routes, *app.routes) if isinstance(path := getattr(route, "path", None), str)
    )

    def body_limit(path: str) -> int:
        return settings.max_batch_bytes if path == BATCH_PATH else settings.max_check_body

    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit, timeout=settings.body_timeout)
    app.add_middleware(APIKeyMiddleware, api_key=settings.api_key)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(AccessLogMiddleware, known_paths=lambda: known_paths)
    return app
