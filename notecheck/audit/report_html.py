"""The audit's HTML report: one self-contained file (styles, Chart.js, data and script inline; a
Content-Security-Policy forbids any fetch), so it opens offline and can be mailed around.

Every piece of text that comes from a note, a claim or a file name goes through `html.escape`;
data for the charts is embedded as JSON with `<`, `>` and `&` escaped, so no note can close a tag.
"""
from __future__ import annotations

import json
from html import escape
from importlib import resources
from typing import Any, Callable, Iterable, Optional, TextIO

from notecheck.audit.fees import FeeTable
from notecheck.audit.summary import SEVERITIES, AuditSummary, NoteRow
from notecheck.audit.workers import EXCERPTS_KEY
from notecheck.models import ClaimContext

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
STATUS_LABEL = {"met": "met", "partial": "partial", "missing": "missing", "not_applicable": "n/a"}


def _static(name: str) -> str:
    return resources.files("notecheck.audit").joinpath("static", name).read_text(encoding="utf-8")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _int(n: int) -> str:
    return f"{n:,}"


def _money(x: float) -> str:
    return f"${x:,.2f}"


def _pct(x: Optional[float]) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _json_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _card(label: str, value: str, sub: str = "", ident: str = "") -> str:
    id_attr = f' id="{ident}"' if ident else ""
    sub_html = f'<span class="sub">{sub}</span>' if sub else ""
    return f'<div class="card"><span class="label">{_e(label)}</span><span class="value"{id_attr}>{value}</span>{sub_html}</div>'


def _chart(ident: str, title: str, description: str, height: Optional[int] = None) -> str:
    style = f' style="height:{height}px"' if height else ""
    return (f'<div class="chart"><h3>{_e(title)}</h3><div class="canvas-box"{style}>'
            f'<canvas id="{ident}" role="img" aria-label="{_e(description)}"></canvas></div></div>')


def _chart_data(s: AuditSummary) -> dict[str, Any]:
    gaps = [item for item in s.checklist if item.applicable]
    not_ready = s.implant_removals - s.ready_to_sign
    return {
        "outcomes": {
            "labels": ["ready to sign", "documentation gaps", "not an implant removal", "could not be checked"],
            "values": [s.ready_to_sign, not_ready, s.checked - s.implant_removals, s.errors],
        },
        "histogram": {"labels": [f"{10 * i}–{10 * i + 9 if i < 9 else 100}" for i in range(10)], "values": s.score_histogram},
        "gaps": {
            "labels": [item.title for item in gaps],
            "partial": [round(100 * item.partial / item.applicable, 1) for item in gaps],
            "missing": [round(100 * item.missing / item.applicable, 1) for item in gaps],
        },
        "risks": {"labels": [r.id for r in s.risks], "severity": [r.severity for r in s.risks], "notes": [r.notes for r in s.risks]},
    }


def _summary_section(s: AuditSummary) -> str:
    notes_with_risk = sum(s.notes_by_top_severity.values())
    cards = [
        _card("Notes", _int(s.notes), ident="total-notes"),
        _card("Checked", _int(s.checked), ident="total-checked"),
        _card("Could not be checked", _int(s.errors), ident="total-errors"),
        _card("Implant removals", _int(s.implant_removals), f"{_int(s.checked - s.implant_removals)} other notes", ident="total-removals"),
        _card("Ready to sign", _pct(s.ready_rate), f"{_int(s.ready_to_sign)} of {_int(s.implant_removals)} implant removals", ident="ready-rate"),
        _card("Notes with denial risks", _int(notes_with_risk), f"{_int(s.notes_by_top_severity['high'])} with a high-severity risk", ident="total-risk-notes"),
        _card("Revenue at risk", _money(s.revenue.at_risk_total), f"of {_money(s.revenue.claimed_total)} claimed/supported", ident="revenue-at-risk"),
    ]
    return (
        '<section id="summary"><h2>Summary</h2><div class="cards">' + "".join(cards) + "</div>"
        '<div class="charts">'
        + _chart("chart-outcomes", "Notes by outcome", "Doughnut chart of notes: ready to sign, documentation gaps, not an implant removal, could not be checked")
        + _chart("chart-scores", "Documentation score (implant removals)", "Bar chart of implant-removal notes by documentation score")
        + "</div></section>"
    )


