"""The terminal view a scribe reads: what is missing first (with the fix), then the checklist,
the evidence with its section, and the code with its reasons. Laid out with rich grids (a key
column and a text column that wraps under itself) to the terminal width; colour only on a
terminal and never when NO_COLOR is set or --no-color is given (notecheck/terminal.py)."""
from __future__ import annotations

import io
import shutil
import sys
from typing import Optional, TextIO

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from notecheck.models import DenialRisk, Evidence, Result
from notecheck.terminal import console, use_color

__all__ = ["render_text", "use_color", "write_text"]

_ICON = {"met": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
_STYLE = {"met": "green", "partial": "yellow", "missing": "red", "not_applicable": "bright_black",
          "high": "red", "medium": "yellow", "low": "bright_black"}


def _painted(text: str, key: str) -> Text:
    # A span, not the Text's base style: the padding rich adds after it in a grid stays plain.
    return Text.assemble((text, _STYLE.get(key, "")))


def _heading(text: str, key: Optional[str]) -> Text:
    return Text(text, style=f"bold {_STYLE[key]}" if key else "")


def _indent(renderable: RenderableType, by: int) -> Padding:
    return Padding(renderable, (0, 0, 0, by), expand=False)


def _grid(rows: list[tuple[RenderableType, RenderableType]], indent: int = 2) -> Padding:
    """Keys in a column of their own, texts wrapped beside them: the hanging indent of a list."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for key, text in rows:
        grid.add_row(key, text)
    return _indent(grid, indent)


def _quote(ev: Evidence) -> str:
    quote = ev.text.replace("\n", " ")
    return f"\"{quote}\" ({ev.section.replace('_', ' ')}, chars {ev.start}-{ev.end})"


def _lines(risk: DenialRisk) -> str:
    return f" [{', '.join(risk.lines)}]" if risk.lines else ""


def _blocks(result: Result) -> list[RenderableType]:
    p = result.procedure
    title = result.note_id or "note"
    verdict = "ready to sign" if result.ready_to_sign else "documentation gaps"
    blocks: list[RenderableType] = [
        _heading(f"{title}: score {result.score}/100 - {verdict}", "met" if result.ready_to_sign else "missing"),
        _indent(Text(p.reason), 2),
    ]
    gaps = [i for i in result.checklist if i.status in ("missing", "partial")]
    if gaps:
        blocks += [Text(), _heading("What to add", "missing"),
                   _grid([(_painted(_ICON[i.status], i.status), Text(f"{i.title}: {i.message}")) for i in gaps])]

    checklist = []
    for item in result.checklist:
        evidence = [_indent(Text(_quote(ev)), 2) for ev in item.evidence[:2]]
        status = _painted(f"{_ICON[item.status]} {item.status.replace('_', ' ')}", item.status)
        checklist.append((status, Group(Text(item.title), *evidence)))
    blocks += [Text(), _heading("Checklist", None if gaps else "met"), _grid(checklist)]

    code = p.suggested_cpt or "none"
    coding: list[tuple[RenderableType, RenderableType]] = []
    for line in result.claim_lines:
        coding.append((Text("line:"), Text(f"{line.cpt} x{line.units} {' '.join(line.modifiers) or '(no modifiers)'}  [{line.site}]")))
    coding += [(Text(m.code), Text(m.reason)) for m in result.modifiers]
    coding += [(Text(icd.code), Text(f"{icd.description}. {icd.reason}")) for icd in result.icd10_suggestions]
    blocks += [Text(), Text(f"Code: {code}  units: {p.units}" + (f"  flags: {', '.join(p.flags)}" if p.flags else ""))]
    if coding:
        blocks.append(_grid(coding))

    if result.denial_risks:
        risks = [(_painted(r.severity.upper(), r.severity), Text(f"{r.id}{_lines(r)}: {r.message}")) for r in result.denial_risks]
        blocks += [Text(), _heading("Denial risks", "high"), _grid(risks)]
    if result.queries:
        queries = [(Text(f"{n}."), Group(Text(q.question), *[_indent(Text(f"[ ] {option}"), 2) for option in q.options]))
                   for n, q in enumerate(result.queries, start=1)]
        blocks += [Text(), _heading("Physician query drafts", "partial"), _grid(queries)]
    return blocks


def render_text(result: Result, color: bool = False, width: Optional[int] = None) -> str:
    width = width or max(60, min(110, shutil.get_terminal_size((100, 24)).columns))
    buffer = io.StringIO()
    out = console(buffer, color=color, width=width)
    for block in _blocks(result):
        out.print(block)
    explanation = getattr(result, "explanation", None)  # an ExplainedResult (check --explain)
    if explanation is not None:
        from notecheck.explain.render import explanation_lines

        buffer.write("\n" + "\n".join(explanation_lines(explanation, width, color)) + "\n")
    # A grid pads its cells to the column width: the blanks at line ends carry nothing.
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().splitlines()) + "\n"


def write_text(result: Result, stream: TextIO = sys.stdout, no_color: bool = False) -> None:
    stream.write(render_text(result, color=use_color(stream, no_color)))
