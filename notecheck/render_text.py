"""The terminal view a scribe reads: what is missing first (with the fix), then the checklist,
the evidence with its section, and the code with its reasons. Colour only on a terminal and
never when NO_COLOR is set or --no-color is given; wrapped to the terminal width."""
from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import Optional, TextIO

from notecheck.models import Result

_ICON = {"met": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
_COLOR = {"met": "32", "partial": "33", "missing": "31", "not_applicable": "90", "high": "31", "medium": "33", "low": "90"}


def use_color(stream: TextIO, no_color: bool = False) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def render_text(result: Result, color: bool = False, width: Optional[int] = None) -> str:
    width = width or max(60, min(110, shutil.get_terminal_size((100, 24)).columns))

    def paint(text: str, key: str, bold: bool = False) -> str:
        if not color:
            return text
        code = _COLOR.get(key, "0")
        return f"\033[{'1;' if bold else ''}{code}m{text}\033[0m"

    def wrap(text: str, indent: str = "  ", first: str = "", lead: str = "", key: str = "") -> list[str]:
        """Wrap plain text (colour codes would count as width), then colour `lead` in place."""
        lines = textwrap.wrap(text, width=width, initial_indent=first or indent, subsequent_indent=indent) or [first or indent]
        if lead and key and lines[0].find(lead) >= 0:
            at = lines[0].find(lead)
            lines[0] = lines[0][:at] + paint(lead, key) + lines[0][at + len(lead):]
        return lines

    out: list[str] = []
    title = result.note_id or "note"
    verdict = "ready to sign" if result.ready_to_sign else "documentation gaps"
    heading = f"{title}: score {result.score}/100 - {verdict}"
    for line in textwrap.wrap(heading, width=width, subsequent_indent="  ") or [heading]:
        out.append(paint(line, "met" if result.ready_to_sign else "missing", bold=True))
    p = result.procedure
    out.extend(wrap(p.reason, first="  "))
    gaps = [i for i in result.checklist if i.status in ("missing", "partial")]
    if gaps:
        out.append("")
        out.append(paint("What to add", "missing", bold=True))
        for item in gaps:
            out.extend(wrap(item.message, indent="    ", first=f"  {_ICON[item.status]} {item.title}: ", lead=_ICON[item.status], key=item.status))
    out.append("")
    out.append(paint("Checklist", "met", bold=True) if not gaps else "Checklist")
    for item in result.checklist:
        out.append(f"  {paint(_ICON[item.status] + ' ' + item.status.replace('_', ' '), item.status):<24} {item.title}")
        for ev in item.evidence[:2]:
            quote = ev.text.replace("\n", " ")
            out.extend(wrap(f"\"{quote}\" ({ev.section.replace('_', ' ')}, chars {ev.start}-{ev.end})", indent="        ", first="        "))
    out.append("")
    code = p.suggested_cpt or "none"
    out.append(f"Code: {code}  units: {p.units}" + (f"  flags: {', '.join(p.flags)}" if p.flags else ""))
    for line in result.claim_lines:
        out.append(f"  line: {line.cpt} x{line.units} {' '.join(line.modifiers) or '(no modifiers)'}  [{line.site}]")
    for m in result.modifiers:
        out.extend(wrap(m.reason, indent="        ", first=f"  {m.code:<5} "))
    for icd in result.icd10_suggestions:
        out.extend(wrap(f"{icd.description}. {icd.reason}", indent="           ", first=f"  {icd.code:<8} "))
    if result.denial_risks:
        out.append("")
        out.append(paint("Denial risks", "high", bold=True))
        for risk in result.denial_risks:
            on = f" [{', '.join(risk.lines)}]" if risk.lines else ""
            out.extend(wrap(risk.message, indent="      ", first=f"  {risk.severity.upper()} {risk.id}{on}: ", lead=risk.severity.upper(), key=risk.severity))
    if result.queries:
        out.append("")
        out.append(paint("Physician query drafts", "partial", bold=True))
        for n, query in enumerate(result.queries, start=1):
            out.extend(wrap(query.question, indent="      ", first=f"  {n}. "))
            for option in query.options:
                out.extend(wrap(option, indent="        ", first="      [ ] "))
    explanation = getattr(result, "explanation", None)  # an ExplainedResult (check --explain)
    if explanation is not None:
        from notecheck.explain.render import explanation_lines

        out.extend(["", *explanation_lines(explanation, width, color)])
    return "\n".join(out) + "\n"


def write_text(result: Result, stream: TextIO = sys.stdout, no_color: bool = False) -> None:
    stream.write(render_text(result, color=use_color(stream, no_color)))
