"""`make bench` rewrites its part of docs/benchmarks.md and keeps the rest."""

from tests.benchmarks.scripts import benchmark_script

run = benchmark_script("run")


def test_write_document_replaces_the_run_and_keeps_what_follows_the_marker(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Old run\n\n{run.KEEP_BELOW}\n\nPage reads on 1,000,000 requests\n")

    run.write_document(path, ["# Benchmarks", "", "New run"])

    assert path.read_text() == (
        f"# Benchmarks\n\nNew run\n{run.KEEP_BELOW}\n\nPage reads on 1,000,000 requests\n"
    )


def test_write_document_starts_a_new_file_with_the_marker(tmp_path):
    path = tmp_path / "benchmarks.md"

    run.write_document(path, ["# Benchmarks"])
    run.write_document(path, ["# Benchmarks again"])

    assert path.read_text() == f"# Benchmarks again\n{run.KEEP_BELOW}"


def test_summary_table_gives_each_target_met_or_missed():
    imports = [
        {"database": "SQLite", "rows": 100_000, "rows_per_s": 31_000.0, "peak_mb": 180.0},
        {"database": "PostgreSQL", "rows": 1_000_000, "rows_per_s": 27_000.0, "peak_mb": 320.0},
    ]
    reports = [
        {
            "vendor": "postgresql",
            "requests": 1_000_000,
            "report_ms": 700.0,
            "sql_ms": 500.0,
            "ratio": 1.4,
        }
    ]

    lines = run.summary_table(imports, reports, None)

    assert lines[2].endswith("| 31,000 rows/s, 180 MB | met |")
    assert lines[3].endswith("| 27,000 rows/s, 320 MB | missed |")
    assert lines[4] == (
        "| full-year report ≤ 1.5× the hand-written query and < 1 s (PostgreSQL, 1,000,000 "
        "requests) | 700 ms, 1.40× (500 ms) | met |"
    )
