"""Browser tests in real headless Chromium (Debian's /usr/bin/chromium driven by playwright):

* the service page at GET /: paste a sample note, fill the claim, press Check (and Ctrl+Enter),
  then the highlights, checklist statuses, fix messages, code and risks must be on the page, with
  no console error, no request leaving the service, and the page working under the service's CSP;
* the page shows exactly the view the engine renders (notecheck/render_html.py): the DOM it
  builds is the engine's fragment, parsed; a hostile note stays text; an answer that is not the
  engine's view (script, event handlers, foreign elements) is refused, not inserted;
* the page `notecheck check --format html` writes (file://): no console error (its CSP hashes
  match), no network, keyboard navigation between highlights, CRLF and astral characters kept.

Screenshots go to tests/artifacts/ (gitignored).
"""
from __future__ import annotations

import csv
import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from notecheck.highlight import annotations, segments
from notecheck.models import ClaimContext, Result
from notecheck.render_html import checklist_descriptions, render_html, render_view

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)"
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_notes"
STATIC = ROOT / "service" / "static"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
API_KEY = "browser-test-key-7f3a"
SERVICE_CSP = "default-src 'self'"

def has_missing_item(result: Result) -> bool:
    return not result.ready_to_sign and any(c.status == "missing" for c in result.checklist)


def has_denial_risk(result: Result) -> bool:
    return bool(result.denial_risks) and bool(result.modifiers)


def claim_row(note_id: str) -> dict[str, str]:
    rows = {r["note_id"]: r for r in csv.DictReader((SAMPLES / "claims.csv").open(encoding="utf-8"))}
    row = dict(rows.get(note_id, {"note_id": note_id}))
    row.pop("expected_risks", None)
    return row


def pick_note(checker, want) -> str:
    """The first sample note (with its claims.csv row) whose result satisfies `want`, so the
    tests keep exercising gaps and risks while the rules and samples evolve."""
    for path in sorted(SAMPLES.glob("hwr_*.txt")):
        row = claim_row(path.stem)
        if want(checker.check(path.read_text(encoding="utf-8"), ClaimContext(**row), path.stem)):
            return path.stem
    pytest.fail("no sample note fits this test")


def expected_segments(result: Result | dict[str, Any], text: str) -> list[dict[str, Any]]:
    data = result.model_dump(mode="json") if isinstance(result, Result) else result
    order = [c["id"] for c in data["checklist"]]
    return [
        {"start": s.start, "end": s.end, "text": text[s.start:s.end], "items": " ".join(s.items), "fields": " ".join(s.fields)}
        for s in segments(text, annotations(data, text), order)
    ]


# ---- the service, in-process ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _service_app():
    """The real service (service.app.create_app) with an API key configured."""
    from service.app import create_app
    from service.settings import Settings

    return create_app(settings=Settings(api_key=API_KEY))


