"""`notecheck audit INPUT --out OUT --engine spark [--master URL]`: the CLI's entry to the Spark
audit (notecheck/spark/job.py). Kept free of pandas, PyArrow and PySpark imports, so that without
the spark extra the command ends in one line and exit 2 rather than a traceback."""
from __future__ import annotations

from typing import TYPE_CHECKING

from notecheck.errors import UsageError

if TYPE_CHECKING:
    from notecheck.audit.run import AuditArgs

MISSING = "--engine spark needs the spark extra: pip install 'notecheck[spark]' (and Java 17+)"


def run_spark_audit(args: AuditArgs) -> int:
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"{MISSING} ({type(exc).__name__}: {exc})") from None
    from notecheck.spark.job import run_job

    return run_job(args)
