"""The HTML view (`notecheck check --format html`, and the fragment the service page shows), the
one evidence walker behind it (notecheck.highlight), and the displacy export. The page is parsed back with html.parser: the note must come back exactly,
every evidence span highlighted exactly once per finding, nothing external referenced, nothing
from the note left unescaped."""
from __future__ import annotations

import csv
import hashlib
import html as html_mod
import re
from base64 import b64encode
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Optional

import pytest

from notecheck.cli import main as cli_main
from notecheck.models import ClaimContext, Result
from notecheck.highlight import CONTEXT, FIELD_ITEMS, annotations, segments
from notecheck.render_html import (
    displacy_options,
    evidence_doc,
    palette,
    render_html,
    render_view,
    view_css,
    view_script,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_notes"
STATIC = ROOT / "service" / "static"
NOTES = sorted(SAMPLES.glob("*.txt"))
EXTERNAL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", re.I)


def claim_context(note_id: str) -> ClaimContext:
    rows = {r["note_id"]: r for r in csv.DictReader((SAMPLES / "claims.csv").open(encoding="utf-8"))}
    row = dict(rows.get(note_id, {}))
    row.pop("expected_risks", None)
    return ClaimContext(**row) if row else ClaimContext(note_id=note_id)


class Page(HTMLParser):
    """The parts of a rendered page the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.in_note = 0  # depth of the note <div> while inside it
        self.note_text: list[str] = []
        self.marks: list[dict[str, Any]] = []
        self.mark: Optional[dict[str, Any]] = None
        self.nested_mark = False
        self.tags: list[tuple[str, dict[str, Optional[str]]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._raw: Optional[str] = None
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(a["id"])
        if tag in ("script", "style"):
            self._raw = tag
            return
        if tag in ("meta", "link", "br", "img", "input"):
            return
        if self.in_note:
            self.in_note += 1
        if tag == "div" and a.get("id") == "nc-note":
            self.in_note = 1
        if tag == "mark":
            if self.mark is not None:
                self.nested_mark = True
            self.mark = {"attrs": a, "text": "", "offset": len("".join(self.note_text))}
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None
            return
        if tag == "mark" and self.mark is not None:
            self.marks.append(self.mark)
            self.mark = None
        if self.in_note:
            self.in_note -= 1
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts.append(data)
            return
        if self._raw == "style":
            self.styles.append(data)
            return
        if self.in_note:
            self.note_text.append(data)
            if self.mark is not None:
                self.mark["text"] += data


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def evidence_spans(result: Result) -> set[tuple[int, int]]:
    """Every evidence (start, end) anywhere in the result, walked independently of render_html."""
    out: set[tuple[int, int]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if {"start", "end", "text", "section"} <= node.keys():
                out.add((node["start"], node["end"]))
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    data = result.model_dump(mode="json")
    walk(data["findings"])
    walk(data["checklist"])
    return out


def check_marks(page: str, text: str, result: Result) -> Page:
    parsed = parse(page)
    assert not parsed.nested_mark, "marks are split, never nested"
    # The note comes back character for character.
    assert "".join(parsed.note_text) == text
    marks = parsed.marks
    prev_end = -1
    for m in marks:
        a = m["attrs"]
        start, end = int(a["data-start"]), int(a["data-end"])
        assert m["offset"] == start, "data-start is the mark's position in the note"
        assert text[start:end] == m["text"]
        assert start >= prev_end, "marks do not overlap and are in order"
        prev_end = end
        assert a["tabindex"] == "0"
        assert a.get("aria-label")
        assert a.get("data-items") and a.get("data-fields") and a.get("data-tip")
        for ref in (a.get("aria-describedby") or "").split():
            assert ref in parsed.ids, f"aria-describedby points at a missing id {ref}"
    by_key: dict[str, list[dict[str, Any]]] = {}
    for m in marks:
        for key in m["attrs"]["data-fields"].split():
            by_key.setdefault(key, []).append(m)
    anns = annotations(result, text)
    # No evidence is dropped: the annotations cover every evidence span of the result.
    assert {(a.start, a.end) for a in anns} == {s for s in evidence_spans(result) if s[0] < s[1]}
    for ann in anns:
        inside = [m for m in by_key.get(ann.key, []) if int(m["attrs"]["data-start"]) >= ann.start and int(m["attrs"]["data-end"]) <= ann.end]
        # Exactly once: the finding's marks inside its span tile it without gap or repeat.
        pos = ann.start
        for m in inside:
            assert int(m["attrs"]["data-start"]) == pos
            pos = int(m["attrs"]["data-end"])
        assert pos == ann.end, f"{ann.key} {ann.start}-{ann.end} is not fully highlighted"
        assert "".join(m["text"] for m in inside) == text[ann.start:ann.end]
        # The mark is coloured for its checklist item and says so.
        assert all(ann.item in m["attrs"]["data-items"].split() for m in inside)
        # No mark of this finding straddles the span's edges.
        for m in by_key[ann.key]:
            s, e = int(m["attrs"]["data-start"]), int(m["attrs"]["data-end"])
            assert e <= ann.start or s >= ann.end or (s >= ann.start and e <= ann.end)
    # Nothing highlighted that is not evidence.
    for key, ms in by_key.items():
        spans = [(a.start, a.end) for a in anns if a.key == key]
        for m in ms:
            s, e = int(m["attrs"]["data-start"]), int(m["attrs"]["data-end"])
            assert any(a <= s and e <= b for a, b in spans)
    return parsed


def assert_no_external(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    for attr in re.findall(r"""(?:src|href|action|srcset|xlink:href)\s*=\s*["']?([^"'\s>]*)""", page, re.I):
        assert not EXTERNAL.match(attr), attr
        assert not attr.lower().startswith(("http", "//", "data:", "javascript:")), attr
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page, re.I):
        pytest.fail(f"the page loads {url!r}")
    assert "@import" not in page


@pytest.fixture(scope="module")
def rendered(checker) -> dict[str, tuple[str, Result, str]]:
    out = {}
    for path in NOTES:
        text = path.read_text(encoding="utf-8")
        ctx = claim_context(path.stem)
        result = checker.check(text, ctx, path.stem)
        out[path.stem] = (text, result, render_html(result, text))
    return out


@pytest.mark.parametrize("note", [p.stem for p in NOTES])
def test_every_evidence_span_highlighted_once_per_finding(rendered, note):
    text, result, page = rendered[note]
    parsed = check_marks(page, text, result)
    # Checklist panel: one entry per item with its status and message.
    items = [a for t, a in parsed.tags if t == "li" and a.get("id", "").startswith("ci-")]
    assert [a["data-item"] for a in items] == [c.id for c in result.checklist]
    assert [a["data-status"] for a in items] == [c.status for c in result.checklist]
    assert_no_external(page)


def test_page_shows_checklist_fix_messages_code_and_risks(rendered):
    text, result, page = next(
        v for v in rendered.values() if v[1].procedure.suggested_cpt and any(c.status == "missing" for c in v[1].checklist)
    )
    parsed = parse(page)
    body = "".join(parsed.note_text)
    assert body == text
    for c in result.checklist:
        assert html_mod.escape(c.message) in page
        if c.status in ("missing", "partial"):
            assert f'class="nc-ci nc-gap" data-item="{c.id}"' in page
    assert result.procedure.suggested_cpt and f'id="nc-cpt">{result.procedure.suggested_cpt}' in page
    for m in result.modifiers:
        assert f"<dt>{m.code}</dt>" in page
    for icd in result.icd10_suggestions:
        assert f"<dt>{icd.code}</dt>" in page
    for line in result.claim_lines:
        assert html_mod.escape(line.site) in page


def test_denial_risks_shown_only_when_present(rendered):
    with_risk = [v for v in rendered.values() if v[1].denial_risks]
    without = [v for v in rendered.values() if not v[1].denial_risks]
    assert with_risk and without
    text, result, page = with_risk[0]
    assert 'id="nc-risks"' in page
    for r in result.denial_risks:
        assert f'data-risk="{r.id}"' in page and f"sev-{r.severity}" in page
    assert 'id="nc-risks"' not in without[0][2]


def test_physician_queries_shown_with_the_gap_they_close(rendered):
    with_queries = [v for v in rendered.values() if v[1].queries]
    assert with_queries, "some sample note has a documentation gap"
    text, result, page = with_queries[0]
    assert 'id="nc-queries"' in page
    for q in result.queries:
        assert f'data-gap="{q.gap}"' in page
        assert html_mod.escape(q.question, quote=False) in page
    without = [v for v in rendered.values() if not v[1].queries]
    if without:
        assert 'id="nc-queries"' not in without[0][2]


def test_not_an_implant_removal_renders(rendered):
    text, result, page = next(v for v in rendered.values() if not v[1].procedure.is_implant_removal)
    check_marks(page, text, result)
    assert 'id="nc-cpt">None' in page
    assert "No separately reportable implant removal." in page


def _result(text: str, findings: dict[str, Any], checklist: Optional[list[dict[str, Any]]] = None) -> Result:
    def ev(s: str, nth: int = 0) -> dict[str, Any]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(s, start + 1)
        return {"text": s, "start": start, "end": start + len(s), "section": "procedure_description"}

    def build(node: Any) -> Any:
        if isinstance(node, tuple):
            return ev(*node)
        if isinstance(node, dict):
            return {k: build(v) for k, v in node.items()}
        if isinstance(node, list):
            return [build(v) for v in node]
        return node

    items = checklist or [
        {"id": "implant_type", "title": "Implant type and count", "status": "met", "message": "ok.", "evidence": []},
        {"id": "anatomic_location", "title": "Side and digit or metacarpal", "status": "met", "message": "ok.", "evidence": []},
        {"id": "hardware_accounted", "title": "Hardware accounted for", "status": "missing", "message": "Confirm it.", "evidence": []},
        {"id": "closure", "title": "Closure", "status": "missing", "message": "Describe the closure.", "evidence": []},
    ]
    return Result.model_validate({
        "note_id": "synthetic",
        "procedure": {"is_implant_removal": True, "suggested_cpt": "26320", "units": 1, "reason": "r"},
        "findings": build(findings),
        "checklist": build(items),
        "score": 50,
        "ready_to_sign": False,
    })


OVERLAP_TEXT = "Two K-wires were removed from the left ring finger proximal phalanx intact.\nClosed with nylon."


def overlap_result() -> Result:
    sentence = "Two K-wires were removed from the left ring finger proximal phalanx intact."
    return _result(OVERLAP_TEXT, {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [("K-wires",)]}],
        "laterality": {"value": "left", "evidence": [("left ring finger proximal phalanx",)]},
        "digits": [{"value": "ring", "side": "left", "evidence": [("ring finger",)]}],
        "bones": [{"value": "proximal_phalanx", "ray": 4, "side": "left", "evidence": [("proximal phalanx",)]}],
        "region": [{"value": "finger", "evidence": [("ring finger",)]}],
        "hardware_accounted": [(sentence,), ("removed from the left",)],
        "depth": [{"value": "superficial", "evidence": [("finger proximal",)]}],
    }, [
        {"id": "implant_type", "title": "Implant type and count", "status": "met", "message": "ok.", "evidence": [("K-wires",)]},
        {"id": "anatomic_location", "title": "Side and digit or metacarpal", "status": "met", "message": "ok.", "evidence": [("ring finger",)]},
        {"id": "hardware_accounted", "title": "Hardware accounted for", "status": "met", "message": "ok.", "evidence": []},
        {"id": "closure", "title": "Closure", "status": "missing", "message": "Describe the closure.", "evidence": [("Closed with nylon",)]},
    ])