@contextmanager
def running(app) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="uvicorn-browser-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    import httpx

    with running(_service_app()) as base:
        deadline = time.monotonic() + 60
        while httpx.get(base + "/readyz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "the pipeline did not load"
            time.sleep(0.1)
        yield base


# ---- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Console errors, page errors, dialogs and every request a page makes."""

    def __init__(self, page, allowed_errors: tuple[str, ...] = ()) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.allowed = allowed_errors
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("dialog", self._dialog)

    def _console(self, msg) -> None:
        if msg.type == "error" and not any(a in msg.text for a in self.allowed):
            self.errors.append(msg.text)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs


def open_service(browser, base: str, allowed_errors: tuple[str, ...] = ()):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    watch = Watch(page, allowed_errors)
    served_csp: list[Optional[str]] = []

    def with_csp(route) -> None:
        # The page must work under the service's policy (no inline script or style). The service
        # sends it; the route adds it if it does not, so the page is tested under it either way.
        response = route.fetch()
        headers = dict(response.headers)
        served_csp.append(headers.get("content-security-policy"))
        headers.setdefault("content-security-policy", SERVICE_CSP)
        route.fulfill(response=response, headers=headers)

    page.route(base + "/", with_csp)
    page.goto(base + "/")
    wait_page_ready(page)
    return context, page, watch, served_csp


def wait_page_ready(page) -> None:
    page.wait_for_selector("#check-form[data-ready='true']", state="attached")


def paste(page, selector: str, text: str) -> None:
    """Put the text on the clipboard and paste it with Ctrl+V, as a scribe does."""
    page.evaluate("t => navigator.clipboard.writeText(t)", text)
    page.focus(selector)
    page.keyboard.press("Control+V")
    page.wait_for_function("([s, n]) => document.querySelector(s).value.length === n", arg=[selector, len(text)])


def fill_claim(page, row: dict[str, str]) -> None:
    page.click("#claim-details > summary")
    for field, selector in (
        ("note_id", "#note-id"), ("removal_date", "#removal-date"), ("index_surgery_date", "#index-date"),
        ("index_cpt", "#index-cpt"), ("billed_cpt", "#billed-cpt"), ("billed_units", "#billed-units"),
        ("billed_modifiers", "#billed-modifiers"),
    ):
        if row.get(field):
            page.fill(selector, row[field])
    if row.get("index_related"):
        page.select_option("#index-related", "true" if row["index_related"].lower() in ("true", "1", "yes") else "false")


def page_marks(page) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "#nc-note mark",
        """ms => ms.map(m => ({start: +m.dataset.start, end: +m.dataset.end, text: m.textContent,
              items: m.dataset.items, fields: m.dataset.fields, tabindex: m.getAttribute('tabindex'),
              label: m.getAttribute('aria-label'), describedby: m.getAttribute('aria-describedby')}))""",
    )


def assert_view(page, result: Result, text: str) -> None:
    marks = page_marks(page)
    expected = expected_segments(result, text)
    assert [{k: m[k] for k in ("start", "end", "text", "items", "fields")} for m in marks] == expected
    assert all(m["tabindex"] == "0" and m["label"] for m in marks)
    for m in marks:
        for ref in (m["describedby"] or "").split():
            assert page.locator(f"#{ref}").count() == 1
    assert page.eval_on_selector("#nc-note", "n => n.textContent") == text
    items = page.eval_on_selector_all("#checklist li.nc-ci", "ls => ls.map(l => [l.dataset.item, l.dataset.status])")
    assert items == [[c.id, c.status] for c in result.checklist]
    gaps = page.locator("#nc-gaps").inner_text()
    for c in result.checklist:
        if c.status in ("missing", "partial"):
            assert c.message in gaps
        assert page.locator(f"#ci-{c.id}-msg").inner_text() == c.message
    cpt = result.procedure.suggested_cpt or "None"
    assert page.locator("#nc-cpt").inner_text().startswith(cpt)
    risks = page.eval_on_selector_all(".nc-risk", "rs => rs.map(r => r.dataset.risk)")
    assert risks == [r.id for r in result.denial_risks]
    for m in result.modifiers:
        assert m.reason in page.locator("#nc-modifiers").inner_text()


SAME_AS_PARSED = """(html) => {
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  const shown = document.getElementById("result");
  return shown.children.length === 1 && shown.firstElementChild.isEqualNode(parsed.firstElementChild);
}"""


def assert_engine_view(page, checker, result: Result, text: str) -> None:
    """The page's view is the engine's fragment for this note, node for node."""
    fragment = render_view(result, text, checklist_descriptions(checker))
    assert page.evaluate(SAME_AS_PARSED, fragment)


