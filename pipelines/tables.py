"""Side columns of pipe tables: an OR schedule, an implant log or a charge sheet that gives the side
in a column of its own ("Time | Pt | Procedure | Side | Anes" over "0745 | ... | L | regional"). Each
cell of a column headed by one of the side labels (sections.yaml layout.side_column_labels) is filed
as a side field, where a bare "L" or "R" is a side (anatomy.yaml side.field_letter_*), as it is after
"Side:". Without such a column the sections stay as they are.
"""
from __future__ import annotations

from pipelines.timeline import Section, overlay


class SideColumns:
    def __init__(self, labels: list[str], field: str) -> None:
        """`labels`: column headers that name the side ("side", "laterality"); `field`: the side-field
        section its cells are filed under."""
        self._labels = frozenset(label.lower() for label in labels)
        self._field = field

    def apply(self, text: str, sections: list[Section]) -> list[Section]:
        if "|" not in text or not self._labels:
            return sections
        spans: list[tuple[int, int, str]] = []
        column: int | None = None
        line_start = 0
        for line in text.split("\n"):
            cells = _cells(line, line_start)
            line_start += len(line) + 1
            if len(cells) < 2:
                column = None  # the table ended
                continue
            names = [text[a:b].lower() for a, b in cells]
            header = next((i for i, name in enumerate(names) if name in self._labels), None)
            if header is not None:
                column = header
                continue
            if column is not None and column < len(cells):
                start, end = cells[column]
                if end > start:
                    spans.append((start, end, self._field))
        return overlay(sections, spans) if spans else sections


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    """The cells of a line split on "|", as (start, end) offsets of their text without its blanks;
    none for a line with fewer than two bars."""
    if line.count("|") < 2:
        return []
    cells = []
    start = 0
    for i, c in enumerate(line + "|"):
        if c != "|":
            continue
        raw = line[start:i]
        lead = len(raw) - len(raw.lstrip())
        body = raw.strip()
        cells.append((offset + start + lead, offset + start + lead + len(body)))
        start = i + 1
    # A leading or trailing bar ("| 0745 | ... |") opens or closes the row, no cell of its own.
    if line.lstrip().startswith("|"):
        cells = cells[1:]
    if line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells
