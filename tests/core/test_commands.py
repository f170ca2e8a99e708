"""The commands that wrap the others: demo and serve."""

import io

import pytest
from django.core.management import CommandError, call_command

from rogatory.register.models import Request


@pytest.mark.django_db
def test_demo_loads_the_demo_register_and_prints_its_report():
    out = io.StringIO()
    call_command("demo", stdout=out)

    text = out.getvalue()
    assert "Demo register: 1074 requests (1074 new, 0 updated, 0 unchanged)." in text
    assert "In 2023 foreign states refused 66 requests for legal assistance" in text
    assert "иностранные государства отказали в исполнении 66 запросов" in text
    assert Request.objects.count() == 1074


@pytest.mark.django_db
def test_demo_run_again_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", stdout=out)

    assert "(0 new, 0 updated, 1074 unchanged)" in out.getvalue()
    assert Request.objects.count() == 1074


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
