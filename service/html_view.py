"""The HTML variant of `POST /v1/check` (an extension of CONTRACT.md §5; the JSON result is
unchanged and stays the default): the scribe's view of the checked note, as
`notecheck.render_html.render_view` writes it, so the service page shows exactly what
`notecheck check --format html` shows. The fragment is the engine's; this module only decides
when it is wanted and sends it.
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from fastapi.responses import Response

from notecheck.models import Result
from notecheck.render_html import checklist_descriptions, render_view

OutputFormat = Literal["json", "html"]
HTML_TYPE = "text/html"
JSON_TYPE = "application/json"

# The fragment is meant to be inserted by the page, not opened: if a browser ever shows it as a
# document, nothing in it may run or load. It holds the whole note, so no cache keeps it.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Cache-Control": "no-store",
    "Vary": "Accept",
}

FORMAT_DESCRIPTION = (
    "`html` answers with the scribe's view of the note (a `text/html` fragment, the view "
    "`notecheck check --format html` shows) instead of the JSON result; `Accept: text/html` "
    "(preferred over application/json) asks for the same. Errors stay JSON."
)

HTML_RESPONSE_DOC: dict[str, Any] = {
    "description": (
        "With `format=html` or `Accept: text/html`: the note with every evidence span highlighted, "
        'the checklist, code, claim lines, modifiers, ICD-10, denial risks and queries, as one '
        '`<div class="nc-view">`; every character of the note is escaped.'
    ),
    "schema": {"type": "string"},
}


def _quality(accept: str, media_type: str) -> float:
    """The q value `accept` gives `media_type`, from its most specific matching range (RFC 9110
    §12.5.1); 0 when no range matches."""
    kind = media_type.split("/", 1)[0]
    best, specificity = 0.0, -1
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        rng = fields[0].lower()
        level = 2 if rng == media_type else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
        if level < specificity or level < 0:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if level > specificity:
            best, specificity = q, level
        else:
            best = max(best, q)
    return best


def wants_html(output: Optional[OutputFormat], accept: Optional[str]) -> bool:
    """`format` decides when given; otherwise HTML only when Accept prefers text/html to JSON
    (no Accept, or */*, keeps the JSON a program expects)."""
    if output is not None:
        return output == "html"
    if not accept:
        return False
    return _quality(accept, HTML_TYPE) > _quality(accept, JSON_TYPE)


def html_response(result: Result, text: str, checker: Any) -> Response:
    """The view of `result` over `text` (run off the event loop: it is linear in the note)."""
    fragment = render_view(result, text, checklist_descriptions(checker))
    return Response(fragment, media_type=HTML_TYPE, headers=HTML_HEADERS)
