"""Sending the daily digests of deadlines falling due, each recorded and audited once sent.

Why an e-mail is sent before its reminders are recorded, not after: a reminder recorded is a
reminder never sent again, so it may only be recorded once the mail server has taken the
message. Each digest is therefore sent first, outside any transaction, and then its reminders
and its audit record are written in one transaction. A send that fails records nothing, and the
next run sends those items again. The price is the opposite, rarer case: a message the server
took, followed by a database that fails before the record is written, is sent again by the next
run. A reminder twice is better than a deadline missed.

Two runs at once (the daily job and `rogatory remind`, or two workers) would both send the same
digests, since neither has recorded them yet; so a run first takes the run lease
(`ReminderRun.running_since`), and a second run is refused while another one is sending. A run
that died holding the lease loses it after RUN_LEASE.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import user_sees_all_units
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.exceptions import ConflictError, PermissionDeniedError, ValidationError

from .emails import digest_message
from .models import Reminder, ReminderRun
from .selectors import Digest, ReminderItem, ReminderPlan, reminders_due

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None

# A run that has not shown a sign of life for this long has died; another run may take over.
RUN_LEASE = timedelta(minutes=15)
# Any constant will do, as long as nothing else in the database takes an advisory lock with it.
_RUN_LOCK = 0x726F_6772_656D  # "rogrem"


@dataclass(frozen=True)
class DigestOutcome:
    """One digest of a run: sent, not sent because the run was a dry run, or failed."""

    digest: Digest
    sent: bool
    error: str = ""


@dataclass(frozen=True)
class ReminderOutcome:
    """What a reminder run sent (or, in a dry run, would send) and whom it could not reach."""

    today: date
    dry_run: bool
    digests: tuple[DigestOutcome, ...]
    without_email: tuple[Digest, ...]
    unattended: tuple[ReminderItem, ...]

    @property
    def sent(self) -> tuple[DigestOutcome, ...]:
        return tuple(outcome for outcome in self.digests if outcome.sent)

    @property
    def failed(self) -> tuple[DigestOutcome, ...]:
        return tuple(outcome for outcome in self.digests if outcome.error)

    @property
    def reminders_sent(self) -> int:
        return sum(len(outcome.digest.items) for outcome in self.sent)


def reminders_send(*, today: date, dry_run: bool = False, actor: Actor = None) -> ReminderOutcome:
    """Send each person one digest of what fell due or overdue on `today` and is news to them.

    A dry run writes nothing and sends nothing; it returns what a run would send. A real run
    records every reminder it sent, with one audit record per digest; a digest that could not
    be sent is left unrecorded, so that the next run sends it again. Raises ConflictError while
    another run is sending, and ValidationError for a day still to come (only a dry run may
    look ahead).
    """
    if actor is not None and not (actor.is_authenticated and user_sees_all_units(actor)):
        raise PermissionDeniedError(_("Only supervisors and administrators send reminders."))
    if dry_run:
        plan = reminders_due(today=today)
        outcomes = [DigestOutcome(digest=digest, sent=False) for digest in plan.digests]
        return _outcome(plan, outcomes, dry_run=True)
    if today > timezone.localdate():
        raise ValidationError(
            _(
                "Reminders can be sent for today or a day gone by, not for %(date)s; a dry run "
                "shows what that day would send."
            )
            % {"date": today.isoformat()},
            extra={"field": "date"},
        )
    run = _run_begin(today)
    outcomes: list[DigestOutcome] = []
    plan = None
    try:
        # Read after taking the lease, so that what an earlier run recorded is left out.
        plan = reminders_due(today=today)
        for digest in plan.digests:
            outcomes.append(_digest_send(digest, run=run, today=today, actor=actor))
            ReminderRun.objects.filter(pk=run.pk).update(running_since=timezone.now())
    except BaseException:
        # Give the lease back if the database still answers; the error is what matters.
        try:
            _run_end(run, outcomes=outcomes, plan=plan)
        except Exception:
            logger.exception("Could not record the end of the reminder run of %s.", today)
        raise
    _run_end(run, outcomes=outcomes, plan=plan)
    return _outcome(plan, outcomes, dry_run=False)


def reminder_run_claim(*, run_on: date, queued_at: datetime) -> bool:
    """Mark the daily job of `run_on` as queued; return False if it was queued already.

    However many workers ask at once, one gets True. A run of `rogatory remind` that day does
    not count: the daily job still runs (and sends only what is still news).
    """
    with transaction.atomic():
        run, created = ReminderRun.objects.select_for_update().get_or_create(
            run_on=run_on, defaults={"queued_at": queued_at}
        )
        if created:
            return True
        if run.queued_at is not None:
            return False
        run.queued_at = queued_at
        run.save(update_fields=["queued_at"])
        return True


def _digest_send(digest: Digest, *, run: ReminderRun, today: date, actor: Actor) -> DigestOutcome:
    """Send one digest; record and audit its reminders only once the mail server took it."""
    recipient = digest.recipient
    message = digest_message(digest, today=today)
    try:
        accepted = message.send(fail_silently=False)
    except Exception as error:  # any backend's failure: SMTP, network, a full disk
        # The address and the server's answer may name people; the log gets the user's id only.
        logger.warning(
            "Could not send the reminder digest to user %s (%s); it is tried again on the next "
            "run.",
            recipient.pk,
            type(error).__name__,
        )
        return DigestOutcome(digest=digest, sent=False, error=f"{type(error).__name__}: {error}")
    if not accepted:
        logger.warning("The mail backend accepted no reminder digest for user %s.", recipient.pk)
        return DigestOutcome(
            digest=digest, sent=False, error=_("The mail server accepted no message.")
        )
    _digest_record(digest, run=run, today=today, actor=actor)
    return DigestOutcome(digest=digest, sent=True)


@transaction.atomic
def _digest_record(digest: Digest, *, run: ReminderRun, today: date, actor: Actor) -> None:
    """Record that `digest` was sent, with its audit record, in one transaction."""
    audit_chain_reserve()
    now = timezone.now()
    recipient = digest.recipient
    # A conflict means another run recorded the same item meanwhile (after losing its lease):
    # the item was sent, and stays recorded once.
    Reminder.objects.bulk_create(
        [
            Reminder(
                run=run,
                request=item.request,
                rule=item.rule,
                due_on=item.due_on,
                stage=item.stage,
                recipient=recipient,
                sent_at=now,
            )
            for item in digest.items
        ],
        ignore_conflicts=True,
    )
    audit_record(
        actor=actor,
        action="reminder_send",
        object_type="user",
        object_id=recipient.pk,
        after={
            "run_on": today.isoformat(),
            "recipient": recipient.get_username(),
            "email": recipient.email,
            "items": [
                {
                    "request": item.request.pk,
                    "reference": item.request.reference,
                    "rule": item.rule.pk,
                    "due_on": item.due_on.isoformat(),
                    "stage": item.stage,
                }
                for item in digest.items
            ],
        },
    )


def _run_begin(today: date) -> ReminderRun:
    """Take the run lease for a run on `today`, or raise ConflictError if another run holds it."""
    with transaction.atomic():
        _run_lock()
        now = timezone.now()
        busy = ReminderRun.objects.filter(running_since__gt=now - RUN_LEASE).first()
        if busy is not None:
            raise ConflictError(
                _(
                    "Another reminder run (for %(date)s) is sending since %(since)s; try again "
                    "once it has ended."
                )
                % {
                    "date": busy.run_on.isoformat(),
                    "since": timezone.localtime(busy.running_since).isoformat(timespec="seconds"),
                }
            )
        run, _created = ReminderRun.objects.get_or_create(run_on=today)
        run.started_at = run.running_since = now
        run.finished_at = None
        run.save(update_fields=["started_at", "running_since", "finished_at"])
        return run


def _run_end(run: ReminderRun, *, outcomes: list[DigestOutcome], plan: ReminderPlan | None) -> None:
    """Give the lease back and add this run's counts to the day's."""
    sent = [outcome for outcome in outcomes if outcome.sent]
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        running_since=None,
        digests_sent=F("digests_sent") + len(sent),
        reminders_sent=F("reminders_sent") + sum(len(outcome.digest.items) for outcome in sent),
        digests_failed=F("digests_failed") + sum(1 for outcome in outcomes if outcome.error),
        users_without_email=F("users_without_email")
        + (len(plan.without_email) if plan is not None else 0),
    )


def _run_lock() -> None:
    """Let one run at a time look at and take the lease (until this transaction ends)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK])
    # SQLite needs nothing: the project begins its transactions IMMEDIATE, so a writer
    # already holds the database's only write lock.


def _outcome(
    plan: ReminderPlan, outcomes: list[DigestOutcome], *, dry_run: bool
) -> ReminderOutcome:
    return ReminderOutcome(
        today=plan.today,
        dry_run=dry_run,
        digests=tuple(outcomes),
        without_email=plan.without_email,
        unattended=plan.unattended,
    )
