"""Deadline rules (reference data that supervisors edit) and the due dates they give requests.

A rule says when a clock starts for which requests, how long it runs, what stops it, how many
days before the end warnings start, and which legal source or internal decision it rests on.
`Deadline` rows are the rules applied to one request: a projection of its events, written by
the same transaction that changes the request, so that work lists and reminders are queries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rogatory.reference.models import Treaty, _Bilingual
from rogatory.register.models import Request


class DeadlineRule(_Bilingual):
    """When a clock starts, how long it runs, what stops it, and the source it rests on."""

    class Basis(models.TextChoices):
        TREATY = "treaty", _("treaty period")
        INTERNAL = "internal", _("internal target")
        LIMITATION = "limitation", _("limitation period")

    class Start(models.TextChoices):
        OPENED = "opened", _("request sent or received")
        SENT = "sent", _("request sent")
        RECEIVED = "received", _("request received")
        PROVISIONAL_ARREST = "provisional_arrest", _("provisional arrest")
        SUPPLEMENTARY_REQUESTED = (
            "supplementary_requested",
            _("supplementary information requested"),
        )
        GRANTED = "granted", _("extradition granted")
        LIMITATION = "limitation", _("limitation date of the offence")

    class Stop(models.TextChoices):
        ANSWER = "answer", _("any answer or decision")
        DECISION = "decision", _("decision")
        FORMAL_REQUEST = "formal_request", _("extradition request sent or received")
        SUPPLEMENTARY_PROVIDED = (
            "supplementary_provided",
            _("supplementary information provided"),
        )
        SURRENDER = "surrender", _("surrender")

    code = models.SlugField(_("code"), max_length=60, primary_key=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        blank=True,
        choices=[("outgoing", _("outgoing")), ("incoming", _("incoming"))],
        help_text=_("Empty: requests of both directions."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        blank=True,
        choices=[("mla", _("legal assistance")), ("extradition", _("extradition"))],
        help_text=_("Empty: requests of both kinds."),
    )
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_rules",
        verbose_name=_("legal basis"),
        help_text=_("Only requests made under this treaty; empty: whatever the legal basis."),
    )
    starts = models.CharField(_("the clock starts at"), max_length=30, choices=Start.choices)
    stops = models.CharField(_("the clock stops at"), max_length=30, choices=Stop.choices)
    period_days = models.PositiveIntegerField(_("period in days"), null=True, blank=True)
    period_months = models.PositiveIntegerField(_("period in months"), null=True, blank=True)
    warn_days = models.PositiveIntegerField(_("warn this many days before"), default=7)
    source = models.TextField(
        _("source"), help_text=_("The treaty article, law or internal decision the rule rests on.")
    )
    source_url = models.URLField(_("source address"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Set when a supervisor edits or adds the rule, so that `rogatory init` keeps their version.
    edited_at = models.DateTimeField(_("edited locally at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts="limitation")
                | models.Q(period_days__isnull=False, period_months__isnull=True)
                | models.Q(period_days__isnull=True, period_months__isnull=False),
                name="deadline_rule_one_period",
            ),
        ]


class Deadline(models.Model):
    """A rule applied to one request: when its clock started, when it ends, whether it is met."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="deadlines")
    rule = models.ForeignKey(DeadlineRule, on_delete=models.CASCADE, related_name="deadlines")
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"))
    warn_on = models.DateField(_("warnings from"))
    met_on = models.DateField(_("met on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["request", "rule"], name="deadline_unique_per_rule"),
        ]
        indexes = [
            # Work lists and reminders read only open deadlines, by the day warnings start.
            models.Index(
                fields=["warn_on", "due_on"],
                condition=models.Q(met_on__isnull=True),
                name="deadline_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.rule_id} {self.due_on}"
