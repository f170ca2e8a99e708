"""The demo: its register, its logins, the `rogatory demo` command and the server it starts."""

import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from rogatory.accounts.models import Role, Unit, User
from rogatory.core.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build, demo_rows
from rogatory.core.management.commands import demo as demo_command
from rogatory.deadlines.models import Deadline
from rogatory.deadlines.priority import priority_of
from rogatory.deadlines.selectors import timeliness_counts
from rogatory.drafting.selectors import draft_check
from rogatory.publication.models import Example
from rogatory.publication.statement import statement_build, statement_render_text
from rogatory.register.assurances import assurances_awaiting_monitoring
from rogatory.register.links import request_links
from rogatory.register.models import Direction, Kind, Outcome, Person, Priority, Request
from rogatory.statistics.partners import partner_policy_changes
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

# Tests that build the demo themselves come before those sharing the module's demo, which
# stays in the database until the last test of this module.

# A day in the past, so that the demo of that day is the same whenever the tests run.
TODAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the demo once for this module, inside a transaction rolled back at its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        yield demo_build(today=TODAY)
        transaction.set_rollback(True)


def _register_snapshot() -> list[tuple]:
    return list(
        Request.objects.order_by("direction", "reference").values_list(
            "direction",
            "reference",
            "unit__code",
            "country_id",
            "status",
            "opened_on",
            "decided_on",
            "persons_count",
        )
    )


# --- Building it


def test_demo_rows_are_the_same_for_the_same_day_and_seed(db):
    first = demo_rows(today=TODAY)

    assert demo_rows(today=TODAY) == first
    assert demo_rows(today=TODAY, seed=7) != first


