"""Where the shared real-text corpora live. They are not part of the repository (real reports,
no licence to redistribute): `NOTECHECK_SHARED_DIR`, else `../shared` beside the checkout, else
`/work/shared`. Tests that need them skip, saying so, when none exists."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    candidates = [os.environ.get("NOTECHECK_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "mtsamples" / "mtsamples.jsonl").exists():
            return Path(candidate)
    return ROOT.parent / "shared"


SHARED = _shared()
MTSAMPLES = SHARED / "mtsamples" / "mtsamples.jsonl"
REAL_NOTES_DIR = SHARED / "real_notes"
MISSING = f"the shared corpora are not at {SHARED} (set NOTECHECK_SHARED_DIR)"
