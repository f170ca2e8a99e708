"""The daily reminder run: exactly the due items, to exactly the right people, once."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from rogatory.accounts.models import User
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from rogatory.reminders.models import Reminder, ReminderRun
from rogatory.reminders.selectors import reminders_due
from rogatory.reminders.services import RUN_LEASE, reminders_send
from tests.accounts.factories import UserFactory
from tests.reminders.conftest import TODAY

TOMORROW = TODAY + timedelta(days=1)


def _told(outcome) -> dict[str, list[tuple[str, str]]]:
    """Return, by user name, the (reference, stage) pairs of each digest, in digest order."""
    return {
        digest_outcome.digest.recipient.username: [
            (item.request.reference, item.stage) for item in digest_outcome.digest.items
        ]
        for digest_outcome in outcome.digests
    }


def _mailed() -> dict[str, str]:
    """Return the e-mails sent, as recipient address → plain-text body."""
    return {message.to[0]: message.body for message in mail.outbox}


EXPECTED_FIRST_RUN = {
    "anna.clerk": [
        ("A-OVERDUE", "overdue"),
        ("A-TODAY", "due_soon"),
        ("A-ENTERS", "due_soon"),
    ],
    "bella.supervisor": [("B-OVERDUE", "overdue")],
    "boris.clerk": [("B-OVERDUE", "overdue")],
    "oleg.supervisor": [
        ("C-LIMIT", "due_soon"),
        ("C-LIMIT", "due_soon"),
        ("C-SOON", "due_soon"),
    ],
    "sofia.supervisor": [
        ("A-OVERDUE", "overdue"),
        ("A-TODAY", "due_soon"),
        ("A-NOMAIL", "due_soon"),
        ("A-ENTERS", "due_soon"),
    ],
}


def test_a_run_emails_exactly_the_due_items_to_exactly_the_right_people(register):
    outcome = reminders_send(today=TODAY)

    assert _told(outcome) == EXPECTED_FIRST_RUN
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"{name}@example.org" for name in EXPECTED_FIRST_RUN
    )
    assert len(outcome.sent) == 5 and not outcome.failed
    assert outcome.reminders_sent == 3 + 1 + 1 + 3 + 4
    # The clerk without an address is counted with what they would have been told.
    (skipped,) = outcome.without_email
    assert skipped.recipient.username == "nina.clerk"
    assert [item.request.reference for item in skipped.items] == ["A-NOMAIL"]
    assert Reminder.objects.count() == outcome.reminders_sent
    run = ReminderRun.objects.get(run_on=TODAY)
    assert (run.digests_sent, run.reminders_sent, run.digests_failed) == (5, 12, 0)
    assert run.users_without_email == 1
    assert run.finished_at is not None and run.running_since is None


def test_the_digest_lists_overdue_first_with_every_fact_and_an_absolute_link(register):
    reminders_send(today=TODAY)

    message = next(m for m in mail.outbox if m.to == ["anna.clerk@example.org"])
    assert message.subject == ("Rogatory reminders for 2026-03-10: 1 overdue, 2 due soon")
    body = message.body
    overdue_at, soon_at = body.index("OVERDUE"), body.index("DUE SOON")
    assert overdue_at < body.index("A-OVERDUE") < soon_at < body.index("A-TODAY")
    assert body.index("A-TODAY") < body.index("A-ENTERS")
    assert "Latvia" in body
    assert "Follow-up of an unanswered request: due on 2026-03-07, 3 days overdue" in body
    assert "due on 2026-03-10, due today" in body
    assert "due on 2026-03-17, 7 days left" in body
    assert "Internal target: follow up after 60 days without an answer" in body
    overdue = register.requests["A-OVERDUE"]
    assert f"https://rogatory.example/requests/{overdue.pk}/" in body
    # Nothing about requests the recipient was not told of, in either part.
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    for part in (body, html):
        assert "B-OVERDUE" not in part and "C-SOON" not in part and "A-MET" not in part
    assert f'<a href="https://rogatory.example/requests/{overdue.pk}/">A-OVERDUE</a>' in html
    assert "3 days overdue" in html and "style=" not in html


def test_without_a_base_address_the_links_are_paths(register, settings):
    settings.ROGATORY_BASE_URL = ""

    reminders_send(today=TODAY)

    body = _mailed()["anna.clerk@example.org"]
    overdue = register.requests["A-OVERDUE"]
    assert f"\n  /requests/{overdue.pk}/\n" in body


def test_a_second_run_the_same_day_sends_nothing(register):
    reminders_send(today=TODAY)
    mail.outbox.clear()

    again = reminders_send(today=TODAY)

    assert again.digests == () and mail.outbox == []
    assert Reminder.objects.count() == 12
    assert ReminderRun.objects.get(run_on=TODAY).digests_sent == 5


def test_the_next_day_an_item_turned_overdue_is_sent_again_as_overdue_once(register):
    reminders_send(today=TODAY)
    mail.outbox.clear()

    next_day = reminders_send(today=TOMORROW)

    # A-TODAY was due soon yesterday and is overdue now; A-NOT-YET's warnings began today.
    assert _told(next_day) == {
        "anna.clerk": [("A-TODAY", "overdue"), ("A-NOT-YET", "due_soon")],
        "sofia.supervisor": [("A-TODAY", "overdue"), ("A-NOT-YET", "due_soon")],
    }
    assert "1 day overdue" in _mailed()["anna.clerk@example.org"]
    mail.outbox.clear()

    assert reminders_send(today=TOMORROW).digests == ()
    assert mail.outbox == []


def test_a_moved_due_date_is_news_again(register):
    reminders_send(today=TODAY)
    mail.outbox.clear()
    deadline = register.requests["B-OVERDUE"].deadlines.get()
    deadline.due_on = TODAY + timedelta(days=3)
    deadline.save()

    outcome = reminders_send(today=TOMORROW)

    assert _told(outcome)["boris.clerk"] == [("B-OVERDUE", "due_soon")]


def test_every_digest_sent_is_audited_with_its_items(register):
    reminders_send(today=TODAY)

    records = AuditRecord.objects.filter(action="reminder_send").order_by("sequence")
    assert records.count() == 5
    anna = register.users["clerk_a"]
    record = records.get(object_type="user", object_id=str(anna.pk))
    assert record.actor is None and record.actor_label.startswith("system")
    assert record.after["recipient"] == "anna.clerk"
    assert record.after["email"] == "anna.clerk@example.org"
    assert record.after["run_on"] == "2026-03-10"
    assert [
        (item["reference"], item["stage"], item["due_on"]) for item in record.after["items"]
    ] == [
        ("A-OVERDUE", "overdue", "2026-03-07"),
        ("A-TODAY", "due_soon", "2026-03-10"),
        ("A-ENTERS", "due_soon", "2026-03-17"),
    ]


def test_a_dry_run_sends_and_writes_nothing_and_returns_what_a_run_would_send(register):
    audit_before = AuditRecord.objects.count()

    dry = reminders_send(today=TODAY, dry_run=True)

    assert dry.dry_run and _told(dry) == EXPECTED_FIRST_RUN
    assert not dry.sent and not dry.failed
    assert mail.outbox == []
    assert not Reminder.objects.exists() and not ReminderRun.objects.exists()
    assert AuditRecord.objects.count() == audit_before
    # The real run then sends exactly what the dry run showed.
    assert _told(reminders_send(today=TODAY)) == EXPECTED_FIRST_RUN


def test_a_dry_run_may_look_ahead_but_a_run_may_not(register):
    ahead = timezone.localdate() + timedelta(days=1)

    assert reminders_send(today=ahead, dry_run=True).dry_run
    with pytest.raises(ValidationError, match="dry run"):
        reminders_send(today=ahead)
    assert mail.outbox == []


def test_the_digest_is_written_in_russian(register, settings):
    settings.ROGATORY_REMINDER_LANGUAGE = "ru"

    reminders_send(today=TODAY)

    message = next(m for m in mail.outbox if m.to == ["anna.clerk@example.org"])
    ((html, _kind),) = message.alternatives
    for part in (message.body, html):
        assert "Напоминание о запросе без ответа" in part
        assert "Латвия" in part
        assert "Follow-up of an unanswered request" not in part
    assert '<html lang="ru">' in html


class _RefusingBackend(LocmemBackend):
    """A mail server that refuses one address and takes the others."""

    refused = "anna.clerk@example.org"

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


class _DownBackend(LocmemBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_failed_send_leaves_its_items_unsent_for_the_next_run(register, settings):
    settings.EMAIL_BACKEND = f"{__name__}._RefusingBackend"

    outcome = reminders_send(today=TODAY)

    (failed,) = outcome.failed
    assert failed.digest.recipient.username == "anna.clerk"
    assert "SMTPRecipientsRefused" in failed.error
    assert len(outcome.sent) == 4
    anna = register.users["clerk_a"]
    assert not Reminder.objects.filter(recipient=anna).exists()
    assert not AuditRecord.objects.filter(action="reminder_send", object_id=str(anna.pk)).exists()
    assert ReminderRun.objects.get(run_on=TODAY).digests_failed == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    retry = reminders_send(today=TODAY)

    assert _told(retry) == {"anna.clerk": EXPECTED_FIRST_RUN["anna.clerk"]}
    assert [message.to for message in mail.outbox] == [["anna.clerk@example.org"]]


def test_a_mail_server_that_is_down_records_nothing(register, settings):
    settings.EMAIL_BACKEND = f"{__name__}._DownBackend"

    outcome = reminders_send(today=TODAY)

    assert len(outcome.failed) == 5 and not outcome.sent
    assert not Reminder.objects.exists()
    assert not AuditRecord.objects.filter(action="reminder_send").exists()
    run = ReminderRun.objects.get(run_on=TODAY)
    assert run.running_since is None and run.digests_failed == 5


def test_a_run_is_refused_while_another_is_sending_and_takes_over_a_dead_one(register):
    ReminderRun.objects.create(run_on=TODAY, running_since=timezone.now())

    with pytest.raises(ConflictError, match="Another reminder run"):
        reminders_send(today=TODAY)
    assert mail.outbox == []

    ReminderRun.objects.filter(run_on=TODAY).update(
        running_since=timezone.now() - RUN_LEASE - timedelta(minutes=1)
    )
    assert len(reminders_send(today=TODAY).sent) == 5


def test_the_unit_supervisors_are_told_and_office_wide_ones_only_for_units_without(register):
    # Unit C gets a supervisor of its own: the office-wide supervisor is no longer told.
    unit_c = register.requests["C-SOON"].unit
    UserFactory(username="carla.supervisor", role="supervisor", units=[unit_c])

    told = _told(reminders_send(today=TODAY, dry_run=True))

    assert "oleg.supervisor" not in told
    assert [reference for reference, _stage in told["carla.supervisor"]] == [
        "C-LIMIT",
        "C-LIMIT",
        "C-SOON",
    ]


def test_a_unit_without_supervisors_falls_to_every_supervisor_when_none_is_office_wide(register):
    register.users["sup_all"].is_active = False
    register.users["sup_all"].save()

    told = _told(reminders_send(today=TODAY, dry_run=True))

    # Unit C has no supervisor and nobody watches the whole office: every supervisor is told.
    for supervisor in ("sofia.supervisor", "bella.supervisor"):
        assert {"C-LIMIT", "C-SOON"} <= {reference for reference, _stage in told[supervisor]}
    assert reminders_due(today=TODAY).unattended == ()


def test_items_nobody_can_be_told_about_are_counted(register):
    User.objects.filter(role="supervisor").update(is_active=False)

    plan = reminders_due(today=TODAY)

    assert sorted(item.request.reference for item in plan.unattended) == [
        "C-LIMIT",
        "C-LIMIT",
        "C-SOON",
    ]


def test_a_responsible_clerk_who_left_the_unit_is_not_told(register):
    anna = register.users["clerk_a"]
    anna.units.set([register.requests["B-OVERDUE"].unit])

    told = _told(reminders_send(today=TODAY, dry_run=True))

    assert "anna.clerk" not in told
    assert "sofia.supervisor" in told


def test_once_a_clerk_has_an_address_they_are_told_what_is_still_due(register):
    reminders_send(today=TODAY)
    mail.outbox.clear()
    nina = register.users["clerk_nomail"]
    nina.email = "nina.clerk@example.org"
    nina.save()

    outcome = reminders_send(today=TODAY)

    assert _told(outcome) == {"nina.clerk": [("A-NOMAIL", "due_soon")]}


def test_only_supervisors_and_administrators_may_send_reminders(register):
    with pytest.raises(PermissionDeniedError):
        reminders_send(today=TODAY, actor=register.users["clerk_a"])

    outcome = reminders_send(today=TODAY, actor=register.users["sup_a"])

    assert len(outcome.sent) == 5
    record = AuditRecord.objects.filter(action="reminder_send").first()
    assert record.actor == register.users["sup_a"]


def test_a_day_with_nothing_due_sends_nothing(register):
    early = TODAY - timedelta(days=60)

    outcome = reminders_send(today=early)

    assert outcome.digests == () and mail.outbox == []
    assert ReminderRun.objects.get(run_on=early).digests_sent == 0


def test_a_run_that_breaks_gives_its_lease_back_and_keeps_what_it_sent(register, monkeypatch):
    from rogatory.reminders import services

    real = services.digest_message
    calls = []

    def breaking(digest, *, today):
        calls.append(digest.recipient.username)
        if len(calls) == 3:
            raise RuntimeError("a template went wrong")
        return real(digest, today=today)

    monkeypatch.setattr(services, "digest_message", breaking)

    with pytest.raises(RuntimeError):
        reminders_send(today=TODAY)

    run = ReminderRun.objects.get(run_on=TODAY)
    assert run.running_since is None and run.digests_sent == 2
    assert Reminder.objects.values("recipient").distinct().count() == 2
    monkeypatch.setattr(services, "digest_message", real)
    mail.outbox.clear()
    assert len(reminders_send(today=TODAY).sent) == 3


def test_the_digest_says_a_machine_wrote_it(register):
    reminders_send(today=TODAY)

    assert {message.extra_headers["Auto-Submitted"] for message in mail.outbox} == {
        "auto-generated"
    }
