"""The reminders sent about deadlines falling due, and the daily runs that sent them.

A `Reminder` row says that one person was told that one deadline of one request (a rule and the
due date it gives) is due soon or overdue. Its key makes sure nobody is told the same thing
twice: a second run the same day, or the next day, finds the row and leaves the item out. A new
due date (the engine moved the clock) or a new stage (due soon became overdue) is news again.

A `ReminderRun` row stands for one day's run, so that however many workers look at the clock,
the day's digests are queued once; the same row keeps the day's counts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rogatory.deadlines.models import DeadlineRule
from rogatory.register.models import Request


class ReminderRun(models.Model):
    """The reminder run of one day: when it was queued, ran and ended, and what it sent."""

    run_on = models.DateField(_("day"), unique=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Set while a run sends; a run that stopped without clearing it is taken over after a while
    # (rogatory.reminders.services.RUN_LEASE).
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    # The day's totals, over every run of that day (the daily job and `rogatory remind`).
    digests_sent = models.PositiveIntegerField(_("digests sent"), default=0)
    reminders_sent = models.PositiveIntegerField(_("reminders sent"), default=0)
    digests_failed = models.PositiveIntegerField(_("digests that could not be sent"), default=0)
    users_without_email = models.PositiveIntegerField(_("users without an e-mail"), default=0)

    class Meta:
        ordering = ["-run_on"]
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")

    def __str__(self) -> str:
        return self.run_on.isoformat()


class Reminder(models.Model):
    """One person told that one deadline of one request is due soon, or overdue."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    run = models.ForeignKey(
        ReminderRun, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("run")
    )
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("request")
    )
    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("deadline rule"),
    )
    due_on = models.DateField(_("due on"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "rule", "due_on", "stage", "recipient"],
                name="reminder_once_per_due_date_and_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.rule_id} {self.due_on} {self.stage} {self.recipient_id}"
