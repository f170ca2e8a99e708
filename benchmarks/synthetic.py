"""A synthetic register in format v1, with the mix of `rogatory generate` (one source for both)."""

import csv
import os
from datetime import date
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
django.setup()

# These need Django set up.
from rogatory.intake.rows import COLUMNS  # noqa: E402
from rogatory.register.synthetic import synthetic_register_rows  # noqa: E402


def write_register(path: Path, rows: int, *, seed: int = 1, last_day: date | None = None) -> Path:
    """Write a register of `rows` requests opened over the ten years before `last_day`."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        # By column name, so that the file follows the register format as it grows.
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(synthetic_register_rows(requests=rows, seed=seed, last_day=last_day))
    return path
