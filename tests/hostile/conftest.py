"""The hostile-input suite: what it tried is counted and printed at the end of the run.

Run it alone, with or without xdist, to see the counts docs/reliability.md quotes:
`pytest tests/hostile -p no:cacheprovider` (add `-n 2` for two workers). Under xdist each
worker hands its counts to the controller at its end (`workeroutput`), and the controller adds
them up. When the whole suite runs under xdist, the controller never loads this conftest
(pytest reads conftests of the given folders only) and the counts are not printed.
"""

import pytest

from .tally import TALLY, tally_merge, tally_plain

_WORKER_KEY = "rogatory_hostile_tally"


class _XdistTally:
    """Collect each worker's counts on the controller (hooks of pytest-xdist)."""

    @pytest.hookimpl
    def pytest_testnodedown(self, node, error) -> None:
        tally_merge(getattr(node, "workeroutput", {}).get(_WORKER_KEY, {}))


def pytest_configure(config) -> None:
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_XdistTally(), "rogatory-hostile-xdist-tally")


def pytest_sessionfinish(session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_WORKER_KEY] = tally_plain()


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what each module of the suite tried."""
    if not TALLY:
        return
    terminalreporter.write_sep("-", "hostile input: what was tried")
    for module in sorted(TALLY):
        counts = ", ".join(f"{what}: {count}" for what, count in sorted(TALLY[module].items()))
        terminalreporter.write_line(f"{module}: {counts}")
