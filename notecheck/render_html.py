"""The scribe's view of one checked note: the note with every evidence span highlighted and
colour-coded by checklist item, the checklist with status icons and fix messages, the code, claim
lines, modifiers, ICD-10, denial risks and physician queries.

This is the only renderer of that view. `render_view` writes the view itself (a
`<div class="nc-view">` fragment): the service answers `POST /v1/check` with it when asked for
HTML, and its page inserts it as it comes. `render_html` wraps the same fragment in a
self-contained page (inline CSS and JS from notecheck/static/, a CSP that allows no network) for
`notecheck check --format html`. What is highlighted, and under which item and finding, comes
from notecheck.highlight (the one evidence walker); the colours from notecheck/static/view.css.

Markup. A highlight is one <mark> per segment (never nested) with data-start/data-end (code
points into the note), data-items (item ids, checklist order, "context" last), data-fields
(finding keys), a tooltip (data-tip) and an aria-label. Its background is its first item's colour,
its underline the second item's (or the first's again): classes c<i>/b<i>, i = the item's
checklist position modulo the palette, "x" for context. The view's root carries data-ready,
data-score, data-gaps, data-cpt and data-risks, so a page can summarise it without the JSON.

Escaping. Every character from the note or the result goes through `_e`: HTML-escaped, quotes
included, and kept character-exact through an HTML parser, which would otherwise fold CR and CRLF
into LF and drop NUL: CR is written as "&#13;"; NUL and unpaired surrogates (not text, cannot be
encoded) become U+FFFD, one character for one, so every offset still counts code points of the
note. `evidence_doc` exports the same evidence as spaCy spans for displacy.
"""
from __future__ import annotations

import hashlib
import html
import re
from base64 import b64encode
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

from notecheck.highlight import CONTEXT, CONTEXT_TITLE, FIELD_ITEMS, Segment, annotations, highlight
from notecheck.models import Result

