"""The load benchmark reads locust's statistics into the table `make bench` writes."""

from dataclasses import asdict

import pytest

from tests.benchmarks.scripts import benchmark_script

load = benchmark_script("load")

# What locust 2.47 writes to <prefix>_stats.csv: one line per request name, then the total.
STATS = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,"web list, on a ground",1210,0,118,121.4,31,402,30512.0,40.3,0.0,118,130,139,145,160,173,190,210,390,402,402
GET,"web list, refused by CH",1198,3,112,119.9,29,388,30233.0,39.9,0.1,112,125,133,140,152,149,180,201,380,388,388
GET,web list silent,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,2408,3,115,120.6,29,402,30373.0,80.2,0.1,115,128,136,142,156,170,185,205,388,402,402
"""


def test_locust_stats_read_gives_each_name_and_the_total():
    lines, total = load.locust_stats_read(STATS)

    assert [line.name for line in lines] == [
        "web list, on a ground",
        "web list, refused by CH",
        "web list silent",
    ]
    assert lines[0] == load.Latency(
        name="web list, on a ground",
        requests=1210,
        failures=0,
        p50_ms=118.0,
        p95_ms=173.0,
        requests_per_s=40.3,
    )
    assert (lines[2].p50_ms, lines[2].p95_ms) == (None, None)
    assert (total.requests, total.failures, total.p95_ms) == (2408, 3, 170.0)


def test_locust_stats_read_refuses_statistics_without_their_total():
    with pytest.raises(ValueError, match="Aggregated"):
        load.locust_stats_read(STATS.rsplit(",Aggregated", 1)[0])


@pytest.mark.parametrize(
    ("p95_ms", "failures", "met"),
    [(149.0, 0, True), (150.0, 0, False), (120.0, 1, False), (None, 0, False)],
)
def test_target_met_needs_p95_under_the_target_and_no_failure(p95_ms, failures, met):
    latency = load.Latency("list", 100, failures, 100.0, p95_ms, 10.0)

    assert load.target_met(latency, 150.0) is met


def test_target_met_is_none_without_a_target():
    assert load.target_met(load.Latency("report", 10, 0, 900.0, 1200.0, 1.0), None) is None


def test_load_table_shows_each_name_against_its_target():
    lines, total = load.locust_stats_read(STATS)
    result = load.ScenarioResult(
        name="list-filtered",
        label="web register list with filters, first page",
        target_ms=150.0,
        lines=lines,
        total=total,
        seconds=30.0,
        cpu_server=0.6,
        cpu_database=0.2,
        cpu_locust=0.1,
        cpu_others=0.05,
    )

    table = load.load_table([result])
    cpu = load.load_cpu_table([result])

    assert table[2] == (
        "| web register list with filters, first page | web list, on a ground | 118 | 173 "
        "| 40.3 | 0 of 1,210 | < 150 ms | missed |"
    )
    assert table[3].endswith("| 149 | 39.9 | 3 of 1,198 | < 150 ms | missed |")
    assert table[4].endswith("| — | — | 0.0 | 0 of 0 | < 150 ms | missed |")
    assert cpu[2] == (
        "| web register list with filters, first page | 2,408 | 80.2 | 170 | 60% | 20% | 10% "
        "| 5% | 5% |"
    )


def test_load_results_read_gives_back_what_main_wrote():
    lines, total = load.locust_stats_read(STATS)
    result = load.ScenarioResult("api", "API list", 150.0, lines, total, 30.0, 0.5, 0.2, 0.1, 0.0)
    run, results = load.load_results_read({"run": {"users": 32}, "results": [asdict(result)]})

    assert run == {"users": 32}
    assert results == [result]


def test_load_cpu_note_warns_when_others_took_the_machine():
    lines, total = load.locust_stats_read(STATS)
    quiet = load.ScenarioResult("api", "API list", 150.0, lines, total, 30.0, 0.7, 0.2, 0.05, 0.05)
    busy = load.ScenarioResult("api", "API list", 150.0, lines, total, 30.0, 0.3, 0.1, 0.05, 0.55)

    assert load.load_cpu_note([quiet]) == ""
    assert load.load_cpu_note([quiet, busy]).startswith("Other processes used up to 55% ")