def active(page) -> Optional[str]:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def assert_keyboard_navigation(page, n_marks: int) -> None:
    page.mouse.move(0, 0)  # a pointer resting on another highlight would show that one's tooltip
    page.keyboard.press("n")
    assert active(page) == "seg-0"
    page.keyboard.press("n")
    assert active(page) == "seg-1"
    page.keyboard.press("p")
    assert active(page) == "seg-0"
    page.keyboard.press("ArrowRight")
    assert active(page) == "seg-1"
    page.keyboard.press("ArrowLeft")
    assert active(page) == "seg-0"
    page.keyboard.press("End")
    assert active(page) == f"seg-{n_marks - 1}"
    page.keyboard.press("n")
    assert active(page) == "seg-0", "wraps around"
    page.keyboard.press("p")
    assert active(page) == f"seg-{n_marks - 1}"
    page.keyboard.press("Home")
    assert active(page) == "seg-0"
    # The focused highlight shows its item and finding.
    tip = page.evaluate(
        "() => { const m = document.activeElement; const s = getComputedStyle(m, '::after');"
        " return [s.display, s.content, m.dataset.tip]; }"
    )
    assert tip[0] == "block" and tip[2] and tip[2] in tip[1]
    # Tab moves to the next highlight as well.
    page.keyboard.press("Tab")
    assert active(page) == "seg-1"
    # Enter opens the checklist item of the highlight.
    item = page.evaluate("() => document.activeElement.dataset.items.split(' ')[0]")
    page.keyboard.press("Enter")
    if item != "context":
        assert active(page) == f"ci-{item}"
    # "Show in note" walks the item's highlights.
    first_item = page.eval_on_selector("#seg-0", "m => m.dataset.items.split(' ')[0]")
    if first_item != "context":
        page.click(f".nc-show[data-item='{first_item}']")
        assert first_item in page.evaluate("() => document.activeElement.dataset.items").split()


# ---- the service page ------------------------------------------------------------------------


def test_service_page_checks_a_pasted_note(browser, service_url, checker):
    note = pick_note(checker, has_missing_item)
    text = (SAMPLES / f"{note}.txt").read_text(encoding="utf-8")
    row = claim_row(note)
    context, page, watch, served_csp = open_service(browser, service_url)
    try:
        assert page.title().startswith("notecheck")
        page.fill("#api-key", API_KEY)
        paste(page, "#note-input", text)
        fill_claim(page, row)
        page.click("#check-button")
        page.wait_for_selector("#nc-note mark")
        expected = checker.check(text, ClaimContext(**row), row["note_id"])
        assert has_missing_item(expected)
        assert_engine_view(page, checker, expected, text)
        assert_view(page, expected, text)
        status = page.locator("#app-status").inner_text()
        assert status.startswith("Documentation gaps") and f"score {expected.score}/100" in status
        # The checklist descriptions come from GET /v1/checklist.
        assert page.locator("#checklist .nc-desc").count() == len(expected.checklist)
        page.screenshot(path=str(ARTIFACTS / "service_gaps_full.png"), full_page=True)
        assert_keyboard_navigation(page, len(page_marks(page)))
        page.hover("#seg-2")
        shown = page.eval_on_selector_all(
            "#nc-note mark", "ms => ms.filter(m => getComputedStyle(m, '::after').display === 'block').map(m => m.id)"
        )
        assert shown == ["seg-2"], "one tooltip at a time: the hovered highlight's"
        page.screenshot(path=str(ARTIFACTS / "service_gaps_hover.png"))
        assert page.evaluate("() => sessionStorage.getItem('notecheck.apiKey')") == API_KEY
        assert all(u.startswith(service_url + "/") for u in watch.requests), watch.requests
        watch.assert_clean()
    finally:
        context.close()


