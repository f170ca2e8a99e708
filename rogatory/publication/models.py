"""Examples for the public statement: a request's story told without personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rogatory.core.models import TimeStampedModel
from rogatory.register.models import Outcome, Request

# Long enough for a paragraph of the statement, short enough to stay one.
SUMMARY_MAX_LENGTH = 1000


class Example(TimeStampedModel):
    """A request proposed, and once approved used, as an example in the public statement."""

    class Category(models.TextChoices):
        REFUSAL = "refusal", _("refusal")
        COOPERATION = "cooperation", _("good cooperation")

    request = models.OneToOneField(
        Request,
        on_delete=models.CASCADE,
        related_name="publication_example",
        verbose_name=_("request"),
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    summary_en = models.TextField(_("public summary (English)"), blank=True)
    summary_ru = models.TextField(_("public summary (Russian)"), blank=True)
    # The first day of the month of the request's decision, when the example was last written.
    month = models.DateField(_("month"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["month", "id"]
        verbose_name = _("publication example")
        verbose_name_plural = _("publication examples")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=["refusal", "cooperation"]),
                name="publication_example_category_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(summary_en="", summary_ru=""),
                name="publication_example_has_summary",
            ),
        ]
        indexes = [
            models.Index(fields=["approved_at"], name="example_approved_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.month:%Y-%m}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


# The decisions an example of each category tells of.
CATEGORY_OUTCOMES: dict[str, frozenset[str]] = {
    Example.Category.REFUSAL: frozenset({Outcome.REFUSED}),
    Example.Category.COOPERATION: frozenset(
        {Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED, Outcome.GRANTED}
    ),
}
