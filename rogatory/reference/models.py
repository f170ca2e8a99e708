"""Reference data: countries and their groups, treaties, refusal grounds, offence categories."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class _Bilingual(models.Model):
    """A row named in English and Russian; `name` follows the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "en")

    def name_in(self, language: str) -> str:
        """Return the name in `language` ("en" or "ru"), falling back to English."""
        if language.startswith("ru") and self.name_ru:
            return self.name_ru
        return self.name_en

    def __str__(self) -> str:
        return self.name


class CountryGroup(_Bilingual):
    """A group of states such as the EU, the Council of Europe or the CIS."""

    code = models.CharField(_("code"), max_length=20, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country group")
        verbose_name_plural = _("country groups")


class Channel(models.TextChoices):
    """How a request travels to a state: between central authorities, or another way."""

    CENTRAL_AUTHORITY = "central_authority", _("between central authorities")
    DIPLOMATIC = "diplomatic", _("through diplomatic channels")
    DIRECT = "direct", _("directly between judicial authorities")


class Country(_Bilingual):
    """A state, by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    alpha_3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    groups = models.ManyToManyField(CountryGroup, related_name="countries", blank=True)
    translation_language = models.CharField(
        _("language of translation"),
        max_length=8,
        blank=True,
        help_text=_("ISO 639-1 code of the language requests must be translated into."),
    )
    channel = models.CharField(
        _("channel of transmission"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("How our requests reach this state; empty when not known."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Treaty(_Bilingual):
    """A legal basis for requests: a treaty, a convention, or reciprocity."""

    class Kind(models.TextChoices):
        MULTILATERAL = "multilateral", _("multilateral treaty")
        BILATERAL = "bilateral", _("bilateral treaty")
        EU_INSTRUMENT = "eu_instrument", _("EU instrument")
        RECIPROCITY = "reciprocity", _("reciprocity")

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    covers_mla = models.BooleanField(_("covers legal assistance"), default=True)
    covers_extradition = models.BooleanField(_("covers extradition"), default=False)
    parties = models.ManyToManyField(Country, related_name="treaties", blank=True)
    # Set when someone edits or adds the treaty here, so that reloading the shipped reference
    # data (`rogatory init`) keeps the office's own version.
    edited_at = models.DateTimeField(_("edited locally at"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")


class RefusalGround(models.Model):
    """A reason a requested state gives for refusing a request."""

    code = models.CharField(_("code"), max_length=60, primary_key=True)
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_ru = models.CharField(_("label (Russian)"), max_length=300)
    counts_as_political = models.BooleanField(_("counts as political by default"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Offices classify grounds differently; a local edit must survive `rogatory init`.
    edited_at = models.DateTimeField(_("edited locally at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("refusal ground")
        verbose_name_plural = _("refusal grounds")

    @property
    def label(self) -> str:
        return self.label_in(get_language() or "en")

    def label_in(self, language: str) -> str:
        """Return the label in `language` ("en" or "ru"), falling back to English."""
        if language.startswith("ru") and self.label_ru:
            return self.label_ru
        return self.label_en

    def __str__(self) -> str:
        return self.label


class GroundArticle(models.Model):
    """The article of a treaty that a refusal ground rests on."""

    ground = models.ForeignKey(RefusalGround, on_delete=models.CASCADE, related_name="articles")
    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="ground_articles")
    article = models.CharField(_("article"), max_length=60)

    class Meta:
        ordering = ["ground", "treaty"]
        constraints = [
            models.UniqueConstraint(fields=["ground", "treaty"], name="ground_article_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.treaty_id} {self.article}"


class OffenceCategory(_Bilingual):
    """A level-1 category of UNODC's International Classification of Crime (ICCS)."""

    code = models.CharField(_("ICCS code"), max_length=2, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("offence category")
        verbose_name_plural = _("offence categories")