def test_overlapping_spans_are_split_deterministically():
    result = overlap_result()
    page = render_html(result, OVERLAP_TEXT)
    parsed = check_marks(page, OVERLAP_TEXT, result)
    assert page == render_html(result, OVERLAP_TEXT), "same input, same page"
    texts = [m["text"] for m in parsed.marks]
    # The sentence is cut at every start/end inside it; the shared pieces carry every finding.
    assert texts[:3] == ["Two ", "K-wires", " were "]
    ring = next(m for m in parsed.marks if m["text"] == "ring ")
    assert ring["attrs"]["data-items"].split() == ["anatomic_location", "hardware_accounted"]
    assert set(ring["attrs"]["data-fields"].split()) == {
        "laterality.left", "digits.ring.left", "region.finger", "hardware_accounted"}
    finger = next(m for m in parsed.marks if m["text"] == "finger")
    assert finger["attrs"]["data-items"].split() == ["anatomic_location", "hardware_accounted", CONTEXT]
    assert "depth.superficial" in finger["attrs"]["data-fields"].split()
    # Two items: background of the first, underline of the second.
    assert finger["attrs"]["class"] == "c1 b2"
    # Checklist-only evidence (no finding) is still highlighted, under its item.
    closure = next(m for m in parsed.marks if m["text"] == "Closed with nylon")
    assert closure["attrs"]["data-fields"] == "checklist.closure"
    assert closure["attrs"]["data-items"] == "closure"
    # Duplicate spans across findings and the checklist are one annotation each per finding.
    anns = annotations(result, OVERLAP_TEXT)
    assert len({(a.start, a.end, a.key) for a in anns}) == len(anns)
    assert not any(a.key.startswith("checklist.") and a.item in ("implant_type", "anatomic_location") for a in anns)