def test_service_page_ctrl_enter_with_risks_and_remembered_key(browser, service_url, checker):
    note = pick_note(checker, has_denial_risk)
    text = (SAMPLES / f"{note}.txt").read_text(encoding="utf-8")
    row = claim_row(note)
    context, page, watch, served_csp = open_service(browser, service_url)
    try:
        page.fill("#api-key", API_KEY)
        page.fill("#note-input", "placeholder")
        page.reload()
        wait_page_ready(page)
        assert page.input_value("#api-key") == API_KEY, "the key is kept for the tab"
        page.fill("#note-input", text)
        fill_claim(page, row)
        page.focus("#note-input")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector("#nc-note mark")
        expected = checker.check(text, ClaimContext(**row), row["note_id"])
        assert expected.denial_risks
        assert_engine_view(page, checker, expected, text)
        assert_view(page, expected, text)
        assert page.locator("#nc-risks").is_visible()
        # The draft physician queries, as the engine wrote them, one per gap.
        if expected.queries:
            assert page.locator("#nc-queries .nc-query").count() == len(expected.queries)
            assert page.locator("#nc-queries").inner_text().count(expected.queries[0].question) == 1
        page.screenshot(path=str(ARTIFACTS / "service_risks_full.png"), full_page=True)
        # A second check replaces the view.
        other = (SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt").read_text(encoding="utf-8")
        page.fill("#note-input", other)
        page.fill("#note-id", "")
        page.click("#claim-details > summary")  # close it; the values stay and are still sent
        page.keyboard.press("Control+Enter")
        page.wait_for_function("() => document.querySelector('#nc-note').textContent.startsWith('PREOPERATIVE')")
        assert page.locator(".nc-view").count() == 1
        watch.assert_clean()
        if served_csp and served_csp[0] is not None:
            assert "default-src 'self'" in served_csp[0]
    finally:
        context.close()


def test_service_page_reports_errors(browser, service_url):
    context, page, watch, _ = open_service(
        browser, service_url, allowed_errors=("status of 401", "status of 422")
    )
    try:
        page.click("#check-button")
        assert page.locator("#app-status").inner_text() == "Paste a note first."
        assert not any("/v1/check" in u for u in watch.requests)
        page.fill("#note-input", "Removal of two K-wires, left ring finger.")
        page.fill("#api-key", "wrong-key")
        page.click("#check-button")
        page.wait_for_function("() => /API key/.test(document.querySelector('#app-status').textContent)")
        assert page.locator(".nc-view").count() == 0
        page.fill("#api-key", API_KEY)
        page.click("#claim-details > summary")
        page.fill("#billed-units", "500")
        page.click("#check-button")
        page.wait_for_function("() => /HTTP 422/.test(document.querySelector('#app-status').textContent)")
        assert "billed_units" in page.locator("#app-status").inner_text()
        assert page.locator("#check-button").is_enabled()
        watch.assert_clean()
    finally:
        context.close()


def test_service_page_handles_characters_outside_the_bmp(browser, service_url, checker):
    """Offsets are code points: an emoji before the evidence must not shift the highlights."""
    base = (SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt").read_text(encoding="utf-8")
    text = "🖐🏽 Dictated via app 𝒳.\n" + base
    context, page, watch, _ = open_service(browser, service_url)
    try:
        page.fill("#api-key", API_KEY)
        page.fill("#note-input", text)
        page.click("#check-button")
        page.wait_for_selector("#nc-note mark")
        expected = checker.check(text, None, None)
        assert_engine_view(page, checker, expected, text)
        assert_view(page, expected, text)
        watch.assert_clean()
    finally:
        context.close()


# ---- the engine's view, inserted as it comes ------------------------------------------------

HOSTILE = (
    "PROCEDURE: Removal of <script>window.__pwned=1</script> two K-wires, left ring finger.\r\n"
    'Note "><img src=x onerror="window.__pwned=2"> & <b>bold</b> &amp; </mark></div> \'single\'\r\n'
    "Emoji 🖐🏽 𝒳 and accents: fracture healé. All hardware removed intact."
)


def synthetic_result(text: str, spans: dict[str, list[str]]) -> dict[str, Any]:
    """A result whose findings point at the given substrings (first occurrence)."""

    def ev(sub: str) -> dict[str, Any]:
        start = text.index(sub)
        return {"text": sub, "start": start, "end": start + len(sub), "section": "procedure"}

    findings: dict[str, Any] = {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [ev(x) for x in spans.get("implants", [])]}],
        "laterality": {"value": "left", "conflict": False, "evidence": [ev(x) for x in spans.get("laterality", [])]},
        "digits": [{"value": "ring", "side": "left", "evidence": [ev(x) for x in spans.get("digits", [])]}],
        "hardware_accounted": [ev(x) for x in spans.get("hardware_accounted", [])],
        "depth": [{"value": "superficial", "evidence": [ev(x) for x in spans.get("depth", [])]}],
    }
    checklist = [
        {"id": "implant_type", "title": "Implant type and count", "status": "met", "message": "ok", "evidence": [ev(x) for x in spans.get("implants", [])[:1]]},
        {"id": "anatomic_location", "title": "Side & <digit>", "status": "partial", "message": "Name the <bone>.", "evidence": []},
        {"id": "hardware_accounted", "title": "Hardware accounted for", "status": "met", "message": "ok", "evidence": []},
        {"id": "closure", "title": "Closure", "status": "missing", "message": "Describe the closure.", "evidence": [ev(x) for x in spans.get("closure", [])]},
    ]
    return Result.model_validate({
        "note_id": "<b>synthetic</b>",
        "procedure": {"is_implant_removal": True, "suggested_cpt": "26320", "units": 1, "reason": "<i>r</i>"},
        "findings": findings, "checklist": checklist, "score": 40, "ready_to_sign": False,
        "denial_risks": [{"id": "x_<y>", "severity": "high", "message": "<script>window.__pwned=3</script>"}],
    }).model_dump(mode="json")


