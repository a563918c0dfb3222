"""Multi-line claims through every entry (issue 13): the CLI's --billed-line/--place-of-service,
the service, the audit's claims CSV (one row per line, the same note_id repeated) with revenue at
risk per line and per setting in the HTML report (also in headless Chromium), and the gold loader."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from notecheck.cli import main
from notecheck.evaluation.gold import GoldError, load_claims

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
CHROMIUM = Path("/usr/bin/chromium")
NOTE = SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_billed_lines_and_place_of_service(capsys) -> None:
    code, out, err = run(["check", str(NOTE), "--format", "json", "--removal-date", "2026-03-20", "--index-date", "2026-02-13",
                          "--index-cpt", "26727", "--billed-line", "99213:1:", "--billed-line", "26320:1:LT,F3,78",
                          "--place-of-service", "11"], capsys)
    assert code in (0, 1), err
    data = json.loads(out)
    risks = {r["id"]: r["lines"] for r in data["denial_risks"]}
    assert risks["em_decision_for_surgery_without_57"] == ["99213", "26320"]
    assert risks["modifier_78_pos_office"] == ["26320"]
    assert risks["modifier_78_should_be_58"] == ["26320"]
    assert any(q["gap"] == "em_decision_for_surgery_without_57" for q in data["queries"])


def test_cli_text_view_names_lines_and_queries(capsys) -> None:
    code, out, _ = run(["check", str(NOTE), "--no-color", "--billed-line", "99213:1:25", "--billed-line", "26320:1:LT F3"], capsys)
    assert "em_25_without_separate_problem [99213, 26320]" in out
    assert "Physician query drafts" in out and "[ ] Unable to determine" in out


@pytest.mark.parametrize("bad", ["2632:1:LT", "26320:x:LT", "26320:1:LT:extra", ":1:LT"])
def test_cli_bad_billed_line_is_a_one_line_error(capsys, bad: str) -> None:
    code, out, err = run(["check", str(NOTE), "--billed-line", bad], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_bad_place_of_service(capsys) -> None:
    code, _, err = run(["check", str(NOTE), "--place-of-service", "office"], capsys)
    assert code == 2 and "place_of_service" in err and len(err.strip().splitlines()) == 1


def test_service_accepts_billed_lines_and_place_of_service(checker) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    with TestClient(create_app(Settings(), checker_factory=lambda: checker)) as client:
        _service_checks(client)


def _service_checks(client) -> None:
    import time

    deadline = time.monotonic() + 60  # poll readiness with a generous deadline, never a fixed sleep
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    body = {"text": NOTE.read_text(encoding="utf-8"), "removal_date": "2026-03-20", "index_surgery_date": "2026-02-13",
            "billed_lines": [{"cpt": "99214", "units": 1, "modifiers": "57"}, {"cpt": "26320", "modifiers": ["LT", "F3", "58"]},
                             {"cpt": "01810"}],
            "place_of_service": 24}
    resp = client.post("/v1/check", json=body)
    assert resp.status_code == 200, resp.text
    risks = {r["id"]: r["lines"] for r in resp.json()["denial_risks"]}
    assert risks["ptp_not_bypassable"] == ["26320", "01810"] and "em_57_for_planned_procedure" in risks
    bad = client.post("/v1/check", json={**body, "billed_lines": [{"cpt": "99"}]})
    assert bad.status_code == 422 and "detail" in bad.json()
    bad = client.post("/v1/check", json={**body, "place_of_service": "ASC"})
    assert bad.status_code == 422 and "detail" in bad.json()


def test_gold_loader_reads_repeated_rows_as_lines(tmp_path: Path) -> None:
    (tmp_path / "claims.csv").write_text(
        "note_id,removal_date,billed_cpt,billed_units,billed_modifiers\n"
        "a,2026-01-02,26320,1,RT;F7;58\n"
        "a,2026-01-02,26320,1,RT;F8;58\n"
        "b,2026-01-05,26320,1,LT\n", encoding="utf-8")
    claims = load_claims(tmp_path)
    assert [(l.cpt, l.modifiers) for l in claims["a"].billed_lines] == [("26320", ["RT", "F7", "58"]), ("26320", ["RT", "F8", "58"])]
    assert claims["b"].billed_cpt == "26320" and claims["b"].billed_lines == []
    (tmp_path / "claims.csv").write_text(
        "note_id,removal_date,billed_cpt\na,2026-01-02,26320\na,2026-02-02,99213\n", encoding="utf-8")
    with pytest.raises(GoldError, match="removal_date"):
        load_claims(tmp_path)


@pytest.fixture(scope="module")
def audit(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    """An audit of the 32 sample multi-line claims' notes, as HTML, JSONL and summary."""
    tmp = tmp_path_factory.mktemp("claims_audit")
    claims = SAMPLES / "claims_multiline.csv"
    ids = sorted({line.split(",", 1)[0] for line in claims.read_text(encoding="utf-8").splitlines()[1:]})
    folder = tmp / "notes"
    folder.mkdir()
    for note_id in ids:
        shutil.copy(SAMPLES / f"{note_id}.txt", folder)
    html, jsonl = tmp / "report.html", tmp / "report.jsonl"
    for out in (html, jsonl):
        assert main(["audit", str(folder), "--out", str(out), "--claims", str(claims), "--workers", "1", "--quiet"]) == 0
    summary = json.loads((tmp / "report.jsonl.summary.json").read_text(encoding="utf-8")) if (tmp / "report.jsonl.summary.json").exists() \
        else json.loads(next(tmp.glob("report.jsonl*summary*.json")).read_text(encoding="utf-8"))
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    return html, summary, records


