"""The letter of an outgoing request: what it tells the requested state, element by element.

The elements follow the content UNODC's Mutual Legal Assistance Request Writer Tool asks for.
What the register already knows about the request (country, legal basis, offence, domestic
case, priority, limitation date, persons sought) is read from the request, not copied here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rogatory.core.models import TimeStampedModel
from rogatory.register.models import Request


class LetterLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")


class Draft(TimeStampedModel):
    """The content of the letter of one outgoing request."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="draft", verbose_name=_("request")
    )
    # Requesting authority and the officer the requested state may contact.
    authority_name = models.CharField(_("requesting authority"), max_length=300, blank=True)
    authority_address = models.TextField(_("address of the authority"), blank=True)
    contact_name = models.CharField(_("responsible officer"), max_length=200, blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=60, blank=True)
    contact_email = models.EmailField(_("email"), max_length=254, blank=True)
    # The case.
    proceedings = models.TextField(
        _("nature of the investigation or proceedings"),
        blank=True,
        help_text=_("Who investigates or prosecutes, the stage of the case, and the court if any."),
    )
    facts = models.TextField(
        _("summary of facts"),
        blank=True,
        help_text=_("What happened, when and where, and how it links to the requested state."),
    )
    legal_provisions = models.TextField(
        _("text of the legal provisions"),
        blank=True,
        help_text=_("The articles of the criminal code that describe the offence, quoted."),
    )
    # What is asked.
    assistance = models.TextField(
        _("assistance sought"),
        blank=True,
        help_text=_("Each measure asked for: documents, records, a hearing, a search, a seizure."),
    )
    relevance = models.TextField(
        _("why it is needed"),
        blank=True,
        help_text=_("How the assistance sought is relevant to the case."),
    )
    persons = models.TextField(
        _("persons concerned"),
        blank=True,
        help_text=_(
            "For legal assistance: each person concerned with what identifies them (name, date "
            "and place of birth, nationality, documents, address). For extradition the persons "
            "sought are those named on the request."
        ),
    )
    procedures = models.TextField(
        _("procedures to follow"),
        blank=True,
        help_text=_(
            "Formalities the evidence needs to be used at home: an oath, certified copies, the "
            "presence of our officials or of the parties."
        ),
    )
    confidentiality = models.TextField(
        _("confidentiality"),
        blank=True,
        help_text=_("Whether the request and its content must be kept confidential, and why."),
    )
    urgency = models.TextField(
        _("time limits and urgency"),
        blank=True,
        help_text=_("By when the assistance is needed and why: a trial date, custody, limitation."),
    )
    language = models.CharField(
        _("language of the letter"),
        max_length=2,
        choices=LetterLanguage.choices,
        default=LetterLanguage.ENGLISH,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("request letter")
        verbose_name_plural = _("request letters")

    def __str__(self) -> str:
        return f"{self.request} v{self.version}"


# The letter's own fields, in the order the draft page and the letter show them.
DRAFT_FIELDS = (
    "authority_name",
    "authority_address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "proceedings",
    "facts",
    "legal_provisions",
    "assistance",
    "relevance",
    "persons",
    "procedures",
    "confidentiality",
    "urgency",
    "language",
)
