"""The commands that wrap the others: demo and serve."""

import io

import pytest
from django.core.management import CommandError, call_command


def test_serve_refuses_to_start_without_a_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "insecure-generated-for-this-process"

    with pytest.raises(CommandError, match="Set ROGATORY_SECRET_KEY"):
        call_command("serve", stdout=io.StringIO())


def test_serve_runs_gunicorn_with_the_address_and_workers(settings, monkeypatch):
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    started = []
    monkeypatch.setattr("os.execv", lambda program, argv: started.append(argv))

    call_command(
        "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "3", stdout=io.StringIO()
    )

    (argv,) = started
    assert argv[1:4] == ["-m", "gunicorn", "rogatory.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8080"
    assert argv[argv.index("--workers") + 1] == "3"


@pytest.mark.parametrize(
    "name",
    [
        "init",
        "import",
        "export",
        "report",
        "createuser",
        "serve",
        "demo",
        "token",
        "audit",
        "generate",
        "worker",
        "backup",
        "restore",
        "deadlines",
        "remind",
    ],
)
def test_every_command_explains_itself_with_help(name, capsys):
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("rogatory", name)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--help"])
    assert exited.value.code == 0
    assert "usage: rogatory " + name in capsys.readouterr().out