def _gaps_section(s: AuditSummary) -> str:
    rows = "".join(
        f'<tr><td>{_e(i.title)} <span class="muted">({_e(i.id)})</span></td><td class="num">{_int(i.met)}</td>'
        f'<td class="num">{_int(i.partial)}</td><td class="num">{_int(i.missing)}</td><td class="num">{_int(i.not_applicable)}</td>'
        f'<td class="num" data-v="{-1 if i.gap_rate is None else round(i.gap_rate, 4)}">{_pct(i.gap_rate)}</td></tr>'
        for i in s.checklist
    )
    return (
        '<section id="gaps"><h2>Gap rate per checklist item</h2>'
        '<p class="muted">Gap rate = partial or missing, among the notes the item applies to.</p>'
        '<div class="charts">' + _chart("chart-gaps", "Gap rate per checklist item (%)", "Stacked bar chart of partial and missing rate per checklist item",
                 height=max(160, 60 + 24 * len(s.checklist))) + "</div>"
        '<table id="gaps-table" class="sortable"><thead><tr><th>Item</th><th class="num">Met</th><th class="num">Partial</th>'
        '<th class="num">Missing</th><th class="num">n/a</th><th class="num">Gap rate</th></tr></thead><tbody>' + rows + "</tbody></table></section>"
    )


def _risks_section(s: AuditSummary) -> str:
    sev_rows = "".join(
        f'<tr><td><span class="badge {sev}">{sev}</span></td><td class="num">{_int(s.risk_instances_by_severity[sev])}</td>'
        f'<td class="num">{_int(s.notes_by_top_severity[sev])}</td></tr>'
        for sev in SEVERITIES
    )
    risk_rows = "".join(
        f'<tr><td>{_e(r.id)}</td><td data-v="{SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 3}">'
        f'<span class="badge {_e(r.severity)}">{_e(r.severity)}</span></td><td class="num">{_int(r.notes)}</td>'
        f'<td class="num" data-v="{r.amount}">{_money(r.amount)}</td></tr>'
        for r in s.risks
    ) or '<tr><td colspan="4" class="muted">No denial risks.</td></tr>'
    return (
        '<section id="risks"><h2>Denial risks</h2><div class="charts">'
        + _chart("chart-risks", "Denial risks by type and severity (notes)", "Bar chart of notes per denial risk type, coloured by severity",
                 height=max(160, 60 + 24 * len(s.risks)))
        + '</div><h3>By severity</h3><table id="severity-table"><thead><tr><th>Severity</th><th class="num">Risks</th>'
        '<th class="num">Notes (by their most severe risk)</th></tr></thead><tbody>' + sev_rows + "</tbody></table>"
        '<h3>By type</h3><table id="risk-table" class="sortable"><thead><tr><th>Risk</th><th class="rank">Severity</th>'
        '<th class="num">Notes</th><th class="num">Amount on these notes</th></tr></thead><tbody>' + risk_rows + "</tbody></table></section>"
    )


def _revenue_section(s: AuditSummary) -> str:
    r = s.revenue
    fees = ", ".join(f"{_e(code)}: {_money(amount)}" for code, amount in sorted(r.fees.items())) or "none"
    missing = f'<p class="muted">No fee in the table for: {_e(", ".join(r.codes_without_fee))} (counted as $0).</p>' if r.codes_without_fee else ""
    return (
        '<section id="revenue"><h2>Revenue at risk</h2><table id="revenue-table"><tbody>'
        f'<tr><th>Claimed or supported by the notes</th><td class="num">{_money(r.claimed_total)}</td></tr>'
        f'<tr><th>At risk: high-severity denial risk</th><td class="num">{_money(r.at_risk_denial)}</td></tr>'
        f'<tr><th>At risk: implant removal not ready to sign</th><td class="num">{_money(r.at_risk_documentation)}</td></tr>'
        f'<tr><th>At risk: note could not be checked (claim billed)</th><td class="num">{_money(r.at_risk_unchecked)}</td></tr>'
        f'<tr><th>Total at risk ({_int(r.notes_at_risk)} notes)</th><td class="num" id="revenue-total">{_money(r.at_risk_total)}</td></tr>'
        "</tbody></table>"
        f"{_settings_table(r.by_setting)}"
        f'<p class="muted">Per note: the billed lines (code × units at the fee for the claim\'s place of service) when a claim was supplied and the fee table prices a billed code, else the suggested code × units; '
        f"fee table ({_e(r.fee_source)}): {fees}.</p>{missing}</section>"
    )


