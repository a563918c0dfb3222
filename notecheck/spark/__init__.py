"""notecheck on Apache Spark (the optional extra: pip install "notecheck[spark]"; Java 17+).

- `check_notes(df)`: a DataFrame of notes -> one result row per note (frames.py).
- `notecheck audit INPUT --out OUT --engine spark [--master URL]`: the audit as a Spark job (run.py).

The modules, in the order a note travels through them: `sources` (INPUT read with Spark),
`frames` (input columns, claims join, mapInPandas), `rows` (the Python worker: one pipeline per
process, one row per note, errors as rows), `columns` (the output schema), `summary` (the audit
summary by per-partition aggregation), `run` (the CLI's orchestration). PySpark and pandas are imported
only where a function needs them, so `import notecheck.spark` works without them.
"""
from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_BUDGET_S", "check_notes"]


def __getattr__(name: str) -> Any:
    # Lazy: the worker side needs pandas, which only the spark extra installs.
    if name in __all__:
        from notecheck.spark import frames

        return getattr(frames, name)
    raise AttributeError(name)
