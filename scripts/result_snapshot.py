"""Snapshot of the result JSON (`check --format json`) of every note in gold folders, to prove a
refactor of the result models changes no byte of the output. Each note is checked twice: alone,
and with the claim context its folder gives (claims.csv or the released gold), so claim lines,
modifiers and claim risks are covered too. `--compare OLD.json` names the notes whose JSON differs
(by note id only: no note text is printed).

    python scripts/result_snapshot.py OUT.json [FOLDER ...] [--compare OLD.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This checkout's packages, not an installed notecheck (a script's own folder heads sys.path).
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("NOTECHECK_SHARED_DIR", ROOT.parent / "shared"))
DEFAULT_FOLDERS = [ROOT / "sample_notes", ROOT / "sample_notes" / "blind", SHARED / "released_eval" / "batch1"]


def snapshot(folders: list[Path]) -> dict[str, str]:
    from notecheck.checker import Checker
    from notecheck.evaluation.gold import load_gold

    checker = Checker()
    out: dict[str, str] = {}
    for folder in folders:
        for batch in load_gold(folder):
            for note in batch.notes:
                key = f"{batch.folder.relative_to(folder.parent)}/{note.note_id}"
                text = note.read_text()
                out[key] = checker.check(text, None, note.note_id).model_dump_json(indent=2)
                if note.claim is not None:
                    out[key + "+claim"] = checker.check(text, note.claim, note.note_id).model_dump_json(indent=2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="*")
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    result = snapshot(args.folders or DEFAULT_FOLDERS)
    args.out.write_text(json.dumps(result, indent=0), encoding="utf-8")
    print(f"{len(result)} results -> {args.out}")
    if args.compare:
        old = json.loads(args.compare.read_text(encoding="utf-8"))
        missing = sorted(set(old) ^ set(result))
        differ = sorted(k for k in set(old) & set(result) if old[k] != result[k])
        print(f"{len(differ)} of {len(result)} results differ" + (f": {differ[:20]}" if differ else ""))
        if missing:
            print(f"{len(missing)} results in only one snapshot: {missing[:20]}")
        return 1 if differ or missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
