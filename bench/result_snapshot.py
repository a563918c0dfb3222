"""Accuracy guard for speed work: the result JSON of every note of a fixed set, written once and
compared after a change. A faster pipeline must give byte-identical results.

The set: sample_notes/*.txt, sample_notes/blind/*/*.txt, the released batch
(`$NOTECHECK_SHARED_DIR/released_eval/batch1/*.txt`) and the first 600 MTSamples reports.

    python bench/result_snapshot.py write before.jsonl
    python bench/result_snapshot.py compare before.jsonl     # exit 1 and the differing ids on a change
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whichever notecheck the interpreter has installed.
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("NOTECHECK_SHARED_DIR", ROOT.parent / "shared"))
MTSAMPLES_NOTES = 600


def notes() -> Iterator[tuple[str, str]]:
    """(id, text) of every note of the set, in a fixed order."""
    for path in sorted((ROOT / "sample_notes").glob("*.txt")):
        yield f"sample/{path.name}", path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "sample_notes" / "blind").glob("*/*.txt")):
        yield f"blind/{path.parent.name}/{path.name}", path.read_text(encoding="utf-8")
    for path in sorted((SHARED / "released_eval" / "batch1").glob("*.txt")):
        yield f"released/{path.name}", path.read_text(encoding="utf-8")
    with (SHARED / "mtsamples" / "mtsamples.jsonl").open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= MTSAMPLES_NOTES:
                break
            record = json.loads(line)
            yield f"mtsamples/{record['note_id']}", record["text"]


def snapshot() -> dict[str, str]:
    from notecheck.checker import Checker

    checker = Checker()
    return {note_id: checker.check(text, max_bytes=None).model_dump_json() for note_id, text in notes()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("write", "compare"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    current = snapshot()
    if args.mode == "write":
        with args.path.open("w", encoding="utf-8") as fh:
            for note_id, result in current.items():
                fh.write(json.dumps({"id": note_id, "result": result}) + "\n")
        print(f"{len(current)} results written to {args.path}")
        return 0
    with args.path.open(encoding="utf-8") as fh:
        before = {r["id"]: r["result"] for r in map(json.loads, fh)}
    changed = sorted(k for k in before.keys() | current.keys() if before.get(k) != current.get(k))
    groups: dict[str, int] = {}
    for note_id in before:
        groups[note_id.split("/")[0]] = groups.get(note_id.split("/")[0], 0) + 1
    print("notes: " + ", ".join(f"{k} {v}" for k, v in groups.items()) + f"; identical {len(before) - len(changed)}/{len(before)}")
    for note_id in changed[:50]:
        print(f"changed: {note_id}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
