"""The scribe's browser view of one checked note: a self-contained HTML page (inline CSS and JS,
no network, no external URL) with the note, every evidence span highlighted and colour-coded by
checklist item, the checklist with status icons and fix messages, the code, claim lines,
modifiers, ICD-10 and denial risks. `evidence_doc` exports the same evidence as spaCy spans for
`spacy.displacy.render(doc, style="span")`.

The highlight algorithm (shared with service/static/app.js, which renders the same view in the
service's page; keep the two in step, tests/test_browser.py compares their output):

1. Annotations. Walk `result.findings` in its key order. A field whose value is a list of
   evidence objects (has "start") is one finding, key = field name. A list of objects with
   "evidence" gives one finding per object, key = field + value/type + side + "ray<n>" (the parts
   that are set, joined by "."; characters outside [A-Za-z0-9_.-] become "_"); an object with
   "evidence" is one finding, key = field + value/type when set. A key already taken by an earlier
   finding gets "~2", "~3", ... Every finding maps to a checklist item through FIELD_ITEMS
   ("context" when the field has none, or the item is not in the result's checklist). Then every
   checklist item's evidence that no annotation already covers with the same start, end and item
   is added with key "checklist.<item id>". Each (start, end, key) is kept once; spans with
   start < 0, end > len(text) or start >= end are dropped. Offsets are code points (Python str
   indices; the JS side indexes Array.from(text)).
2. Segments. The boundaries are 0, len(text) and every annotation start and end, sorted and
   unique. Each piece between two neighbouring boundaries that some annotation covers becomes one
   <mark> (a flat split, never nested), so every annotation's text is exactly the concatenation of
   the marks between its start and end that list its key, each character highlighted once.
3. A mark carries data-start/data-end (code points), data-items (covering checklist item ids in
   checklist order, "context" last) and data-fields (covering keys in annotation order). Its
   background colour is its first item's colour, its bottom border the second item's (or the
   first's again): classes c<i>/b<i>, i = the item's index in the checklist modulo len(PALETTE),
   "x" for context.
"""
from __future__ import annotations

import hashlib
import html
import re
from base64 import b64encode
from dataclasses import dataclass
from typing import Any, Optional

from notecheck.models import Result

# Finding field -> the checklist item its evidence supports. Fields not listed are "context".
FIELD_ITEMS: dict[str, str] = {
    "implants": "implant_type",
    "generic_hardware_removed": "implant_type",
    "region": "anatomic_location",
    "laterality": "anatomic_location",
    "digits": "anatomic_location",
    "bones": "anatomic_location",
    "indications": "indication",
    "approach": "approach",
    "planned_status": "planned_status",
    "complexity_factors": "modifier_22_support",
    "substantial_work": "modifier_22_support",
    "anesthesia": "anesthesia",
    "hardware_accounted": "hardware_accounted",
    "closure": "closure",
}
CONTEXT = "context"
CONTEXT_TITLE = "Other findings (context)"