STATUS_ICON = {"met": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
STATUS_TEXT = {"met": "met", "partial": "partial", "missing": "missing", "not_applicable": "not applicable"}

# One highlight colour pair per line of view.css: ".c3{background:#...;} .b3{border-bottom-color:#...;}".
_COLOR_RULE = re.compile(r"^\.c(\d+|x)\{background:(#[0-9a-f]{6});\} \.b\1\{border-bottom-color:(#[0-9a-f]{6});\}$", re.M)
_TEXT_RULE = re.compile(r"--text:(#[0-9a-f]{6});")


def _static(name: str) -> str:
    return resources.files("notecheck").joinpath("static", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def view_css() -> str:
    """The view's stylesheet (notecheck/static/view.css), as the service page links it."""
    return _static("view.css")


@lru_cache(maxsize=None)
def view_script() -> str:
    """The view's keyboard navigation (notecheck/static/view.js), as the service page loads it."""
    return _static("view.js")


@lru_cache(maxsize=None)
def palette() -> tuple[tuple[tuple[str, str], ...], tuple[str, str], str]:
    """(background, underline) per checklist position, the context pair and the text colour, as
    view.css defines them (displacy and the contrast test use the same colours)."""
    css = view_css()
    pairs = {key: (bg, bd) for key, bg, bd in _COLOR_RULE.findall(css)}
    numbered = [pairs[str(i)] for i in range(len(pairs)) if str(i) in pairs]
    text = _TEXT_RULE.search(css)
    if not numbered or "x" not in pairs or len(numbered) != len(pairs) - 1 or text is None:
        raise RuntimeError("notecheck/static/view.css: highlight colours .c0.. .cx or --text are missing")
    return tuple(numbered), pairs["x"], text.group(1)


def color_index(item: str, item_order: list[str]) -> str:
    """"0".."n-1" by the item's checklist position (modulo the palette), "x" for context."""
    if item not in item_order:
        return "x"
    return str(item_order.index(item) % len(palette()[0]))


# Page chrome around the view, only in the standalone page (the service page has its own).
_PAGE_CSS = """html{background:#f3f4f6;}
body{margin:0;padding:1.25rem;color:#111827;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
.nc-skip{position:absolute;left:-999px;top:0;background:#fff;color:#1e3a8a;padding:.5rem;z-index:50;}
.nc-skip:focus{left:.5rem;}
.nc-foot{color:#4b5563;font-size:.8rem;margin-top:1rem;}
"""

_UNSAFE_CHARS = re.compile("[\r\x00\ud800-\udfff]")


def _safe_char(m: re.Match[str]) -> str:
    return "&#13;" if m.group() == "\r" else "\ufffd"


def _e(value: object) -> str:
    """Escaped for element text and quoted attribute values, character-exact (module docstring)."""
    return _UNSAFE_CHARS.sub(_safe_char, html.escape(str(value), quote=True))


def _csp_hash(source: str) -> str:
    return "'sha256-" + b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def checklist_descriptions(checker: Any = None) -> dict[str, str]:
    """Item id -> description from the checker's rule registry (default: the packaged rules)."""
    registry = getattr(checker, "registry", None)
    if registry is None:
        from notecheck.registry import load_registry

        registry = load_registry()
    return registry.checklist_descriptions()


def _tip(seg: Segment, titles: dict[str, str], statuses: dict[str, str]) -> str:
    items = " · ".join(
        f"{titles.get(i, CONTEXT_TITLE)}" + (f" ({STATUS_TEXT.get(statuses[i], statuses[i])})" if i in statuses else "")
        for i in seg.items
    )
    fields = ", ".join(seg.labels)
    where = f" [{', '.join(s.replace('_', ' ') for s in seg.sections)}]" if seg.sections else ""
    return f"{items} — {fields}{where}"


def _note_html(text: str, segs: list[Segment], titles: dict[str, str], statuses: dict[str, str],
               order: list[str]) -> str:
    parts: list[str] = []
    pos = 0
    for n, seg in enumerate(segs):
        if seg.start > pos:
            parts.append(_e(text[pos:seg.start]))
        chunk = text[seg.start:seg.end]
        first = seg.items[0]
        second = seg.items[1] if len(seg.items) > 1 else first
        tip = _tip(seg, titles, statuses)
        described = " ".join(f"ci-{i}-msg" for i in seg.items if i in statuses)
        parts.append(
            f'<mark id="seg-{n}" class="c{color_index(first, order)} b{color_index(second, order)}" tabindex="0" '
            f'role="button" data-start="{seg.start}" data-end="{seg.end}" data-items="{_e(" ".join(seg.items))}" '
            f'data-fields="{_e(" ".join(seg.fields))}" data-tip="{_e(tip)}" '
            f'aria-label="{_e(chunk.strip() or chunk)}: {_e(tip)}"'
            + (f' aria-describedby="{_e(described)}"' if described else "")
            + f">{_e(chunk)}</mark>"
        )
        pos = seg.end
    parts.append(_e(text[pos:]))
    return "".join(parts)


def render_view(result: Result, text: str, descriptions: Optional[dict[str, str]] = None) -> str:
    """The view itself (a <div class="nc-view">), without page chrome: what the service answers
    for HTML. `descriptions` (item id -> description) adds each item's description."""
    marked = highlight(result, text)
    order, segs = marked.item_order, marked.segments
    titles = {c.id: c.title for c in result.checklist}
    titles[CONTEXT] = CONTEXT_TITLE
    statuses = {c.id: c.status for c in result.checklist}
    marks_per_item: dict[str, int] = {}
    for seg in segs:
        for item in seg.items:
            marks_per_item[item] = marks_per_item.get(item, 0) + 1
    descriptions = descriptions or {}

    gaps = [c for c in result.checklist if c.status in ("missing", "partial")]
    out: list[str] = [
        f'<div class="nc-view" data-ready="{"true" if result.ready_to_sign else "false"}" data-score="{result.score}" '
        f'data-gaps="{len(gaps)}" data-cpt="{_e(result.procedure.suggested_cpt or "")}" '
        f'data-risks="{len(result.denial_risks)}">'
    ]
    verdict = "Ready to sign" if result.ready_to_sign else "Documentation gaps"
    out.append('<header class="nc-head">')
    out.append(f'<h2 id="nc-title">{_e(result.note_id or "Note")}</h2>')
    out.append(
        f'<span class="nc-verdict {"ready" if result.ready_to_sign else "gaps"}" id="nc-verdict">'
        f"{_e(verdict)} · score {result.score}/100</span>"
    )
    out.append(f'<p class="nc-reason">{_e(result.procedure.reason)}</p>')
    out.append("</header>")
    out.append('<div class="nc-grid">')

    # The note.
    out.append('<section class="nc-panel" aria-labelledby="nc-note-h">')
    out.append('<h3 id="nc-note-h">Note</h3>')
    out.append(
        '<p class="nc-keys" id="nc-keys">Highlights: <kbd>Tab</kbd>, <kbd>n</kbd>/<kbd>p</kbd> or arrow keys move '
        "between them; <kbd>Enter</kbd> opens the checklist item. Hover or focus shows the item and the finding."
        f" {len(segs)} highlighted passages.</p>"
    )
    out.append(f'<div class="nc-note" id="nc-note" lang="en">{_note_html(text, segs, titles, statuses, order)}</div>')
    out.append("</section>")

    out.append('<div class="nc-side">')
    # What to add first.
    out.append('<section class="nc-panel" id="nc-gaps" aria-labelledby="nc-gaps-h">')
    out.append(f'<h3 id="nc-gaps-h">What to add ({len(gaps)})</h3>')
    if gaps:
        out.append('<ul class="nc-list">')
        for c in gaps:
            out.append(
                f'<li class="nc-ci nc-gap" data-item="{_e(c.id)}"><span class="nc-icon st-{c.status}" aria-hidden="true">'
                f'{STATUS_ICON[c.status]}</span><div class="nc-body"><span class="nc-title">{_e(c.title)}</span>'
                f'<span class="nc-status st-{c.status}">{_e(STATUS_TEXT[c.status])}</span>'
                f'<p class="nc-msg">{_e(c.message)}</p></div></li>'
            )
        out.append("</ul>")
    else:
        out.append('<p class="nc-empty">Nothing: every required item is documented.</p>')
    out.append("</section>")

    # Checklist.
    out.append('<section class="nc-panel" id="checklist" aria-labelledby="nc-checklist-h">')
    out.append('<h3 id="nc-checklist-h">Checklist</h3><ul class="nc-list">')
    for c in result.checklist:
        ci = color_index(c.id, order)
        count = marks_per_item.get(c.id, 0)
        out.append(
            f'<li class="nc-ci" id="ci-{_e(c.id)}" tabindex="-1" data-item="{_e(c.id)}" data-status="{c.status}">'
            f'<span class="nc-swatch c{ci} b{ci}" aria-hidden="true"></span>'
            f'<span class="nc-icon st-{c.status}" aria-hidden="true">{STATUS_ICON[c.status]}</span>'
            f'<div class="nc-body"><span class="nc-title">{_e(c.title)}</span>'
            f'<span class="nc-status st-{c.status}">{_e(STATUS_TEXT[c.status])}</span>'
            f'<p class="nc-msg" id="ci-{_e(c.id)}-msg">{_e(c.message)}</p>'
        )
        if descriptions.get(c.id):
            out.append(f'<p class="nc-desc">{_e(descriptions[c.id])}</p>')
        if count:
            out.append(
                f'<button type="button" class="nc-show" data-item="{_e(c.id)}" '
                f'aria-label="Show {_e(c.title)} in the note, {count} highlighted">Show in note ({count})</button>'
            )
        out.append("</div></li>")
    out.append("</ul></section>")

    # Code, claim lines, modifiers, ICD-10.
    p = result.procedure
    out.append('<section class="nc-panel" id="nc-coding" aria-labelledby="nc-coding-h">')
    out.append('<h3 id="nc-coding-h">Code</h3>')
    code = p.suggested_cpt or "None"
    out.append(f'<p class="nc-code" id="nc-cpt">{_e(code)} <small>units {p.units}</small></p>')
    if not p.suggested_cpt:
        out.append('<p class="nc-empty">No separately reportable implant removal.</p>')
    if p.flags:
        out.append(f'<p>Also consider: {_e(", ".join(p.flags))}</p>')
    if result.claim_lines:
        out.append('<table class="nc-table" id="nc-lines"><caption class="nc-sr">Claim lines</caption>'
                   '<thead><tr><th scope="col">CPT</th><th scope="col">Units</th><th scope="col">Modifiers</th>'
                   '<th scope="col">Site</th></tr></thead><tbody>')
        for line in result.claim_lines:
            out.append(
                f"<tr><td>{_e(line.cpt)}</td><td>{line.units}</td><td>{_e(' '.join(line.modifiers) or '—')}</td>"
                f"<td>{_e(line.site)}</td></tr>"
            )
        out.append("</tbody></table>")
    if result.modifiers:
        out.append('<h4>Modifiers</h4><dl class="nc-dl" id="nc-modifiers">')
        for m in result.modifiers:
            out.append(f"<dt>{_e(m.code)}</dt><dd>{_e(m.reason)}</dd>")
        out.append("</dl>")
    if result.icd10_suggestions:
        out.append('<h4>ICD-10</h4><dl class="nc-dl" id="nc-icd10">')
        for icd in result.icd10_suggestions:
            out.append(f"<dt>{_e(icd.code)}</dt><dd>{_e(icd.description)}. {_e(icd.reason)}</dd>")
        out.append("</dl>")
    out.append("</section>")

    if result.denial_risks:
        out.append('<section class="nc-panel" id="nc-risks" aria-labelledby="nc-risks-h">')
        out.append(f'<h3 id="nc-risks-h">Denial risks ({len(result.denial_risks)})</h3><ul class="nc-list">')
        for r in result.denial_risks:
            out.append(
                f'<li class="nc-risk" data-risk="{_e(r.id)}"><span class="nc-sev sev-{r.severity}">{_e(r.severity)}</span>'
                f"<strong>{_e(r.id.replace('_', ' '))}</strong>: {_e(r.message)}</li>"
            )
        out.append("</ul></section>")

    if result.queries:
        # Draft questions a scribe or CDI specialist can send to the surgeon, one per gap.
        out.append('<section class="nc-panel" id="nc-queries" aria-labelledby="nc-queries-h">')
        out.append(f'<h3 id="nc-queries-h">Questions for the surgeon ({len(result.queries)})</h3><ul class="nc-list">')
        for q in result.queries:
            options = "".join(f"<li>{_e(o)}</li>" for o in q.options)
            out.append(
                f'<li class="nc-query" data-gap="{_e(q.gap)}">{_e(q.question)}'
                + (f'<ul class="nc-options">{options}</ul>' if options else "")
                + "</li>"
            )
        out.append("</ul></section>")

    # Legend.
    out.append('<section class="nc-panel" id="nc-legend" aria-labelledby="nc-legend-h">')
    out.append('<h3 id="nc-legend-h">Legend</h3><ul class="nc-legend">')
    for c in result.checklist:
        ci = color_index(c.id, order)
        out.append(f'<li><span class="nc-swatch c{ci} b{ci}" aria-hidden="true"></span>{_e(c.title)}</li>')
    out.append(f'<li><span class="nc-swatch cx bx" aria-hidden="true"></span>{_e(CONTEXT_TITLE)}</li>')
    out.append(
        "</ul><p class=\"nc-desc\">A passage that supports two items has the first item's background and the "
        "second item's underline. Status: ✔ met, ◐ partial, ✘ missing, – not applicable.</p></section>"
    )
    out.append("</div></div></div>")
    return "\n".join(out)


def render_html(result: Result, text: str, descriptions: Optional[dict[str, str]] = None) -> str:
    """A self-contained page: inline CSS and JS, a CSP that allows no network, every note
    character escaped. `descriptions` (item id -> description) defaults to patterns/checklist.yaml."""
    if descriptions is None:
        descriptions = checklist_descriptions()
    css = view_css() + _PAGE_CSS
    script = view_script()
    csp = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    title = f"notecheck: {result.note_id}" if result.note_id else "notecheck"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        '<a class="nc-skip" href="#checklist">Skip to the checklist</a>\n'
        '<main aria-labelledby="nc-title">\n<h1 class="nc-sr">notecheck: CPT 26320 documentation check</h1>\n'
        + render_view(result, text, descriptions)
        + f'\n<p class="nc-foot">notecheck · schema {_e(result.schema_version)}'
        + (f" · rules {_e(result.rules_version)}" if result.rules_version else "")
        + f"</p>\n</main>\n<script>{script}</script>\n</body>\n</html>\n"
    )


def evidence_doc(checker_or_nlp: Any, text: str, result: Result, spans_key: str = "sc"):
    """The note as a spaCy Doc with one span per evidence annotation in doc.spans[spans_key],
    labelled "<checklist item>: <finding key>" (e.g. "implant_type: implants.k_wire"), so
    `spacy.displacy.render(doc, style="span")` shows the evidence. `checker_or_nlp` is a Checker,
    a spaCy Language or None (a blank English tokenizer); only the tokenizer runs."""
    import spacy
    from spacy.tokens import Span

    if checker_or_nlp is None:
        nlp = spacy.blank("en")
    else:
        nlp = getattr(checker_or_nlp, "nlp", checker_or_nlp)
    doc = nlp.make_doc(text)
    spans: list[Span] = []
    for a in annotations(result, text):
        span = doc.char_span(a.start, a.end, label=f"{a.item}: {a.key}", alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    doc.spans[spans_key] = spans
    doc.user_data["notecheck_item_order"] = [c.id for c in result.checklist]
    return doc


def displacy_options(doc, spans_key: str = "sc") -> dict[str, Any]:
    """`options` for displacy.render(doc, style="span") colouring each label by its checklist item
    with the same palette as the HTML view."""
    order = list(doc.user_data.get("notecheck_item_order") or dict.fromkeys(FIELD_ITEMS.values()))
    pairs, context, _ = palette()
    colors: dict[str, str] = {}
    for span in doc.spans[spans_key]:
        item = span.label_.split(":", 1)[0]
        idx = color_index(item, order)
        colors[span.label_] = context[0] if idx == "x" else pairs[int(idx)][0]
    return {"spans_key": spans_key, "colors": colors}
