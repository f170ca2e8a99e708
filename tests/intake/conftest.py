"""Register files for the intake tests, written on the fly."""

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from rogatory.intake.rows import COLUMNS

# A complete, valid outgoing MLA row; tests change what they are about.
VALID_ROW = {
    "reference": "R-1",
    "direction": "outgoing",
    "kind": "mla",
    "country": "CH",
    "sent_on": "2023-03-01",
    "status": "pending",
}

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "data" / "seed-2023.csv"

WriteRegister = Callable[..., Path]


def write_csv(
    path: Path, rows: list[dict[str, object]], *, columns: tuple[str, ...] = COLUMNS
) -> Path:
    """Write `rows` (dicts by column) as a register CSV with `columns` as its header."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


@pytest.fixture
def register_csv(tmp_path: Path) -> WriteRegister:
    """Return a function that writes rows, each a change to VALID_ROW, to register.csv."""

    def write(*changes: dict[str, object], columns: tuple[str, ...] = COLUMNS) -> Path:
        rows = [{**VALID_ROW, **change} for change in changes]
        return write_csv(tmp_path / "register.csv", rows, columns=columns)

    return write


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_tasks(settings, django_capture_on_commit_callbacks):
    """Return a context manager; the tasks queued inside it run as it ends, as a worker's would.

    A task is queued once the transaction that asked for it commits, which a test's transaction
    never does: the captured callbacks stand in for that commit.
    """
    settings.TASKS = IMMEDIATE_TASKS
    return lambda: django_capture_on_commit_callbacks(execute=True)
