"""Snapshot of the pipeline's output on MTSamples reports, to prove a refactor changes nothing:
every span of doc.spans["notecheck"] as (label, value, rule id, start_char, end_char), its ConText
modifiers and the note's sections. Writes a JSON file; `--compare OLD.json` counts the notes whose
output differs (by note index only: no note text is printed).

    python scripts/span_snapshot.py OUT.json [--notes 600] [--compare OLD.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NOTECHECK_SHARED_DIR", ROOT.parent / "shared")) / "mtsamples" / "mtsamples.jsonl"


def snapshot(texts: list[str]) -> list[dict]:
    from notecheck.checker import Checker
    from pipelines.extensions import MODIFIERS, SECTIONS, SPANS_KEY

    checker = Checker()
    out = []
    for text in texts:
        doc = checker.doc(text)
        spans = [[s.label_, s.kb_id_, s.id_, s.start_char, s.end_char] for s in doc.spans[SPANS_KEY]]
        out.append({
            "spans": spans,
            "modifiers": [[list(m) for m in mods] for mods in (doc._.get(MODIFIERS) or [])],
            "sections": [list(s) for s in (doc._.get(SECTIONS) or [])],
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=600)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    with args.corpus.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    step = max(1, len(texts) // args.notes)
    texts = texts[::step][: args.notes]
    result = snapshot(texts)
    args.out.write_text(json.dumps(result), encoding="utf-8")
    print(f"{len(result)} notes, {sum(len(r['spans']) for r in result)} spans -> {args.out}")
    if args.compare:
        old = json.loads(args.compare.read_text(encoding="utf-8"))
        diffs = {part: [i for i, (a, b) in enumerate(zip(old, result)) if a[part] != b[part]] for part in ("spans", "modifiers", "sections")}
        # Extraction reads each span's modifiers as a set: the order of triggers on the same words is free.
        diffs["modifier_sets"] = [
            i for i, (a, b) in enumerate(zip(old, result))
            if [sorted(map(tuple, m)) for m in a["modifiers"]] != [sorted(map(tuple, m)) for m in b["modifiers"]]
        ]
        for part, idx in diffs.items():
            print(f"{part}: {len(idx)} of {len(result)} notes differ" + (f" (indexes {idx[:20]})" if idx else ""))
        strict = ("spans", "modifier_sets", "sections")
        return 1 if any(diffs[p] for p in strict) or len(old) != len(result) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
