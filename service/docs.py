"""GET /docs: Swagger UI served from the installed `fastapi-offline` package (Swagger UI 5, which
reads the OpenAPI 3.1 that FastAPI writes), so the page works on a network with no way out
(FastAPI's default loads it from a CDN, unpinned and without integrity, and its favicon from the
internet). Only the package's static files are used, not its app class.

The page is static HTML; service/static/docs.js starts Swagger UI (no inline script, so the
page's CSP allows scripts from 'self' only; see service.middleware.DOCS_HEADERS). Only the
three files the page uses are served from the package, by fixed name.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

DOCS_PATH = "/docs"
ASSET_PREFIX = "/docs/assets/"

# name served under /docs/assets/ -> (file in fastapi-offline's static folder, media type)
ASSETS: dict[str, tuple[str, str]] = {
    "swagger-ui.css": ("swagger-ui.css", "text/css"),
    "swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript"),
    "favicon.png": ("favicon.png", "image/png"),
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>notecheck API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""

# Served when the package is missing (an install that skipped dependencies): still no request
# leaves the page, and the spec is one click away.
PLAIN_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>notecheck API</title></head>
<body><h1>notecheck API</h1>
<p>The interactive documentation needs the <code>fastapi-offline</code> package, which is not
installed. The OpenAPI description is at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
"""


def swagger_ui_dir() -> Optional[Path]:
    """The folder of the installed Swagger UI files, or None without the package."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    folder = Path(fastapi_offline.__file__).parent / "static"
    return folder if all((folder / name).is_file() for name, _ in ASSETS.values()) else None


def docs_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    folder = swagger_ui_dir()

    @router.get(DOCS_PATH)
    async def docs() -> Response:
        return HTMLResponse(PAGE if folder is not None else PLAIN_PAGE)

    @router.get(ASSET_PREFIX + "{name}")
    async def asset(name: str) -> Response:
        entry = ASSETS.get(name)
        if folder is None or entry is None:
            raise HTTPException(404, "Not Found")
        filename, media_type = entry
        # The files change only with the package version: let a browser keep them a day.
        return FileResponse(folder / filename, media_type=media_type, headers={"cache-control": "max-age=86400"})

    return router