# (background, border) per checklist position. Text is TEXT_COLOR on every background (contrast
# at least 4.5:1, WCAG AA); borders contrast at least 3:1 with the white page (non-text contrast).
TEXT_COLOR = "#111827"
PALETTE: list[tuple[str, str]] = [
    ("#bfdbfe", "#1d4ed8"),
    ("#bbf7d0", "#15803d"),
    ("#fde68a", "#b45309"),
    ("#e9d5ff", "#7e22ce"),
    ("#fbcfe8", "#be185d"),
    ("#fed7aa", "#c2410c"),
    ("#a5f3fc", "#0e7490"),
    ("#c7d2fe", "#4338ca"),
    ("#d9f99d", "#4d7c0f"),
    ("#fecaca", "#b91c1c"),
]
CONTEXT_COLORS = ("#e5e7eb", "#4b5563")
STATUS_ICON = {"met": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
STATUS_TEXT = {"met": "met", "partial": "partial", "missing": "missing", "not_applicable": "not applicable"}

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Annotation:
    start: int
    end: int
    key: str  # the finding, e.g. "implants.k_wire", "hardware_accounted", "checklist.closure"
    item: str  # checklist item id, or "context"
    label: str  # human-readable finding, e.g. "implants: k_wire (2)"
    section: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    items: tuple[str, ...]
    fields: tuple[str, ...]
    sections: tuple[str, ...]


def _label_part(obj: dict[str, Any]) -> Optional[str]:
    value = obj.get("value")
    if value is None:
        value = obj.get("type")
    return None if value is None else str(value)


def _finding_label(field: str, obj: Optional[dict[str, Any]]) -> str:
    if obj is None:
        return field.replace("_", " ")
    bits = []
    value = _label_part(obj)
    if value is not None:
        bits.append(value.replace("_", " "))
    if obj.get("side"):
        bits.append(f"{obj['side']} hand")
    if obj.get("ray"):
        bits.append(f"ray {obj['ray']}")
    if obj.get("count") is not None:
        bits.append(f"count {obj['count']}")
    if obj.get("conflict"):
        bits.append("conflict")
    name = field.replace("_", " ")
    return f"{name}: {', '.join(bits)}" if bits else name


def _finding_key(field: str, obj: Optional[dict[str, Any]]) -> str:
    parts = [field]
    if obj is not None:
        value = _label_part(obj)
        if value is not None:
            parts.append(value)
        if obj.get("side"):
            parts.append(str(obj["side"]))
        if obj.get("ray"):
            parts.append(f"ray{obj['ray']}")
    return _KEY_UNSAFE.sub("_", ".".join(parts))


def _findings_groups(findings: dict[str, Any]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(field, key, label, evidence) per finding, in the findings' key order (algorithm step 1)."""
    groups: list[tuple[str, str, str, list[dict[str, Any]]]] = []
    used: dict[str, int] = {}

    def add(field: str, obj: Optional[dict[str, Any]], evidence: list[dict[str, Any]]) -> None:
        key = _finding_key(field, obj)
        used[key] = used.get(key, 0) + 1
        if used[key] > 1:
            key = f"{key}~{used[key]}"
        groups.append((field, key, _finding_label(field, obj), evidence))

    for field, value in findings.items():
        if isinstance(value, list):
            if not value:
                continue
            if all(isinstance(v, dict) and "start" in v for v in value):
                add(field, None, value)
                continue
            for obj in value:
                if isinstance(obj, dict) and isinstance(obj.get("evidence"), list):
                    add(field, obj, obj["evidence"])
        elif isinstance(value, dict) and isinstance(value.get("evidence"), list) and value["evidence"]:
            add(field, value, value["evidence"])
    return groups


def annotations(result: Result | dict[str, Any], text: str) -> list[Annotation]:
    """Every evidence span of the result as an annotation (module docstring, step 1)."""
    data = result.model_dump(mode="json") if isinstance(result, Result) else result
    item_ids = [c["id"] for c in data.get("checklist", [])]
    titles = {c["id"]: c.get("title", c["id"]) for c in data.get("checklist", [])}
    n = len(text)
    out: list[Annotation] = []
    seen: set[tuple[int, int, str]] = set()

    def put(ev: dict[str, Any], key: str, item: str, label: str) -> None:
        start, end = int(ev["start"]), int(ev["end"])
        if start < 0 or end > n or start >= end or (start, end, key) in seen:
            return
        seen.add((start, end, key))
        out.append(Annotation(start, end, key, item, label, str(ev.get("section") or "")))

    for field, key, label, evidence in _findings_groups(data.get("findings", {})):
        item = FIELD_ITEMS.get(field, CONTEXT)
        if item not in item_ids:
            item = CONTEXT
        for ev in evidence:
            put(ev, key, item, label)
    for c in data.get("checklist", []):
        for ev in c.get("evidence", []):
            start, end = int(ev["start"]), int(ev["end"])
            if any(a.start == start and a.end == end and a.item == c["id"] for a in out):
                continue
            put(ev, f"checklist.{c['id']}", c["id"], f"checklist: {titles[c['id']]}")
    return out


def segments(text: str, anns: list[Annotation], item_order: list[str]) -> list[Segment]:
    """Non-overlapping highlighted pieces of the text (module docstring, steps 2-3)."""
    if not anns:
        return []
    rank = {item: i for i, item in enumerate(item_order)}
    bounds = sorted({0, len(text), *(a.start for a in anns), *(a.end for a in anns)})
    out: list[Segment] = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [x for x in anns if x.start <= a and x.end >= b]
        if not covering:
            continue
        items = sorted({x.item for x in covering}, key=lambda i: rank.get(i, len(rank)))
        fields = tuple(dict.fromkeys(x.key for x in covering))
        sections = tuple(dict.fromkeys(x.section for x in covering if x.section))
        out.append(Segment(a, b, tuple(items), fields, sections))
    return out


def color_index(item: str, item_order: list[str]) -> str:
    """"0".."9" by the item's checklist position (modulo the palette), "x" for context."""
    if item not in item_order:
        return "x"
    return str(item_order.index(item) % len(PALETTE))


# The view's stylesheet. service/static/app.css holds this block verbatim between its
# "view: begin" and "view: end" comments (tests/test_render_html.py checks), so the page the
# service serves and the page `check --format html` writes look the same.
VIEW_CSS = (
    """:root{--text:%(text)s;--muted:#4b5563;--line:#d1d5db;--panel:#f9fafb;--focus:#1d4ed8;}
.nc-view *{box-sizing:border-box;}
.nc-view{color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
.nc-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;margin:0 0 1rem;}
.nc-head h2{font-size:1.35rem;margin:0;}
.nc-verdict{font-weight:700;padding:.15rem .6rem;border-radius:999px;border:2px solid currentColor;}
.nc-verdict.ready{color:#166534;background:#f0fdf4;}
.nc-verdict.gaps{color:#991b1b;background:#fef2f2;}
.nc-reason{flex-basis:100%%;margin:0;color:var(--muted);}
.nc-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(18rem,27rem);gap:1.25rem;align-items:start;}
@media (max-width:900px){.nc-grid{grid-template-columns:minmax(0,1fr);}}
.nc-panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem;}
.nc-panel h3{font-size:1.05rem;margin:0 0 .5rem;}
.nc-keys{margin:0 0 .5rem;color:var(--muted);font-size:.875rem;}
.nc-keys kbd{border:1px solid var(--line);border-bottom-width:2px;border-radius:4px;padding:0 .3rem;font-size:.8rem;background:var(--panel);color:var(--text);}
.nc-note{white-space:pre-wrap;overflow-wrap:anywhere;font:15px/1.75 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;margin:0;}
.nc-note mark{color:var(--text);border-bottom:3px solid;border-radius:2px;padding:0;position:relative;cursor:help;}
.nc-note mark:focus{outline:3px solid var(--focus);outline-offset:1px;z-index:2;}
.nc-note mark:hover{outline:2px solid var(--muted);}
.nc-note mark::after{content:attr(data-tip);display:none;position:absolute;left:0;top:calc(100%% + 6px);z-index:20;width:max-content;max-width:min(26rem,80vw);white-space:normal;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#fff;background:#111827;border-radius:6px;padding:.4rem .6rem;box-shadow:0 4px 12px rgba(0,0,0,.25);pointer-events:none;}
.nc-note mark:hover::after,.nc-note mark:focus::after{display:block;}
.nc-note:has(mark:hover) mark:focus:not(:hover)::after{display:none;}
%(colors)s
.nc-list{list-style:none;margin:0;padding:0;}
.nc-ci{border-top:1px solid var(--line);padding:.5rem 0;display:grid;grid-template-columns:1.1rem 1.4rem minmax(0,1fr);column-gap:.4rem;align-items:start;}
.nc-ci:first-child{border-top:0;}
.nc-gap{grid-template-columns:1.4rem minmax(0,1fr);}
.nc-ci:focus{outline:3px solid var(--focus);outline-offset:2px;}
.nc-ci.nc-flash{background:#fffbeb;}
.nc-swatch{display:inline-block;width:1.05rem;height:1.05rem;border-radius:3px;border:1px solid #6b7280;border-bottom:4px solid;margin-top:.2rem;}
.nc-icon{font-weight:700;text-align:center;}
.nc-body{min-width:0;}
.nc-title{font-weight:600;}
.nc-status{font-size:.8rem;font-weight:600;margin-left:.35rem;white-space:nowrap;}
.st-met{color:#166534;}
.st-partial{color:#854d0e;}
.st-missing{color:#991b1b;}
.st-not_applicable{color:#4b5563;}
.nc-msg{margin:.15rem 0 0;}
.nc-ci[data-status="met"] .nc-msg,.nc-ci[data-status="not_applicable"] .nc-msg{color:var(--muted);font-size:.9rem;}
.nc-desc{margin:.15rem 0 0;color:var(--muted);font-size:.85rem;}
.nc-show{margin-top:.3rem;font:inherit;font-size:.85rem;color:#1e3a8a;background:#eff6ff;border:1px solid #93c5fd;border-radius:5px;padding:.1rem .5rem;cursor:pointer;}
.nc-show:hover{background:#dbeafe;}
.nc-show:focus-visible{outline:3px solid var(--focus);outline-offset:1px;}
.nc-code{font-size:1.6rem;font-weight:700;margin:0;}
.nc-code small{font-size:.9rem;font-weight:400;color:var(--muted);}
.nc-table{border-collapse:collapse;width:100%%;font-size:.9rem;margin:.5rem 0;}
.nc-table th,.nc-table td{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top;}
.nc-table th{background:var(--panel);}
.nc-dl{margin:.25rem 0 .5rem;}
.nc-dl dt{font-weight:700;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;}
.nc-dl dd{margin:0 0 .4rem 1rem;}
.nc-sev{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;border-radius:4px;padding:0 .35rem;margin-right:.35rem;border:1px solid currentColor;}
.sev-high{color:#991b1b;background:#fef2f2;}
.sev-medium{color:#854d0e;background:#fefce8;}
.sev-low{color:#374151;background:#f3f4f6;}
.nc-legend{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.35rem .9rem;font-size:.875rem;}
.nc-legend li{display:flex;align-items:center;gap:.35rem;}
.nc-legend .nc-swatch{margin-top:0;}
.nc-empty{color:var(--muted);margin:0;}
.nc-sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0;}
@media print{.nc-note mark::after{display:none!important;}.nc-show{display:none;}}
"""
    % {
        "text": TEXT_COLOR,
        "colors": "\n".join(
            [f".c{i}{{background:{bg};}} .b{i}{{border-bottom-color:{bd};}}" for i, (bg, bd) in enumerate(PALETTE)]
            + [f".cx{{background:{CONTEXT_COLORS[0]};}} .bx{{border-bottom-color:{CONTEXT_COLORS[1]};}}"]
        ),
    }
)

_PAGE_CSS = """html{background:#f3f4f6;}
body{margin:0;padding:1.25rem;color:#111827;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
.nc-skip{position:absolute;left:-999px;top:0;background:#fff;color:#1e3a8a;padding:.5rem;z-index:50;}
.nc-skip:focus{left:.5rem;}
.nc-foot{color:#4b5563;font-size:.8rem;margin-top:1rem;}
"""

# Keyboard navigation and checklist links. The same behaviour is in service/static/app.js.
_SCRIPT = """(function(){
"use strict";
var root=document.querySelector('.nc-view');
function marks(){return Array.prototype.slice.call(root.querySelectorAll('.nc-note mark'));}
function current(){var m=marks();return m.indexOf(document.activeElement);}
function go(i){var m=marks();if(!m.length)return;i=(i+m.length)%m.length;m[i].focus();m[i].scrollIntoView({block:'nearest'});}
function toItem(mark){var id=(mark.getAttribute('data-items')||'').split(' ')[0];var li=document.getElementById('ci-'+id);if(li){li.classList.add('nc-flash');li.focus();setTimeout(function(){li.classList.remove('nc-flash');},1200);}}
var cursor={};
root.addEventListener('click',function(e){var b=e.target.closest('.nc-show');if(!b)return;var item=b.getAttribute('data-item');
var list=marks().filter(function(m){return (' '+m.getAttribute('data-items')+' ').indexOf(' '+item+' ')>=0;});
if(!list.length)return;var i=(cursor[item]===undefined?0:cursor[item]+1)%list.length;cursor[item]=i;list[i].focus();list[i].scrollIntoView({block:'center'});});
root.addEventListener('keydown',function(e){var t=e.target;if(t.tagName!=='MARK')return;
if(e.key==='Enter'||e.key===' '){e.preventDefault();toItem(t);}});
document.addEventListener('keydown',function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;var t=e.target;var tag=t&&t.tagName;
if(tag==='INPUT'||tag==='TEXTAREA'||tag==='SELECT'||(t&&t.isContentEditable))return;
var i=current();var onMark=i>=0;var k=e.key;
if(k==='n'||k==='j'||(onMark&&(k==='ArrowRight'||k==='ArrowDown'))){e.preventDefault();go(onMark?i+1:0);}
else if(k==='p'||k==='k'||(onMark&&(k==='ArrowLeft'||k==='ArrowUp'))){e.preventDefault();go(onMark?i-1:-1);}
else if(onMark&&k==='Home'){e.preventDefault();go(0);}
else if(onMark&&k==='End'){e.preventDefault();go(-1);}});
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _csp_hash(source: str) -> str:
    return "'sha256-" + b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _checklist_descriptions() -> dict[str, str]:
    from notecheck.registry import load_registry

    return load_registry().checklist_descriptions()


def _tip(seg: Segment, titles: dict[str, str], statuses: dict[str, str], labels: dict[str, str]) -> str:
    items = " · ".join(
        f"{titles.get(i, CONTEXT_TITLE)}" + (f" ({STATUS_TEXT.get(statuses[i], statuses[i])})" if i in statuses else "")
        for i in seg.items
    )
    fields = ", ".join(labels[k] for k in seg.fields)
    where = f" [{', '.join(s.replace('_', ' ') for s in seg.sections)}]" if seg.sections else ""
    return f"{items} — {fields}{where}"


def _note_html(text: str, segs: list[Segment], titles: dict[str, str], statuses: dict[str, str],
               labels: dict[str, str], order: list[str]) -> str:
    parts: list[str] = []
    pos = 0
    for n, seg in enumerate(segs):
        if seg.start > pos:
            parts.append(_e(text[pos:seg.start]))
        chunk = text[seg.start:seg.end]
        first = seg.items[0]
        second = seg.items[1] if len(seg.items) > 1 else first
        tip = _tip(seg, titles, statuses, labels)
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
    """The view itself (a <div class="nc-view">), without page chrome."""
    data = result.model_dump(mode="json")
    order = [c["id"] for c in data["checklist"]]
    titles = {c["id"]: c["title"] for c in data["checklist"]}
    titles[CONTEXT] = CONTEXT_TITLE
    statuses = {c["id"]: c["status"] for c in data["checklist"]}
    anns = annotations(data, text)
    labels = {a.key: a.label for a in anns}
    segs = segments(text, anns, order)
    marks_per_item: dict[str, int] = {}
    for seg in segs:
        for item in seg.items:
            marks_per_item[item] = marks_per_item.get(item, 0) + 1
    descriptions = descriptions or {}

    out: list[str] = ['<div class="nc-view">']
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
    out.append(f'<div class="nc-note" id="nc-note" lang="en">{_note_html(text, segs, titles, statuses, labels, order)}</div>')
    out.append("</section>")

    out.append('<div class="nc-side">')
    # What to add first.
    gaps = [c for c in result.checklist if c.status in ("missing", "partial")]
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
        descriptions = _checklist_descriptions()
    css = VIEW_CSS + _PAGE_CSS
    csp = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(_SCRIPT)}; "
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
        + f"</p>\n</main>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
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
    colors: dict[str, str] = {}
    for span in doc.spans[spans_key]:
        item = span.label_.split(":", 1)[0]
        idx = color_index(item, order)
        colors[span.label_] = CONTEXT_COLORS[0] if idx == "x" else PALETTE[int(idx)][0]
    return {"spans_key": spans_key, "colors": colors}
