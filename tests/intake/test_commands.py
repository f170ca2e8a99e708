"""`rogatory import` and `rogatory export`: output and exit codes."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rogatory.cli import main
from rogatory.register.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    # Django closes the connections after a command run from the command line, which would end
    # the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _call(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_import_command_prints_a_summary(register_csv):
    stdout, _stderr = _call("import", str(register_csv({}, {"reference": "R-2"})), "--no-progress")
    assert stdout == "Imported register.csv: 2 rows, 2 created, 0 updated, 0 unchanged.\n"


def test_import_command_dry_run(register_csv):
    stdout, _stderr = _call("import", str(register_csv({})), "--dry-run")
    assert stdout.startswith("Dry run of register.csv: 1 row valid; 1 would be created")
    assert not Request.objects.exists()


def test_import_command_rejected_file_prints_every_error_and_exits_1(register_csv, capsys):
    path = register_csv({"country": "Atlantis"}, {"reference": "R-2", "kind": "letter"})
    with pytest.raises(SystemExit) as exit:
        main(["import", str(path), "--no-progress"])
    assert exit.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "row 2, column country: “Atlantis” is not a country: use an ISO 3166-1 alpha-2 code or "
        "an English name",
        "row 3, column kind: “letter” is not a valid kind; use mla or extradition",
        "CommandError: 2 errors in 2 rows; nothing was imported.",
    ]
    assert not Request.objects.exists()


def test_import_command_rejected_file_through_call_command(register_csv):
    stderr = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", str(register_csv({"status": "done"})), stderr=stderr)
    assert error.value.returncode == 1
    assert stderr.getvalue().startswith("row 2, column status:")


def test_import_command_missing_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["import", str(tmp_path / "missing.csv")])
    assert exit.value.code == 1
    assert "missing.csv does not exist" in capsys.readouterr().err


def test_import_command_unreadable_file(tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "reference,direction,kind,country,sent_on,status\n"
        "R-1,outgoing,mla,Côte d’Ivoire,2023-03-01,pending\n".encode("cp1252")
    )
    with pytest.raises(SystemExit) as exit:
        main(["import", str(path)])
    assert exit.value.code == 1
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_export_command(register_csv, tmp_path):
    _call("import", str(register_csv({}, {"reference": "R-2"})))
    target = tmp_path / "out.xlsx"
    stdout, _stderr = _call("export", str(target))
    assert stdout == f"Exported 2 requests to {target}.\n"
    stdout, _stderr = _call(
        "export", str(tmp_path / "out.dat"), "--format", "csv", "--direction", "incoming"
    )
    assert stdout.startswith("Exported 0 requests")


def test_export_command_without_a_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["export", str(tmp_path / "register.ods")])
    assert exit.value.code == 1
    assert "give csv or xlsx" in capsys.readouterr().err


def test_import_command_leaves_the_pdf_and_chart_libraries_unloaded(tmp_path):
    """An import loads neither WeasyPrint nor matplotlib: seconds and ~100 MB it never uses."""
    database = tmp_path / "register.sqlite3"
    register = tmp_path / "register.csv"
    register.write_text(
        "reference,direction,kind,country,sent_on,status\nOM-1,outgoing,mla,CH,2023-01-05,pending\n"
    )
    env = {**os.environ, "ROGATORY_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "-c", "from rogatory.cli import main; main(['init'])"],
        env=env,
        check=True,
        capture_output=True,
    )
    probe = (
        "import sys; from rogatory.cli import main; sys.argv = ['rogatory', 'import', "
        f"{str(register)!r}, '--no-progress']\n"
        "try:\n    main()\nfinally:\n"
        "    print(sorted(m for m in ('weasyprint', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    )
    assert "1 created" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
