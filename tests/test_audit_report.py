"""The HTML audit report in headless Chromium: loads offline with no console errors and no
network request, shows the expected totals, draws its charts, sorts, and opens a note's evidence."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from notecheck.cli import main

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[dict]]:
    """An HTML report over 12 sample notes (with claims, one note unreadable, one hostile id),
    and the same audit as JSONL to know what the totals must be."""
    pytest.importorskip("playwright")
    tmp = tmp_path_factory.mktemp("report")
    folder = tmp / "notes"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.txt"))[:11]:
        shutil.copy(path, folder)
    (folder / "zz_empty.txt").write_bytes(b"")
    hostile = folder / "<img src=x onerror=alert(1)>.txt"
    shutil.copy(sorted(SAMPLES.glob("*.txt"))[0], hostile)
    claims = SAMPLES / "claims.csv"
    html, jsonl = tmp / "report.html", tmp / "report.jsonl"
    for out in (html, jsonl):
        assert main(["audit", str(folder), "--out", str(out), "--claims", str(claims), "--workers", "2", "--quiet"]) == 0
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    return html, records


@pytest.fixture(scope="module")
def page(report):
    from playwright.sync_api import sync_playwright

    html, _ = report
    events: dict[str, list[str]] = {"console": [], "requests": [], "dialogs": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page()
            pg.on("console", lambda m: events["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            pg.on("pageerror", lambda e: events["console"].append(f"pageerror: {e}"))
            pg.on("request", lambda r: events["requests"].append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            pg.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
            pg.goto(html.as_uri())
            pg.wait_for_load_state("load")
            yield pg, events
        finally:
            browser.close()


def test_loads_offline_without_console_errors(page) -> None:
    pg, events = page
    assert events["console"] == []
    assert events["requests"] == [], "the report fetched something from the network"
    assert events["dialogs"] == [], "a note id was executed as markup"


def test_expected_totals_are_visible(page, report) -> None:
    pg, _ = page
    _, records = report
    checked = [r for r in records if "error" not in r]
    removals = [r for r in checked if r["procedure"]["is_implant_removal"]]
    ready = sum(r["ready_to_sign"] for r in removals)
    assert len(records) == 13
    assert pg.inner_text("#total-notes") == "13"
    assert pg.inner_text("#total-checked") == str(len(checked))
    assert pg.inner_text("#total-errors") == "1"
    assert pg.inner_text("#total-removals") == str(len(removals))
    assert pg.inner_text("#ready-rate") == f"{100 * ready / len(removals):.1f}%"
    assert pg.is_visible("#total-notes") and pg.is_visible("#ready-rate") and pg.is_visible("#revenue-at-risk")
    assert pg.inner_text("#revenue-at-risk").startswith("$")
    assert pg.locator("#notes-table tbody tr").count() == 13
    risk_ids = {risk["id"] for r in checked for risk in r["denial_risks"]}
    shown = {c.strip() for c in pg.locator("#risk-table tbody td:first-child").all_inner_texts()}
    assert shown == (risk_ids or {"No denial risks."})
    assert "<img src=x onerror=alert(1)>" in pg.inner_text("#notes-table")


def test_charts_are_drawn(page) -> None:
    pg, _ = page
    for chart in ("chart-outcomes", "chart-scores", "chart-gaps", "chart-risks"):
        assert pg.evaluate(f"!!Chart.getChart('{chart}')"), chart
        box = pg.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100


def test_table_sorts_and_links_open_the_evidence(page) -> None:
    from playwright.sync_api import expect

    pg, _ = page
    score_header = pg.locator("#notes-table thead th", has_text="Score")
    score_header.click()
    score_header.click()  # descending
    scores = [int(s) for s in pg.locator("#notes-table tbody td:nth-child(3)").all_inner_texts() if s.strip()]
    assert scores == sorted(scores, reverse=True) and len(scores) == 12
    link = pg.locator("#notes-table tbody tr").first.locator("a")
    target = link.get_attribute("href")[1:]
    link.click()
    # The hashchange handler that opens the note runs after the click returns.
    # (Polled from Python: the report's CSP forbids eval, which wait_for_function would need.)
    expect(pg.locator(f"[id='{target}']")).to_have_attribute("open", "", timeout=5000)
    assert pg.locator(f"#{target} mark").count() > 0
