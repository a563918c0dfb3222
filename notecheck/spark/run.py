"""`notecheck audit INPUT --out OUT --engine spark [--master URL]`: the CLI's entry to the Spark
audit (notecheck/spark/job.py). Kept free of pandas, PyArrow and PySpark imports, so that without
the spark extra the command ends in one line and exit 2 rather than a traceback."""
from __future__ import annotations

import argparse
import sys

MISSING = "--engine spark needs the spark extra: pip install 'notecheck[spark]' (and Java 17+)"


def run_spark_audit(args: argparse.Namespace) -> int:
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        print(f"notecheck: error: {MISSING} ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    from notecheck.spark.job import run_job

    return run_job(args)
