"""Rules as data: the YAML files in this package are notecheck's whole clinical vocabulary.

They ship inside the wheel; `PATTERNS_DIR` is where the installed copy lives.
"""
from pathlib import Path

PATTERNS_DIR = Path(__file__).resolve().parent