def test_audit_revenue_by_setting(audit) -> None:
    _, summary, records = audit
    assert len(records) == 32 and summary["claims"]["joined"] == 32 and not summary["claims"]["invalid_rows"]
    by = {s["setting"]: s for s in summary["revenue"]["by_setting"]}
    assert set(by) == {"office", "hospital_outpatient", "asc"}
    # 26320 is priced at $337.68 in every setting (non-facility NA); the facility amount differs.
    assert by["office"]["facility_claimed"] == 0
    assert by["asc"]["facility_claimed"] > 0 and by["hospital_outpatient"]["facility_claimed"] > 0
    assert by["hospital_outpatient"]["facility_claimed"] / by["hospital_outpatient"]["claimed"] == pytest.approx(1687.37 / 337.68, rel=0.2)
    total = sum(s["at_risk"] for s in by.values())
    assert total == pytest.approx(summary["revenue"]["at_risk_total"], abs=0.05)
    assert "99213" in summary["revenue"]["codes_without_fee"]


def test_audit_html_shows_lines_with_risks_and_settings(audit) -> None:
    html, _, _ = audit
    text = html.read_text(encoding="utf-8")
    assert 'id="revenue-by-setting"' in text and 'data-setting="asc"' in text and "Office (POS 11)" in text
    assert 'class="claim-line" data-cpt="01810"' in text and "ptp_not_bypassable" in text
    assert "Physician query drafts" in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed")
def test_audit_report_in_browser(audit) -> None:
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    html, summary, _ = audit
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            pg = browser.new_page()
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(html.as_uri())
            pg.wait_for_load_state("load")
            rows = pg.locator("#revenue-by-setting tbody tr")
            assert rows.count() == 3
            assert pg.locator('#revenue-by-setting tr[data-setting="office"] td').first.inner_text().startswith("Office")
            details = pg.locator("details.note").filter(has=pg.locator('tr.claim-line[data-cpt="01810"]')).first
            details.locator("summary").click()
            line = details.locator('tr.claim-line[data-cpt="01810"]')
            assert line.is_visible() and "ptp_not_bypassable" in line.inner_text()
        finally:
            browser.close()
    assert errors == []