HOSTILE_RESULT = synthetic_result(HOSTILE, {
    # Nested, overlapping, at offset 0 and at the end, across CRLF and astral characters.
    "implants": ["PROCEDURE: Removal of <script>window.__pwned=1</script> two K-wires", "K-wires"],
    "laterality": ["left ring finger.\r\nNote"],
    "digits": ["ring finger"],
    "hardware_accounted": ['"><img src=x onerror="window.__pwned=2">', "</mark></div>", "All hardware removed intact."],
    "depth": ["🖐🏽 𝒳 and accents: fracture healé"],
    "closure": ["fracture healé. All"],
})
CHECK_URL = re.compile(r".*/v1/check(\?.*)?$")


def answer_check_with(page, body: str, content_type: str = "text/html; charset=utf-8") -> None:
    """Answer the page's POST /v1/check with `body`, as a service would that sent it."""
    page.unroute(CHECK_URL)
    page.route(CHECK_URL, lambda route: route.fulfill(status=200, body=body, headers={"content-type": content_type}))


def submit(page, text: str = "Removal of two K-wires.") -> None:
    page.fill("#note-input", text)
    page.click("#check-button")
    page.wait_for_function("() => !document.querySelector('#check-button').disabled")


def test_service_page_inserts_the_view_as_the_engine_wrote_it(browser, service_url):
    """A hostile note and result (markup, quotes, CRLF, astral characters, nested and overlapping
    evidence at both ends), rendered by the engine, inserted by the page: everything stays text,
    every character and offset is kept, nothing runs."""
    result = Result.model_validate(HOSTILE_RESULT)
    fragment = render_view(result, HOSTILE, {"closure": "How the <wound> was closed."})
    context, page, watch, _ = open_service(browser, service_url)
    try:
        answer_check_with(page, fragment)
        submit(page)
        assert page.evaluate(SAME_AS_PARSED, fragment)
        assert page.eval_on_selector("#nc-note", "n => n.textContent") == HOSTILE
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator(".nc-view img, .nc-view script, .nc-view b, .nc-view i").count() == 0
        assert page.locator("#nc-title").inner_text() == "<b>synthetic</b>"
        assert page.locator("#ci-anatomic_location-msg").inner_text() == "Name the <bone>."
        assert page.locator("#checklist .nc-desc").inner_text() == "How the <wound> was closed."
        marks = page_marks(page)
        assert [{k: m[k] for k in ("start", "end", "text", "items", "fields")} for m in marks] == expected_segments(HOSTILE_RESULT, HOSTILE)
        assert marks[0]["start"] == 0 and marks[-1]["end"] == len(HOSTILE)
        assert page.locator("#app-status").inner_text().startswith("Documentation gaps, score 40/100; 2 items to add")
        page.screenshot(path=str(ARTIFACTS / "service_hostile_note.png"), full_page=True)
        assert all(u.startswith(service_url + "/") for u in watch.requests), watch.requests
        watch.assert_clean()
    finally:
        context.close()


NOT_THE_VIEW = [
    ('<div class="nc-view"><img src="/x" onerror="window.__pwned=1"></div>', "text/html"),
    ('<div class="nc-view" onclick="window.__pwned=2"><p>x</p></div>', "text/html"),
    ('<script>window.__pwned=3</script><div class="nc-view"></div>', "text/html"),
    ('<div class="nc-view"></div><div class="nc-view"></div>', "text/html"),
    ('<div class="nc-view"><svg><script>window.__pwned=4</script></svg></div>', "text/html"),
    ('<div class="nc-view"><a href="javascript:window.__pwned=5">x</a></div>', "text/html"),
    ('<div class="nc-view"><p style="display:none">x</p></div>', "text/html"),
    ('<div class="other"><p>x</p></div>', "text/html"),
    ('<div class="nc-view"><p>x</p></div>', "application/json"),
]