@pytest.mark.django_db
def test_demo_register_is_the_same_when_built_again(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    built = []
    for _attempt in range(2):
        with transaction.atomic():
            demo_build(today=TODAY)
            persons = Person.objects.order_by("request__reference", "id")
            built.append(
                (_register_snapshot(), list(persons.values_list("request__reference", "full_name")))
            )
            transaction.set_rollback(True)

    assert built[0] == built[1]


# --- The command on an empty database ----------------------------------------------------


@pytest.mark.django_db
def test_demo_command_builds_the_demo_and_prints_its_report_and_logins(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()

    call_command("demo", "--no-serve", stdout=out)

    text = out.getvalue()
    assert Request.objects.filter(unit__code="extradition").exists()
    assert "In 2023 foreign states refused 66 requests for legal assistance" in text
    assert "Sign in at http://127.0.0.1:8000/ as one of these users:" in text
    for login in DEMO_LOGINS:
        assert any(
            line.split()[:2] == [login.username, DEMO_PASSWORD] for line in text.splitlines()
        ), login.username


@pytest.mark.django_db
def test_demo_command_refuses_a_database_with_a_register():
    make_request()

    with pytest.raises(CommandError, match="does not mix with a real register"):
        call_command("demo", "--no-serve", stdout=io.StringIO())

    assert Request.objects.count() == 1


# --- The server ------------------------------------------------------------------------------


def test_serve_refuses_to_start_without_collected_static_files(settings, tmp_path, monkeypatch):
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    monkeypatch.setattr("os.execv", lambda program, argv: pytest.fail("gunicorn started"))

    with pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", stdout=io.StringIO())


def test_serve_trusts_the_proxies_named_in_the_environment(settings, monkeypatch):
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    monkeypatch.setenv("ROGATORY_FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.0.6")
    started = []
    monkeypatch.setattr("os.execv", lambda program, argv: started.append(argv))

    call_command("serve", stdout=io.StringIO())

    ((argv),) = started
    assert argv[argv.index("--forwarded-allow-ips") + 1] == "10.0.0.5,10.0.0.6"


# --- The register it builds (shared by the tests below) ----------------------------------


def test_demo_has_a_unit_per_kind_of_work(demo, db):
    assert set(Unit.objects.values_list("code", flat=True)) >= {"central", "mla", "extradition"}
    assert (
        Request.objects.filter(unit__code="central").exclude(direction=Direction.INCOMING).count()
        == 0
    )
    assert not Request.objects.filter(unit__code="mla", kind=Kind.EXTRADITION).exists()
    assert not Request.objects.filter(unit__code="extradition", kind=Kind.MLA).exists()
    assert all(count > 100 for count in demo.requests_by_unit.values())


def test_demo_has_a_login_per_role_that_signs_in(demo, db):
    request = RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")

    for login in DEMO_LOGINS:
        user = authenticate(request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.role == login.role

    assert {login.role for login in DEMO_LOGINS} == set(Role.values)


def test_demo_clerk_and_viewer_work_in_one_unit(demo, db):
    for username in ("clerk", "viewer"):
        user = User.objects.get(username=username)
        assert list(user.units.values_list("code", flat=True)) == ["mla"]


def test_demo_spans_old_seed_and_current_years(demo, db):
    years = {day.year for day in Request.objects.dates("opened_on", "year")}

    assert {2021, 2022, 2023, 2024, 2025, 2026} <= years
    assert (demo.first_year, demo.last_year) == (2021, 2026)
    assert not Request.objects.filter(opened_on__gt=TODAY).exists()
    assert not Request.objects.filter(decided_on__gt=TODAY).exists()
    this_year = Request.objects.filter(opened_on__year=2026)
    assert this_year.filter(direction=Direction.INCOMING).exists()
    assert this_year.filter(decided_on__isnull=True).count() > 50


def test_demo_keeps_the_published_2023_figures(demo, db, shared_dir):
    expected = json.loads((shared_dir / "data" / "seed-2023.expected.json").read_text())
    for key, direction in (("full_year", "outgoing"), ("incoming_full_year", "incoming")):
        report = report_build(
            period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction=direction
        )
        assert report.as_dict() == expected[key], direction


def test_demo_extradition_refused_with_persons_documents_and_events(demo, db):
    request = Request.objects.get(reference__endswith="-OE-09001")

    assert request.outcome == Outcome.REFUSED
    assert request.political is True
    assert set(request.grounds.values_list("code", flat=True)) == {
        "political_offence",
        "human_rights_risk",
    }
    assert request.persons.count() == 2
    assert request.documents.count() == 3
    assert request.events.count() >= 8


def test_demo_names_persons_in_several_extradition_requests(demo, db):
    named = Request.objects.filter(kind=Kind.EXTRADITION, persons__isnull=False).distinct()

    assert named.count() >= 6
    assert named.filter(direction=Direction.INCOMING).exists()


def test_demo_shows_priorities_deadlines_letter_assurances_links_and_engagements(demo, db):
    clerk = User.objects.get(username="clerk")
    supervisor = User.objects.get(username="supervisor")
    waiting = Request.objects.get(reference__endswith="-OM-09004")
    arrested = Request.objects.get(reference__endswith="-OE-09005")
    granted = Request.objects.get(reference__endswith="-OE-09002")

    # The clerk's own request is high, made urgent by its limitation date, with a letter
    # that lacks nothing, and linked to the extradition that the same case asks for.
    assert (waiting.priority, waiting.responsible) == (Priority.HIGH, clerk)
    assert priority_of(request=waiting, today=TODAY).priority == Priority.URGENT
    assert draft_check(request=waiting, draft=waiting.draft) == []
    assert [view.other for view in request_links(user=supervisor, request=waiting)] == [arrested]
    # The clerk works in another unit than the extradition: the link shows, the request does not.
    assert [view.other for view in request_links(user=clerk, request=waiting)] == [None]
    # The person arrested ahead of the extradition request: the 18-day clock runs.
    eighteen = arrested.deadlines.get(rule_id="ece-1957-provisional-arrest-18")
    assert (eighteen.met_on, eighteen.due_on) == (None, TODAY + timedelta(days=3))
    assert timeliness_counts(user=clerk, today=TODAY).mine == 1
    assert timeliness_counts(user=supervisor, today=TODAY).overdue > 0
    # Surrendered persons are monitored, and the meeting with the partner agency is on record.
    monitored = assurances_awaiting_monitoring(user=supervisor, today=TODAY)
    assert {item.assurance.request for item in monitored} == {granted}
    assert granted.engagements.filter(countries__code="KZ").exists()
    # Imported grants older than a month were surrendered, so no surrender clock is left over.
    assert not Deadline.objects.filter(
        rule__stops="surrender", met_on__isnull=True, due_on__lt=TODAY - timedelta(days=30)
    ).exists()


# --- The command on a database that holds the demo -------------------------------------------


def test_demo_command_run_again_uses_the_demo_as_it_is(demo, db):
    count = Request.objects.count()
    out = io.StringIO()

    call_command("demo", "--no-serve", stdout=out)

    assert "holds the demo already" in out.getvalue()
    assert "Sign in at http://127.0.0.1:8000/ as one of these users:" in out.getvalue()
    assert Request.objects.count() == count


def test_demo_command_serves_with_gunicorn_over_plain_http(
    demo, db, tmp_path, settings, monkeypatch
):
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.delenv("ROGATORY_SECRET_KEY", raising=False)
    started = []
    monkeypatch.setattr(
        demo_command.os, "execve", lambda program, argv, env: started.append((argv, env))
    )

    command = demo_command.Command()
    command.from_command_line = True

    call_command(command, "--port", "8123", stdout=io.StringIO())

    ((argv, env),) = started
    assert argv[1:4] == ["-m", "rogatory.cli", "serve"]
    assert argv[argv.index("--port") + 1] == "8123"
    assert len(env["ROGATORY_SECRET_KEY"]) >= 50
    assert env["ROGATORY_SSL_REDIRECT"] == "0"
    assert env["ROGATORY_SECURE_COOKIES"] == "0"
    assert env.get("ROGATORY_DEBUG", "") in ("", "0", "false")
    assert (tmp_path / "static" / "web").is_dir()


def test_demo_command_called_from_a_program_does_not_serve(demo, db, monkeypatch):
    monkeypatch.setattr(
        demo_command.os, "execve", lambda *arguments: pytest.fail("gunicorn started")
    )

    call_command("demo", stdout=io.StringIO())


def test_demo_statement_has_approved_examples_and_one_awaiting(demo):
    approved = Example.objects.filter(approved_at__isnull=False)
    assert approved.filter(category=Example.Category.REFUSAL).exists()
    assert approved.filter(category=Example.Category.COOPERATION).exists()
    assert Example.objects.filter(approved_at__isnull=True).count() == 1
    text = statement_render_text(statement_build(year=TODAY.year - 1), language="en")
    assert "could harm its sovereignty" in text
    assert "within four months" in text


def test_demo_shows_a_partner_whose_refusals_jumped_this_year(demo):
    changes = partner_policy_changes(year=TODAY.year, direction="outgoing", language="en")
    finland = [change for change in changes if change.country == "FI"]
    assert finland and finland[0].kind == "mla"
    assert finland[0].refusal_rate > finland[0].previous_rate


@pytest.mark.parametrize("today", [date(2026, 1, 2), date(2026, 2, 28), date(2026, 3, 2)])
def test_demo_rows_never_decide_after_today(today, db):
    rows = demo_rows(today=today)
    assert all(row["decided_on"] <= today.isoformat() for row in rows if row["decided_on"])
    assert all((row["sent_on"] or row["received_on"]) <= today.isoformat() for row in rows)