def test_segments_cover_each_annotation_exactly():
    result = overlap_result()
    anns = annotations(result, OVERLAP_TEXT)
    segs = segments(OVERLAP_TEXT, anns, [c.id for c in result.checklist])
    for a in anns:
        covered = [s for s in segs if a.key in s.fields]
        assert sum(s.end - s.start for s in covered) == a.end - a.start or len([x for x in anns if x.key == a.key]) > 1
        assert "".join(OVERLAP_TEXT[s.start:s.end] for s in covered if a.start <= s.start and s.end <= a.end) == OVERLAP_TEXT[a.start:a.end]


def test_bad_offsets_are_dropped_not_rendered():
    text = "Two K-wires removed."
    result = _result(text, {"implants": [{"type": "k_wire", "evidence": [("K-wires",)]}]})
    data = result.model_dump(mode="json")
    data["findings"]["closure"] = [
        {"text": "x", "start": 5, "end": 5, "section": "s"},
        {"text": "x", "start": -1, "end": 3, "section": "s"},
        {"text": "x", "start": 10, "end": 99, "section": "s"},
    ]
    bad = Result.model_validate(data)
    parsed = check_marks(render_html(bad, text), text, result)
    assert [m["text"] for m in parsed.marks] == ["K-wires"]


HOSTILE = (
    'PROCEDURE: Removal of <script>window.__pwned=1</script> two K-wires, left ring finger.\n'
    'Note "><img src=x onerror="window.__pwned=2"> & <b>bold</b> &amp; </mark></div><style>body{display:none}</style>\n'
    "Emoji 🖐 and accents: fracture healé. All hardware removed intact."
)