def test_service_page_refuses_what_is_not_the_engine_view(browser, service_url):
    # Chromium checks the page's CSP even while DOMParser builds its inert document, and reports
    # the handler and style attributes it would refuse; nothing runs either way (__pwned below).
    context, page, watch, _ = open_service(browser, service_url, allowed_errors=("Content Security Policy",))
    try:
        answer_check_with(page, render_view(Result.model_validate(HOSTILE_RESULT), HOSTILE))
        submit(page)
        assert page.locator(".nc-view").count() == 1
        for body, content_type in NOT_THE_VIEW:
            answer_check_with(page, body, content_type)
            submit(page)
            assert page.locator("#app-status").inner_text() == "The service returned no view of the note.", body
            assert page.locator("#nc-title").inner_text() == "<b>synthetic</b>", "the last good view stays"
        assert page.evaluate("() => window.__pwned") is None
        assert not any(u.endswith("/x") for u in watch.requests), watch.requests
        watch.assert_clean()
    finally:
        context.close()


def test_service_page_checks_a_hostile_note(browser, service_url, checker):
    """Through the real service: a note full of markup is checked and shown as text."""
    text = HOSTILE.replace("\r\n", "\n")  # a textarea's value has LF line ends
    context, page, watch, _ = open_service(browser, service_url)
    try:
        page.fill("#api-key", API_KEY)
        submit(page, text)
        page.wait_for_selector("#nc-note mark")
        expected = checker.check(text, None, None)
        assert_engine_view(page, checker, expected, text)
        assert_view(page, expected, text)
        assert page.evaluate("() => window.__pwned") is None
        watch.assert_clean()
    finally:
        context.close()


# ---- the page `notecheck check --format html` writes ---------------------------------------


def open_file(browser, path: Path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = Watch(page)
    page.goto(path.as_uri())
    return context, page, watch


def test_render_html_page_in_chromium(browser, checker, tmp_path):
    note = pick_note(checker, has_missing_item)
    text = (SAMPLES / f"{note}.txt").read_text(encoding="utf-8")
    row = claim_row(note)
    result = checker.check(text, ClaimContext(**row), row["note_id"])
    path = tmp_path / "view.html"
    path.write_text(render_html(result, text), encoding="utf-8")
    context, page, watch = open_file(browser, path)
    try:
        # The inline style applied (CSP hash matched): the grid lays out in two columns.
        assert page.eval_on_selector(".nc-grid", "g => getComputedStyle(g).display") == "grid"
        assert page.eval_on_selector("#seg-0", "m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
        assert_view(page, result, text)
        page.screenshot(path=str(ARTIFACTS / "render_html_full.png"), full_page=True)
        page.focus("body")
        assert_keyboard_navigation(page, len(page_marks(page)))
        page.keyboard.press("Escape")
        page.focus("#seg-3")
        page.screenshot(path=str(ARTIFACTS / "render_html_focus.png"))
        assert watch.requests == [path.as_uri()], "the page loads nothing"
        watch.assert_clean()
    finally:
        context.close()


def test_render_html_keeps_a_hostile_note_inert(browser, tmp_path):
    result = Result.model_validate(HOSTILE_RESULT)
    path = tmp_path / "hostile.html"
    path.write_text(render_html(result, HOSTILE), encoding="utf-8")
    context, page, watch = open_file(browser, path)
    try:
        assert page.evaluate("() => window.__pwned") is None
        assert page.eval_on_selector("#nc-note", "n => n.textContent") == HOSTILE
        assert page.locator("img").count() == 0 and page.locator("script").count() == 1
        assert page.locator("#nc-note").is_visible()
        marks = page_marks(page)
        assert [{k: m[k] for k in ("start", "end", "text", "items", "fields")} for m in marks] == expected_segments(result, HOSTILE)
        page.screenshot(path=str(ARTIFACTS / "render_html_hostile.png"), full_page=True)
        watch.assert_clean()
    finally:
        context.close()
