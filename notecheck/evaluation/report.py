"""The eval scores as rich tables (coloured on a terminal only, plain text on a pipe), a misses list and
a JSON document. Only note ids, field names and vocabulary values appear: never note text."""
from __future__ import annotations

from typing import Any, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from notecheck.evaluation.scoring import HEADLINE, FieldScore, Scores

_LABELS = {key: label for key, label, _ in HEADLINE}


def _micro(scores: Scores) -> FieldScore:
    f = scores.fields.values()
    return FieldScore(sum(s.tp for s in f), sum(s.fp for s in f), sum(s.fn for s in f))


def table(*columns: str, total: Sequence[str] = ()) -> Table:
    """A borderless table with a rule under its header and, given a `total` row, a rule above it;
    the first column left-aligned, figures right-aligned. Header and total are bold on a terminal
    only (notecheck/terminal.py decides)."""
    t = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, header_style="bold", footer_style="bold",
              show_footer=bool(total))
    for n, name in enumerate(columns):
        # Names stay whole; on a narrow terminal the long figure headers wrap instead.
        t.add_column(name, footer=total[n] if total else "", justify="left" if n == 0 else "right", no_wrap=n == 0)
    return t


def scores_view(scores: Scores) -> Group:
    """One batch's scores: the headline accuracies, the claims, and precision/recall/F1 per field."""
    formats = ", ".join(f"{n} {fmt}" for fmt, n in sorted(scores.formats.items()))
    blocks: list[RenderableType] = [
        Text(f"notecheck eval {scores.name}: {scores.n_notes} notes" + (f" ({formats} gold)" if formats else ""), style="bold")
    ]
    headline = table("headline", "share", "right/notes")
    for key, acc in scores.headline.items():
        if acc.total:
            headline.add_row(_LABELS[key], f"{acc.share:.3f}", f"{acc.right}/{acc.total}")
    blocks.append(headline)

    c = scores.claims
    blocks.append(Text(f"claims with a billed code: {c.billed} ({c.wrong} wrong, {c.correct} correct)"))
    if c.billed:
        claims = table("claims", "share", "count")
        claims.add_row("wrong claims flagged (high/medium risk)", f"{c.flagged_share:.3f}", f"{c.wrong_flagged}/{c.wrong}")
        claims.add_row("high-severity alarms on correct claims", "", f"{len(c.high_on_correct)} of {c.correct}")
        blocks.append(claims)
        if c.wrong_unflagged:
            blocks.append(Text(f"  not flagged: {', '.join(c.wrong_unflagged)}"))
        if c.high_on_correct:
            alarms = "; ".join(f"{note} ({', '.join(ids)})" for note, ids in c.high_on_correct)
            blocks.append(Text(f"  high alarms on correct claims: {alarms}"))

    fields = table("field", "precision", "recall", "F1", "tp", "fp", "fn", total=("ALL (micro)", *_figures(_micro(scores))))
    for name, s in scores.fields.items():
        fields.add_row(name, *_figures(s))
    blocks += [Text(), fields]
    return Group(*blocks)


def _figures(s: FieldScore) -> tuple[str, ...]:
    return f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn)


def misses_view(scores: Scores) -> Text:
    lines = [f"misses in {scores.name} (note id: want -> got)"]
    for name, s in scores.fields.items():
        if s.misses:
            lines.append(f"  {name} ({len(s.misses)})")
            lines.extend(f"    {m.note_id}: want {m.want} got {m.got}" for m in s.misses)
    if len(lines) == 1:
        lines.append("  none")
    return Text("\n".join(lines))


def scores_json(scores: Scores) -> dict[str, Any]:
    def field_json(s: FieldScore) -> dict[str, Any]:
        return {
            "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
            "tp": s.tp, "fp": s.fp, "fn": s.fn,
        }

    c = scores.claims
    return {
        "name": scores.name,
        "notes": scores.n_notes,
        "formats": scores.formats,
        "headline": {k: {"share": round(a.share, 4), "right": a.right, "total": a.total} for k, a in scores.headline.items() if a.total},
        "claims": {
            "billed": c.billed,
            "wrong": c.wrong,
            "wrong_flagged": c.wrong_flagged,
            "wrong_flagged_share": round(c.flagged_share, 4),
            "wrong_unflagged": c.wrong_unflagged,
            "correct": c.correct,
            "high_alarms_on_correct": len(c.high_on_correct),
            "high_alarms_on_correct_notes": [{"note_id": n, "risks": list(ids)} for n, ids in c.high_on_correct],
        },
        "fields": {
            name: {**field_json(s), "misses": [{"note_id": m.note_id, "want": m.want, "got": m.got} for m in s.misses]}
            for name, s in scores.fields.items()
        },
        "micro": field_json(_micro(scores)),
    }
