"""The eval scores as a text table, a misses list and a JSON document. Only note ids, field names and
vocabulary values appear: never note text."""
from __future__ import annotations

from typing import Any

from notecheck.evaluation.scoring import HEADLINE, FieldScore, Scores

_LABELS = {key: label for key, label, _ in HEADLINE}


def _micro(scores: Scores) -> FieldScore:
    f = scores.fields.values()
    return FieldScore(sum(s.tp for s in f), sum(s.fp for s in f), sum(s.fn for s in f))


def format_scores(scores: Scores) -> str:
    formats = ", ".join(f"{n} {fmt}" for fmt, n in sorted(scores.formats.items()))
    lines = [f"notecheck eval {scores.name}: {scores.n_notes} notes" + (f" ({formats} gold)" if formats else "")]
    lines.append(f"{'headline':<44}{'share':>7}{'right/notes':>13}")
    for key, acc in scores.headline.items():
        if acc.total:
            lines.append(f"  {_LABELS[key]:<42}{acc.share:>7.3f}{f'{acc.right}/{acc.total}':>13}")
    c = scores.claims
    lines.append(f"claims with a billed code: {c.billed} ({c.wrong} wrong, {c.correct} correct)")
    if c.billed:
        flagged = f"{c.wrong_flagged}/{c.wrong}"
        tail = f"   not flagged: {', '.join(c.wrong_unflagged)}" if c.wrong_unflagged else ""
        lines.append(f"  {'wrong claims flagged (high/medium risk)':<42}{c.flagged_share:>7.3f}{flagged:>13}{tail}")
        alarms = "; ".join(f"{note} ({', '.join(ids)})" for note, ids in c.high_on_correct)
        lines.append(
            f"  {'high-severity alarms on correct claims':<42}{len(c.high_on_correct):>7} of {c.correct}"
            + (f"   {alarms}" if alarms else "")
        )
    lines.append(f"{'field':<22}{'precision':>10}{'recall':>9}{'F1':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    for name, s in scores.fields.items():
        lines.append(f"{name:<22}{s.precision:>10.3f}{s.recall:>9.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    t = _micro(scores)
    lines.append(f"{'ALL (micro)':<22}{t.precision:>10.3f}{t.recall:>9.3f}{t.f1:>8.3f}{t.tp:>6}{t.fp:>5}{t.fn:>5}")
    return "\n".join(lines)


def format_misses(scores: Scores) -> str:
    lines = [f"misses in {scores.name} (note id: want -> got)"]
    for name, s in scores.fields.items():
        if s.misses:
            lines.append(f"  {name} ({len(s.misses)})")
            lines.extend(f"    {m.note_id}: want {m.want} got {m.got}" for m in s.misses)
    if len(lines) == 1:
        lines.append("  none")
    return "\n".join(lines)


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