def hostile_result() -> Result:
    return _result(HOSTILE, {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [("<script>window.__pwned=1</script> two K-wires",)]}],
        "laterality": {"value": "left", "evidence": [("left",)]},
        "hardware_accounted": [('"><img src=x onerror="window.__pwned=2">',), ("</mark></div><style>body{display:none}</style>",),
                               ("🖐 and accents: fracture healé",)],
    })


def test_note_text_is_escaped():
    result = hostile_result()
    page = render_html(result, HOSTILE)
    parsed = check_marks(page, HOSTILE, result)
    assert [t for t, _ in parsed.tags].count("script") == 1, "only the page's own script"
    assert [t for t, _ in parsed.tags].count("style") == 1, "only the page's own style"
    assert not any(t in ("img", "b") for t, _ in parsed.tags)
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a)
    assert "window.__pwned" not in "".join(parsed.scripts)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page


EXACT_TEXT = 'Two K-wires\r\nremoved "intact" from the <left> ring finger 🖐🏽.\r\nClosed with nylon 𝒳'


def test_view_is_character_exact_through_an_html_parser():
    """CRLF, quotes, markup characters and astral characters come back as they were, with
    evidence at offset 0 and at the end; no raw CR is left for a parser to fold into LF."""
    result = _result(EXACT_TEXT, {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [("Two K-wires\r\nremoved",)]}],
        "laterality": {"value": "left", "evidence": [("<left>",)]},
        "digits": [{"value": "ring", "side": "left", "evidence": [("<left> ring finger 🖐🏽",)]}],
        "hardware_accounted": [('removed "intact"',)],
        "depth": [{"value": "superficial", "evidence": [("nylon 𝒳",)]}],
    })
    view = render_view(result, EXACT_TEXT)
    assert "\r" not in view and "&#13;" in view
    page = render_html(result, EXACT_TEXT)
    parsed = check_marks(page, EXACT_TEXT, result)
    assert parsed.marks[0]["attrs"]["data-start"] == "0"
    assert parsed.marks[-1]["attrs"]["data-end"] == str(len(EXACT_TEXT))
    assert [m["text"] for m in parsed.marks if "laterality.left" in m["attrs"]["data-fields"]] == ["<left>"]


