"""Prove that a change to the rule files (or code) changes no result: dump every note's result
JSON (minus rules_version, which hashes the rule files) from one source tree, then diff two dumps.

    python bench/compare_results.py dump before.jsonl --root /tmp/base_tree
    python bench/compare_results.py dump after.jsonl
    python bench/compare_results.py diff before.jsonl after.jsonl

The corpus: sample_notes/ and its blind batches, the released eval batch 1 (with their claim
context) and the first 600 MTSamples reports (no claim).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterator, Optional

REPO = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared")
MTSAMPLES = SHARED / "mtsamples" / "mtsamples.jsonl"
RELEASED = SHARED / "released_eval" / "batch1"


def _folders(root: Path) -> list[Path]:
    blind = root / "sample_notes" / "blind"
    return [root / "sample_notes", *sorted(p for p in blind.iterdir() if p.is_dir()), RELEASED]


def _corpus(root: Path, mtsamples: int) -> Iterator[tuple[str, str, object]]:
    from notecheck.evaluation.gold import load_batch

    for folder in _folders(root):
        if not folder.is_dir():
            continue
        for note in load_batch(folder).notes:
            yield f"{folder.name}/{note.note_id}", note.read_text(), note.claim
    if MTSAMPLES.exists():
        with MTSAMPLES.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n >= mtsamples:
                    break
                row = json.loads(line)
                yield f"mtsamples/{row['note_id']}", row["text"], None


def dump(out: Path, root: Path, mtsamples: int) -> int:
    sys.path.insert(0, str(root))
    from notecheck.checker import Checker
    from notecheck.reader import NoteInputError

    checker = Checker()
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for key, text, claim in _corpus(REPO, mtsamples):
            try:
                data = checker.check(text, claim, key.rsplit("/", 1)[-1]).model_dump(mode="json")
            except NoteInputError as exc:
                data = {"refused": str(exc)}
            data.pop("rules_version", None)
            fh.write(json.dumps({"key": key, "result": data}, sort_keys=True) + "\n")
            count += 1
    print(f"{count} results from {root} -> {out}")
    return 0


def _load(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as fh:
        return {row["key"]: row["result"] for row in map(json.loads, fh)}


def _first_difference(a: object, b: object, where: str = "") -> Optional[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            found = _first_difference(a.get(k), b.get(k), f"{where}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{where or '.'}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}"


def diff(before: Path, after: Path, show: int) -> int:
    a, b = _load(before), _load(after)
    missing = sorted(set(a) ^ set(b))
    changed = [k for k in sorted(set(a) & set(b)) if a[k] != b[k]]
    print(f"{len(a)} before, {len(b)} after: {len(set(a) & set(b)) - len(changed)} identical, "
          f"{len(changed)} changed, {len(missing)} only in one")
    for key in changed[:show]:
        print(f"  {key}: {_first_difference(a[key], b[key])}")
    return 0 if not changed and not missing else 1


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="check every note and write key + result JSON lines")
    d.add_argument("out", type=Path)
    d.add_argument("--root", type=Path, default=REPO, help="source tree whose notecheck and patterns run")
    d.add_argument("--mtsamples", type=int, default=600, help="how many MTSamples reports (first N)")
    c = sub.add_parser("diff", help="compare two dumps; exit 1 if any result differs")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--show", type=int, default=10)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.root.resolve(), args.mtsamples)
    return diff(args.before, args.after, args.show)


if __name__ == "__main__":
    sys.exit(main())
