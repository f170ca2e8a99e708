"""`rogatory generate`: its summary, and its errors as messages with exit code 1."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rogatory.cli import main
from rogatory.register.models import Event, Person, Request
from tests.accounts.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    # Django closes the connections after a command run from the command line, which would end
    # the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _call(*args: str) -> str:
    stdout = StringIO()
    call_command("generate", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


def test_generate_command_prints_a_summary():
    stdout = _call("--requests", "60", "--seed", "4", "--last-day", "2025-06-30", "--no-progress")
    assert stdout == (
        f"Generated 60 requests with {Event.objects.count()} events and "
        f"{Person.objects.count()} persons sought (seed 4).\n"
    )
    assert Request.objects.count() == 60
    assert Request.objects.filter(reference__startswith="GEN4-").count() == 60


def test_generate_command_into_a_unit():
    UnitFactory(code="extradition")
    _call("--requests", "5", "--seed", "4", "--unit", "extradition", "--no-progress")
    assert set(Request.objects.values_list("unit__code", flat=True)) == {"extradition"}


def test_generate_command_no_requests_is_an_error():
    with pytest.raises(CommandError) as error:
        _call("--requests", "0", "--seed", "1")
    assert error.value.returncode == 1
    assert str(error.value) == "The number of requests must be from 1 to 50000000, not 0."
    assert not Request.objects.exists()


def test_generate_command_seed_used_twice_exits_1(capsys):
    _call("--requests", "3", "--seed", "9", "--no-progress")
    with pytest.raises(SystemExit) as exit:
        main(["generate", "--requests", "3", "--seed", "9", "--no-progress"])
    assert exit.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "already holds requests generated with seed 9" in captured.err
    assert Request.objects.count() == 3


def test_generate_command_unknown_unit_is_an_error():
    with pytest.raises(CommandError) as error:
        _call("--requests", "3", "--seed", "1", "--unit", "nowhere")
    assert "There is no unit “nowhere”" in str(error.value)
    assert not Request.objects.exists()


def test_generate_command_wrong_last_day(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["generate", "--requests", "3", "--seed", "1", "--last-day", "30.06.2025"])
    assert exit.value.code == 2
    assert "“30.06.2025” is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert not Request.objects.exists()


def test_generate_command_explains_itself_with_help(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["generate", "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "usage: rogatory generate" in out
    assert "--requests" in out and "--seed" in out and "--last-day" in out
