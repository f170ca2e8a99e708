"""The soak script counts every write it was answered and finds each in the database.

The accounting is tested on made-up logs; a short run against `rogatory serve` on PostgreSQL
checks the whole script (the two-minute run at 32 clients is not part of the suite).
"""

import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.benchmarks.scripts import BENCHMARKS, benchmark_script

soak = benchmark_script("soak")


def _log(*writes, statuses=None) -> object:
    log = soak.ClientLog()
    log.writes.extend(writes)
    log.kinds["write"] += len(writes)
    log.statuses.update(statuses or Counter(w.status for w in writes if w.status))
    log.failures["ReadTimeout"] += sum(1 for write in writes if write.status is None)
    return log


def _result(logs, events, *, versions=None, counts=None):
    stored = {"events": events, "versions": versions or {}, "counts": counts or {}}
    return soak.soak_result(logs, stored, clients=len(logs), duration=2.0, workers=1, targets=1)


def test_a_run_whose_acknowledged_writes_are_all_stored_once_passes():
    logs = [
        _log(soak.Write("soak r 0 1", 7, 201, 100), soak.Write("soak r 0 2", 7, 409)),
        _log(soak.Write("soak r 1 1", 7, 201, 101), soak.Write("soak r 1 2", 7, None)),
    ]

    result = _result(
        logs,
        [[100, "soak r 0 1", 7], [101, "soak r 1 1", 7], [102, "soak r 1 2", 7]],
        versions={"7": 5},
        counts={"7": 5},
    )

    assert result.passed
    assert (result.writes, result.writes_acknowledged, result.conflicts) == (4, 2, 1)
    assert (result.timeouts, result.stored_unanswered, result.events_stored) == (1, 1, 3)
    assert result.acknowledged_missing == result.stored_though_refused == 0


def test_an_acknowledged_write_missing_fails_the_run():
    result = _result([_log(soak.Write("soak r 0 1", 7, 201, 100))], [])

    assert result.acknowledged_missing == 1
    assert not result.passed


def test_an_acknowledged_write_stored_twice_fails_the_run():
    write = soak.Write("soak r 0 1", 7, 201, 100)

    result = _result([_log(write)], [[100, "soak r 0 1", 7], [105, "soak r 0 1", 7]])

    assert result.acknowledged_doubled == 1
    assert not result.passed


def test_a_refused_write_that_was_stored_anyway_fails_the_run():
    result = _result([_log(soak.Write("soak r 0 1", 7, 409))], [[100, "soak r 0 1", 7]])

    assert result.stored_though_refused == 1
    assert not result.passed


def test_an_event_no_client_asked_for_fails_the_run():
    result = _result([_log()], [[100, "soak r 9 9", 7]])

    assert result.stored_though_refused == 1
    assert not result.passed


def test_a_server_error_fails_the_run():
    result = _result([_log(soak.Write("soak r 0 1", 7, 500))], [])

    assert result.server_errors == 1
    assert not result.passed


def test_a_request_whose_version_is_not_its_number_of_events_fails_the_run():
    result = _result([_log()], [], versions={"7": 6}, counts={"7": 5})

    assert result.versions_inconsistent == 1
    assert not result.passed


@pytest.mark.postgres
def test_a_short_soak_on_postgresql_loses_nothing(tmp_path):
    databases = benchmark_script("databases")
    if not databases.postgres_answers():
        pytest.skip(f"PostgreSQL does not answer at {databases.POSTGRES_URL}")
    figures = tmp_path / "soak.json"
    with soak.scratch_database("rogatory_test_soak") as url:
        run = subprocess.run(
            [
                sys.executable,
                str(BENCHMARKS / "soak.py"),
                *("--clients", "4", "--duration", "4", "--targets", "3", "--workers", "2"),
                *("--database-url", url, "--json", str(figures)),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    result = json.loads(figures.read_text())
    assert result["passed"]
    assert result["server_errors"] == result["acknowledged_missing"] == 0
    assert result["reads"] > 0 and result["writes_acknowledged"] > 0
    assert result["events_stored"] == result["writes_acknowledged"] + result["stored_unanswered"]
    assert result["unexpected"] == []
    assert "acknowledged writes missing:            0" in run.stdout