SETTING_LABEL = {"office": "Office (POS 11)", "hospital_outpatient": "Hospital outpatient (POS 19/22)", "asc": "ASC (POS 24)",
                 "inpatient": "Inpatient (POS 21)", "not_given": "Place of service not given"}


def _settings_table(rows: list[Any]) -> str:
    """Revenue at risk per setting (place of service): physician and, when priced, facility amounts."""
    if not rows:
        return ""
    body = "".join(
        f'<tr data-setting="{_e(r.setting)}"><td>{_e(SETTING_LABEL.get(r.setting, r.setting))}</td><td class="num">{_int(r.notes)}</td>'
        f'<td class="num">{_money(r.claimed)}</td><td class="num">{_money(r.at_risk)}</td>'
        f'<td class="num">{_money(r.facility_claimed)}</td><td class="num">{_money(r.facility_at_risk)}</td></tr>'
        for r in rows
    )
    return ('<h3>By setting</h3><table id="revenue-by-setting"><thead><tr><th>Setting</th><th>Notes</th><th>Physician claimed</th>'
            '<th>Physician at risk</th><th>Facility claimed</th><th>Facility at risk</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _id_list(ids: list[str], total: int) -> str:
    if not ids:
        return ""
    more = f" … and {_int(total - len(ids))} more" if total > len(ids) else ""
    return f'<details><summary>list</summary><p>{_e(", ".join(ids))}{_e(more)}</p></details>'


def _inputs_section(s: AuditSummary) -> str:
    parts = [f"<li>Encodings: {_e(', '.join(f'{k}: {v:,}' for k, v in s.encodings.items()) or 'none')}</li>"]
    if s.ignored_files:
        parts.append(f"<li>Files in the folder that are not .txt/.docx notes (ignored): {_int(s.ignored_files)}</li>")
    if s.duplicate_note_ids:
        parts.append(f"<li>Note ids that occur more than once: {_int(len(s.duplicate_note_ids))}{_id_list(s.duplicate_note_ids, len(s.duplicate_note_ids))}</li>")
    if s.resumed_after:
        parts.append(f"<li>Resumed after {_int(s.resumed_after)} records of an interrupted run.</li>")
    c = s.claims
    if c is not None:
        parts.append(f'<li>Claims file {_e(c.file)}: {_int(c.rows)} rows, <span id="claims-joined">{_int(c.joined)}</span> joined to a note</li>')
        parts.append(f'<li>Notes without a claim row: <span id="notes-without-claim">{_int(c.notes_without_claim)}</span>{_id_list(c.notes_without_claim_ids, c.notes_without_claim)}</li>')
        parts.append(f'<li>Claim rows without a note: <span id="claims-without-note">{_int(c.claims_without_note)}</span>{_id_list(c.claims_without_note_ids, c.claims_without_note)}</li>')
        if c.invalid_rows:
            bad = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in c.invalid_rows.items())
            parts.append(f'<li>Invalid claim rows (their notes are error records): {_int(len(c.invalid_rows))}<ul class="plain">{bad}</ul></li>')
        if c.duplicate_rows:
            parts.append(f"<li>Claims with several rows (read as billed lines): {_e(', '.join(c.duplicate_rows))}</li>")
        if c.rows_without_note_id:
            parts.append(f"<li>Claim rows without a note_id: {_int(c.rows_without_note_id)}</li>")
    errors = "".join(f"<tr><td>{_e(e.note_id)}</td><td>{_e(e.error)}</td></tr>" for e in s.error_list)
    error_table = (
        f'<h3>Notes that could not be checked ({_int(s.errors)})</h3><table id="errors-table"><thead><tr><th>Note</th><th>Reason</th></tr></thead>'
        f"<tbody>{errors}</tbody></table>" if s.errors else ""
    )
    return f'<section id="inputs"><h2>Inputs and claims</h2><ul class="plain">{"".join(parts)}</ul>{error_table}</section>'


NOTE_COLUMNS = [
    ("#", "num"), ("Note", ""), ("Score", "num"), ("Ready", ""), ("Removal", ""), ("Suggested", ""), ("Modifiers", ""),
    ("Billed", ""), ("Risks", "rank"), ("Top severity", "rank"), ("Amount", "num"), ("At risk", ""), ("Error", ""),
]