def test_nul_and_unpaired_surrogates_keep_their_place():
    """Not text an HTML parser keeps (NUL is dropped, a surrogate cannot be encoded): each is one
    U+FFFD, so the offsets after it still count the note's code points."""
    text = "A\x00 K-wire \ud800 removed."
    result = _result(text, {"implants": [{"type": "k_wire", "evidence": [("removed",)]}]})
    view = render_view(result, text)
    view.encode("utf-8")  # no surrogate left
    parsed = parse(view)
    shown = "".join(parsed.note_text)
    assert shown == text.replace("\x00", "\ufffd").replace("\ud800", "\ufffd")
    mark = parsed.marks[0]
    assert shown[int(mark["attrs"]["data-start"]):int(mark["attrs"]["data-end"])] == "removed"


def test_csp_allows_only_the_inline_style_and_script():
    result = overlap_result()
    page = render_html(result, OVERLAP_TEXT)
    parsed = parse(page)
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    for body, directive in ((parsed.styles[0], "style-src"), (parsed.scripts[0], "script-src")):
        digest = b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp
    assert not any(a.get("style") for _, a in parsed.tags), "no style attributes"


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_meet_wcag_aa():
    pairs, context, text_color = palette()
    assert len(pairs) == 10 and text_color == "#111827"
    for bg, border in [*pairs, context]:
        assert contrast(text_color, bg) >= 4.5, bg
        assert contrast(border, "#ffffff") >= 3.0, border  # non-text contrast of the underline
    # Every text colour the stylesheet sets, on the background it is used on.
    css = view_css()
    for selector, colour in re.findall(r"(\.[\w-]+(?:\.[\w-]+)?)\{color:(#[0-9a-f]{6})", css):
        bg = re.search(re.escape(selector) + r"\{[^}]*background:(#[0-9a-f]{6})", css)
        assert contrast(colour, bg.group(1) if bg else "#ffffff") >= 4.5, selector
    assert contrast("#4b5563", "#f9fafb") >= 4.5  # muted text on panels
    assert contrast("#ffffff", "#111827") >= 4.5  # tooltips
    assert contrast("#1e3a8a", "#eff6ff") >= 4.5  # "Show in note" buttons


def test_field_items_are_checklist_items(checker):
    items = set(checker.checklist_rules.items)
    assert set(FIELD_ITEMS.values()) <= items


def _classes(css: str) -> set[str]:
    return set(re.findall(r"\.([A-Za-z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))


def test_one_stylesheet_and_one_script_for_both_pages():
    """The standalone page inlines notecheck/static/view.css and view.js; the service page links
    the same files and its own stylesheet restyles nothing of the view."""
    page = render_html(overlap_result(), OVERLAP_TEXT)
    parsed = parse(page)
    assert parsed.styles[0].startswith(view_css()) and parsed.scripts == [view_script()]
    html_text = (STATIC / "index.html").read_text(encoding="utf-8")
    tags = parse(html_text).tags
    links = [a["href"] for t, a in tags if t == "link" and a.get("rel") == "stylesheet"]
    assert links == ["/static/view/view.css", "/static/app.css"]
    app_css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert not _classes(app_css) & _classes(view_css()), "app.css styles only the page around the view"
    assert "view: begin" not in app_css


def test_service_page_has_no_inline_code_and_no_external_urls():
    html_text = (STATIC / "index.html").read_text(encoding="utf-8")
    parsed = parse(html_text)
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert scripts == [{"src": "/static/view/view.js", "defer": None}, {"src": "/static/app.js", "defer": None}]
    assert not parsed.styles and not any(t == "style" for t, _ in parsed.tags)
    assert not any("style" in a for _, a in parsed.tags), "no style attributes under CSP"
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a), "no inline event handlers"
    labels = {a["for"] for t, a in parsed.tags if t == "label"}
    controls = {a["id"] for t, a in parsed.tags if t in ("input", "textarea", "select")}
    assert controls <= labels, "every form control has a label"
    for name in ("index.html", "app.js", "app.css"):
        assert_no_external((STATIC / name).read_text(encoding="utf-8"))
    for text in (view_css(), view_script()):
        assert_no_external(text)


def _code(js: str) -> str:
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)
    return re.sub(r"^\s*//.*$", "", code, flags=re.M)


