"""What the hostile-input suite tried, counted per module, for the summary at the end of a run.

Each module adds to `TALLY` under its own name; `conftest.py` prints the counts once the run
ends. Under pytest-xdist every worker counts its own share and sends it to the controller,
which adds them up (see `conftest.py`).
"""

from collections import Counter, defaultdict

TALLY: defaultdict[str, Counter] = defaultdict(Counter)


def tally(module: str, what: str, count: int = 1) -> None:
    """Count `count` more of `what` tried by `module` (a short name such as "importer fuzz")."""
    TALLY[module][what] += count


def tally_merge(counts: dict[str, dict[str, int]]) -> None:
    """Add counts sent by an xdist worker."""
    for module, whats in counts.items():
        TALLY[module].update(whats)


def tally_plain() -> dict[str, dict[str, int]]:
    """Return the counts as plain dicts, which xdist can send between processes."""
    return {module: dict(whats) for module, whats in TALLY.items()}