def _note_row(row: NoteRow) -> str:
    n = row.seq + 1
    suggested = f"{row.suggested_cpt} ×{row.units}" if row.suggested_cpt else ("—" if not row.error else "")
    billed = " ".join(x for x in [row.billed_cpt or "", f"×{row.billed_units}" if row.billed_units else "", row.billed_modifiers] if x)
    ready = "" if row.error else ('<span class="badge ready">yes</span>' if row.ready_to_sign else "no")
    sev_rank = SEVERITIES.index(row.top_severity) if row.top_severity in SEVERITIES else 3
    sev = f'<span class="badge {row.top_severity}">{row.top_severity}</span>' if row.top_severity else ""
    cells = [
        f'<td class="num" data-v="{n}">{n}</td>',
        f'<td><a href="#note-{n}">{_e(row.note_id)}</a></td>',
        f'<td class="num" data-v="{"" if row.score is None else row.score}">{"" if row.score is None else row.score}</td>',
        f"<td>{ready}</td>",
        f"<td>{'' if row.is_implant_removal is None else ('yes' if row.is_implant_removal else 'no')}</td>",
        f'<td class="nw">{_e(suggested)}</td>',
        f'<td class="nw">{_e(row.modifiers)}</td>',
        f'<td class="nw">{_e(billed)}</td>',
        f'<td data-v="{len(row.risk_ids)}">{_e(" ".join(row.risk_ids))}</td>',
        f'<td data-v="{3 - sev_rank}">{sev}</td>',
        f'<td class="num" data-v="{row.amount or 0}">{"" if row.amount is None else _money(row.amount)}</td>',
        f"<td>{_e(row.at_risk or '')}</td>",
        f'<td>{_e(row.error or "")}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _excerpt_html(view: dict[str, Any]) -> str:
    out = []
    for window in view.get("windows") or []:
        pieces = []
        for text, label in window.get("segments") or []:
            pieces.append(f'<mark title="{_e(label)}">{_e(text)}</mark>' if label else _e(text))
        lead = "…" if window.get("start", 0) > 0 else ""
        out.append(f'<pre class="excerpt">{lead}{"".join(pieces)}…</pre>')
    if view.get("omitted"):
        out.append(f'<p class="muted">{_int(view["omitted"])} more evidence spans not shown.</p>')
    return "".join(out) or '<p class="muted">No evidence spans in this note.</p>'


def _claim_lines_table(row: NoteRow) -> str:
    """The billed lines of a multi-line claim, each with the denial risks that name its code."""
    body = []
    for text in row.billed_lines:
        code = text.split(" ", 1)[0]
        ids = row.line_risks.get(code, [])
        risks = ", ".join(_e(i) for i in ids) or '<span class="muted">none</span>'
        body.append(f'<tr class="claim-line" data-cpt="{_e(code)}"><td>{_e(text)}</td><td>{risks}</td></tr>')
    setting = SETTING_LABEL.get(row.setting, row.setting)
    return (f'<table class="claim-lines"><caption>Billed lines ({_e(setting)})</caption><thead><tr><th>Line</th><th>Risks on this line</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _note_details(row: NoteRow, record: dict[str, Any]) -> str:
    n = row.seq + 1
    head = f'<span class="badge error">error</span>' if row.error else (
        f"score {row.score} · " + ('<span class="badge ready">ready to sign</span>' if row.ready_to_sign else "not ready"))
    parts = [f'<details class="note" id="note-{n}"><summary>#{n} <strong>{_e(row.note_id)}</strong> — {head}</summary><div>']
    if row.error:
        parts.append(f"<p>Could not be checked: {_e(row.error)}</p>")
    else:
        procedure = record.get("procedure") or {}
        parts.append(f"<p>{_e(procedure.get('reason'))}</p><ul class=\"plain\">")
        if row.claim_lines:
            parts.append(f"<li>Claim lines: {_e(row.claim_lines)}</li>")
        for m in record.get("modifiers") or []:
            parts.append(f"<li>Modifier {_e(m.get('code'))}: {_e(m.get('reason'))}</li>")
        for c in record.get("icd10_suggestions") or []:
            parts.append(f"<li>ICD-10 {_e(c.get('code'))} {_e(c.get('description'))}</li>")
        if row.billed_lines:
            parts.append("</ul>" + _claim_lines_table(row) + '<ul class="plain">')
        elif row.billed_cpt or row.billed_modifiers:
            parts.append(f"<li>Billed: {_e(row.billed_cpt)} ×{_e(row.billed_units or 1)} {_e(row.billed_modifiers)}</li>")
        parts.append("</ul>")
        risks = record.get("denial_risks") or []
        if risks:
            parts.append('<ul class="plain">' + "".join(
                f'<li><span class="badge {_e(r.get("severity"))}">{_e(r.get("severity"))}</span> {_e(r.get("id"))}: {_e(r.get("message"))}</li>'
                for r in risks) + "</ul>")
        items = "".join(
            f'<tr><td>{_e(i.get("title") or i.get("id"))}</td><td><span class="badge {_e(i.get("status"))}">'
            f'{_e(STATUS_LABEL.get(i.get("status", ""), i.get("status")))}</span></td>'
            f'<td>{"" if i.get("status") in ("met", "not_applicable") else _e(i.get("message"))}</td></tr>'
            for i in record.get("checklist") or []
        )
        parts.append(f"<table><thead><tr><th>Checklist item</th><th>Status</th><th>What to add</th></tr></thead><tbody>{items}</tbody></table>")
        queries = record.get("queries") or []
        if queries:
            parts.append('<h4>Physician query drafts</h4><ol class="queries">' + "".join(
                f'<li data-gap="{_e(q.get("gap"))}">{_e(q.get("question"))}'
                + ("<ul>" + "".join(f"<li>{_e(o)}</li>" for o in q.get("options") or []) + "</ul>" if q.get("options") else "")
                + "</li>" for q in queries) + "</ol>")
        parts.append("<h4>Evidence</h4>" + _excerpt_html(record.get(EXCERPTS_KEY) or {}))
    parts.append('<p><a href="#notes">back to the notes table</a></p></div></details>')
    return "".join(parts)


def write_report(
    fh: TextIO,
    summary: AuditSummary,
    records: Callable[[], Iterable[dict[str, Any]]],
    claim_of: Callable[[Optional[str]], Optional[ClaimContext]],
    fees: FeeTable,
    generated: str,
    version: str,
) -> None:
    """Write the report; `records()` is called twice (table, then evidence) to stream the journal."""
    title = f"notecheck audit — {summary.input}"
    fh.write(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{_static('report.css')}</style></head><body>"
        f"<header><h1>notecheck audit</h1>"
        f'<p class="meta">Input {_e(summary.input)} · {_int(summary.notes)} notes · generated {_e(generated)} · '
        f"notecheck {_e(version)} · rules {_e(', '.join(summary.rules_versions) or '—')}</p>"
        '<nav><a href="#summary">Summary</a><a href="#gaps">Checklist gaps</a><a href="#risks">Denial risks</a>'
        '<a href="#revenue">Revenue at risk</a><a href="#inputs">Inputs and claims</a><a href="#notes">Notes</a>'
        '<a href="#evidence">Evidence</a></nav></header><main>'
    )
    fh.write(_summary_section(summary))
    fh.write(_gaps_section(summary))
    fh.write(_risks_section(summary))
    fh.write(_revenue_section(summary))
    fh.write(_inputs_section(summary))
    header = "".join(f'<th class="{cls}" scope="col">{_e(name)}</th>' if cls else f'<th scope="col">{_e(name)}</th>' for name, cls in NOTE_COLUMNS)
    fh.write(
        f'<section id="notes"><h2>Notes ({_int(summary.notes)})</h2>'
        '<input id="notes-filter" class="filter" type="search" placeholder="Filter by note id, code, risk…" aria-label="Filter notes">'
        f'<div class="table-wrap"><table id="notes-table" class="sortable"><thead><tr>{header}</tr></thead><tbody>'
    )
    for seq, record in enumerate(records()):
        fh.write(_note_row(NoteRow.build(seq, record, claim_of(record.get("note_id")), fees)) + "\n")
    fh.write('</tbody></table></div></section><section id="evidence"><h2>Evidence per note</h2>'
             '<p class="muted">Marked text is the evidence behind a finding; hover a mark to see what it supports.</p>')
    for seq, record in enumerate(records()):
        fh.write(_note_details(NoteRow.build(seq, record, claim_of(record.get("note_id")), fees), record) + "\n")
    fh.write("</section></main>")
    fh.write(
        "<footer><p>Charts drawn with Chart.js, included in this file under the MIT licence:</p>"
        f"<details><summary>Chart.js licence</summary><pre>{_e(_static('chart.js.LICENSE.md'))}</pre></details></footer>"
    )
    fh.write(f'<script type="application/json" id="report-data">{_json_script(_chart_data(summary))}</script>')
    fh.write(f"<script>{_static('chart.umd.min.js')}</script>")
    fh.write(f"<script>{_static('report.js')}</script></body></html>\n")