def test_service_script_draws_nothing_and_has_no_html_sink():
    """app.js posts the note and inserts the engine's fragment: it builds no markup, knows no
    field or colour, and reaches HTML only through DOMParser (an inert document)."""
    for js in ((STATIC / "app.js").read_text(encoding="utf-8"), view_script()):
        code = _code(js)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                     "createContextualFragment", "srcdoc"):
            assert sink not in code, sink
    code = _code((STATIC / "app.js").read_text(encoding="utf-8"))
    assert code.count("new DOMParser()") == 1
    for twin in ("FIELD_ITEMS", "PALETTE", "annotations", "segments", "createElement", "createTextNode", "<mark"):
        assert twin not in code, twin


def _view_lists() -> tuple[set[str], set[str]]:
    js = (STATIC / "app.js").read_text(encoding="utf-8")

    def listed(name: str) -> set[str]:
        block = js.split(f"var {name} = [", 1)[1].split("];", 1)[0]
        return set(re.findall(r'"([a-z0-9-]+)"', block))

    return listed("VIEW_TAGS"), listed("VIEW_ATTRIBUTES")


def test_page_allow_list_is_what_the_view_writes(rendered):
    """Every element and attribute render_view writes passes the page's check, and the check
    allows no element the view never writes."""
    tags_allowed, attrs_allowed = _view_lists()
    tags: set[str] = set()
    for text, result, _ in [*rendered.values(), (HOSTILE, hostile_result(), "")]:
        view = parse(render_view(result, text, {"closure": "How it was <closed>."}))
        for tag, attrs in view.tags:
            tags.add(tag)
            for name in attrs:
                assert name in attrs_allowed or re.fullmatch(r"(data|aria)-[a-z-]+", name), (tag, name)
    assert tags == tags_allowed


def test_cli_writes_the_html_page(tmp_path):
    note = NOTES[0]
    out = tmp_path / "view.html"
    code = cli_main(["check", str(note), "--format", "html", "-o", str(out)])
    assert code in (0, 1)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert "".join(parsed.note_text) == note.read_text(encoding="utf-8")
    assert parsed.marks
    assert_no_external(page)


def test_render_html_takes_descriptions(checker):
    result = overlap_result()
    page = render_html(result, OVERLAP_TEXT, descriptions={"closure": "How the <wound> was closed."})
    assert "How the &lt;wound&gt; was closed." in page
    default = render_html(result, OVERLAP_TEXT)
    assert checker.checklist_rules.items["closure"].description.split(" (")[0] in default


def test_evidence_doc_for_displacy(checker):
    import spacy
    from spacy import displacy

    path = SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt"
    text = path.read_text(encoding="utf-8")
    result = checker.check(text, None, path.stem)
    doc = evidence_doc(checker, text, result)
    assert doc.text == text
    spans = list(doc.spans["sc"])
    anns = annotations(result, text)
    assert len(spans) == len(anns)
    for span, ann in zip(spans, anns):
        assert span.label_ == f"{ann.item}: {ann.key}"
        assert span.start_char <= ann.start and span.end_char >= ann.end
    exact = sum(1 for s, a in zip(spans, anns) if (s.start_char, s.end_char) == (a.start, a.end))
    assert exact >= 0.9 * len(anns)
    assert any(s.label_.startswith("implant_type: implants.k_wire") for s in spans)
    options = displacy_options(doc)
    assert set(options["colors"]) == {s.label_ for s in spans}
    markup = displacy.render(doc, style="span", options=options, jupyter=False)
    assert "implant_type: implants.k_wire" in markup and "K-wires" in markup
    # Without a checker: a blank tokenizer, same spans.
    blank = evidence_doc(None, text, result)
    assert [s.label_ for s in blank.spans["sc"]] == [s.label_ for s in spans]
    other = evidence_doc(spacy.blank("en"), text, result)
    assert len(other.spans["sc"]) == len(spans)
