"""Engagements with foreign authorities: meetings, memoranda, agreements, visits and calls.

An engagement is the office's own record of its relations with one or more partner states,
such as a meeting of the Prosecutor General with the chairman of a partner state's
anti-corruption agency. It names no person sought, so every signed-in user may read it; the
unit that recorded it (and supervisors) may change it. It may concern requests of the register;
a reader who may not see such a request sees that one is linked, not which.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rogatory.core.models import TimeStampedModel
from rogatory.reference.models import Country
from rogatory.register.models import Request


class Engagement(TimeStampedModel):
    """One engagement with the authorities of one or more foreign states."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        MEMORANDUM = "memorandum", _("memorandum of understanding")
        AGREEMENT = "agreement", _("agreement")
        VISIT = "visit", _("visit")
        VIDEOCONFERENCE = "videoconference", _("videoconference")
        OTHER = "other", _("other engagement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("subject"), max_length=300)
    held_on = models.DateField(_("date"))
    # Several states for a multilateral meeting; at least one (the services check).
    countries = models.ManyToManyField(
        Country, related_name="engagements", verbose_name=_("countries")
    )
    our_authority = models.CharField(_("our authority"), max_length=300, blank=True)
    their_authority = models.CharField(_("their authority"), max_length=300, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    follow_up = models.TextField(_("follow-up actions"), blank=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("recorded by unit"),
    )
    requests = models.ManyToManyField(
        Request, through="EngagementRequest", related_name="engagements", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # An engagement entered by mistake is withdrawn with a reason, never deleted: the audit
    # trail and the requests linked to it keep pointing at it.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [
            models.Index(fields=["held_on", "id"], name="engagement_held_idx"),
            models.Index(fields=["kind", "held_on"], name="engagement_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class EngagementRequest(models.Model):
    """A request of the register that an engagement concerns."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="links")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("linked request")
        verbose_name_plural = _("linked requests")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "request"], name="engagement_request_unique"
            ),
        ]
        indexes = [models.Index(fields=["request", "engagement"], name="engagement_by_request_idx")]

    def __str__(self) -> str:
        return f"{self.engagement_id} → {self.request_id}"


class EngagementDocument(models.Model):
    """A file kept with an engagement (minutes, a signed memorandum); stored under a made-up name."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("engagement document")
        verbose_name_plural = _("engagement documents")

    def __str__(self) -> str:
        return self.title
