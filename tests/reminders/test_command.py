"""`rogatory remind`: prints per person what is (or would be) sent, and the counts."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from rogatory.accounts.models import User
from rogatory.reminders.models import Reminder
from tests.reminders.conftest import TODAY


def _remind(*arguments: str) -> str:
    out = io.StringIO()
    call_command("remind", "--date", TODAY.isoformat(), *arguments, stdout=out)
    return out.getvalue()


def _digest_lines(output: str) -> list[str]:
    """Return the lines naming people and items, without whether they were sent."""
    return [
        line.rsplit(";", 1)[0]
        for line in output.splitlines()
        if line.startswith(("  ", "anna", "bella", "boris", "oleg", "sofia"))
    ]


def test_the_dry_run_prints_what_the_run_then_sends(register):
    dry = _remind("--dry-run")

    assert mail.outbox == [] and not Reminder.objects.exists()
    assert dry.splitlines()[0] == "Reminders for 2026-03-10 (dry run: nothing is sent or recorded)."
    assert "anna.clerk <anna.clerk@example.org>: 1 overdue, 2 due soon; would be sent" in dry
    assert (
        "  A-OVERDUE, Latvia: Follow-up of an unanswered request, due on 2026-03-07, "
        "3 days overdue" in dry
    )
    assert "Not reminded, for want of an e-mail address:\n  nina.clerk: 1 reminder\n" in dry
    assert dry.rstrip().endswith(
        "Would send: 5 digests, with 12 reminders. 1 user without an e-mail address skipped."
    )

    sent = _remind()

    assert len(mail.outbox) == 5
    assert sent.splitlines()[0] == "Reminders for 2026-03-10."
    assert "anna.clerk <anna.clerk@example.org>: 1 overdue, 2 due soon; sent" in sent
    assert _digest_lines(sent) == _digest_lines(dry)
    assert "Sent: 5 digests, with 12 reminders." in sent


def test_a_second_run_prints_that_nothing_was_sent(register):
    _remind()

    again = _remind()

    assert again.splitlines()[0] == "Reminders for 2026-03-10."
    assert "Sent: 0 digests, with 0 reminders." in again


def test_items_nobody_is_told_about_are_listed(register):
    User.objects.filter(role="supervisor").update(is_active=False)

    output = _remind("--dry-run")

    assert "Nobody to remind (no responsible clerk and no supervisor):\n  C-LIMIT" in output


def test_a_failed_digest_is_named_and_the_command_exits_1(register, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders._RefusingBackend"
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 digest could not be sent") as failed:
        call_command("remind", "--date", TODAY.isoformat(), stdout=out)

    assert failed.value.returncode == 1
    assert "anna.clerk <anna.clerk@example.org>: 1 overdue, 2 due soon; NOT SENT: " in (
        out.getvalue()
    )
    assert "Sent: 4 digests, with 9 reminders. 1 digest failed." in out.getvalue()


def test_a_day_to_come_is_refused_without_dry_run(db):
    with pytest.raises(CommandError, match="dry run shows what that day would send"):
        call_command("remind", "--date", "2999-01-01", stdout=io.StringIO())


def test_a_wrong_date_is_named(db):
    with pytest.raises(CommandError, match=r"invalid date value: '10\.03\.2026'"):
        call_command("remind", "--date", "10.03.2026", stdout=io.StringIO())
