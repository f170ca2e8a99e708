"""The register: requests, the events that make up their history, persons sought, documents."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rogatory.core.models import TimeStampedModel
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("outgoing")
    INCOMING = "incoming", _("incoming")


class Kind(models.TextChoices):
    MLA = "mla", _("legal assistance")
    EXTRADITION = "extradition", _("extradition")


class Purpose(models.TextChoices):
    PROSECUTION = "prosecution", _("criminal prosecution")
    SENTENCE = "sentence", _("execution of a sentence")


class Outcome(models.TextChoices):
    EXECUTED = "executed", _("executed")
    PARTIALLY_EXECUTED = "partially_executed", _("partially executed")
    GRANTED = "granted", _("extradition granted")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    RECEIVED = "received", _("received")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    SUPPLEMENTARY_REQUESTED = "supplementary_requested", _("supplementary information requested")
    SUPPLEMENTARY_PROVIDED = "supplementary_provided", _("supplementary information provided")
    PROVISIONAL_ARREST = "provisional_arrest", _("provisional arrest")
    HEARING = "hearing", _("hearing held")
    REOPENED = "reopened", _("re-opened")
    EXECUTED = "executed", _("executed")
    PARTIALLY_EXECUTED = "partially_executed", _("partially executed")
    GRANTED = "granted", _("extradition granted")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
    SURRENDERED = "surrendered", _("surrendered")


class Priority(models.TextChoices):
    """How soon a request must be dealt with; lists sort urgent first."""

    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")


# Where lists sort requests that have no date yet (drafts, pending decisions).
EARLIEST_DATE = date(1, 1, 1)


class Request(TimeStampedModel):
    """One request between our state and one counterpart state.

    The fields under "projection" are derived from the request's events by
    `rogatory.register.lifecycle` and written by the same service that records the event.
    """

    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="requests", verbose_name=_("unit")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reference = models.CharField(_("our reference"), max_length=100)
    counterpart_reference = models.CharField(
        _("counterpart's reference"), max_length=100, blank=True
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="requests", verbose_name=_("country")
    )
    counterpart_authority = models.CharField(_("counterpart authority"), max_length=300, blank=True)
    legal_basis = models.ForeignKey(
        Treaty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("legal basis"),
    )
    domestic_case = models.CharField(_("domestic criminal case"), max_length=100, blank=True)
    offence_category = models.ForeignKey(
        OffenceCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("offence category"),
    )
    offence_description = models.TextField(_("offence"), blank=True)
    # ICCS categories cannot tell money laundering or terrorist financing apart, and FATF
    # statistics show both on their own lines, so each request carries the two flags.
    money_laundering = models.BooleanField(
        _("money laundering"),
        default=False,
        help_text=_("The request concerns money laundering (FATF statistics count it apart)."),
    )
    terrorist_financing = models.BooleanField(
        _("terrorist financing"),
        default=False,
        help_text=_(
            "The request concerns the financing of terrorism (FATF statistics count it apart)."
        ),
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, blank=True)
    persons_count = models.PositiveIntegerField(_("persons sought"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # The priority a person chose, with why; rules may raise it to urgent (see
    # `rogatory.deadlines.priority`), and lists sort by the higher of the two.
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_reason = models.TextField(_("reason for the priority"), blank=True)
    limitation_on = models.DateField(
        _("limitation date"),
        null=True,
        blank=True,
        help_text=_("The date the limitation period for the underlying offence runs out."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("responsible clerk"),
    )
    interpol_notice = models.CharField(
        _("Interpol notice"),
        max_length=60,
        blank=True,
        help_text=_("The reference of an Interpol notice about the case, such as a red notice."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    # Projection of the events.
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    political = models.BooleanField(_("refused for political reasons"), null=True, blank=True)
    grounds = models.ManyToManyField(
        RefusalGround, through="RequestGround", related_name="requests", blank=True
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "reference"], name="request_reference_unique_per_direction"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="mla", persons_count=0, purpose="")
                | models.Q(kind="extradition", persons_count__gte=1),
                name="request_persons_only_for_extradition",
            ),
        ]
        indexes = [
            models.Index(fields=["direction", "kind", "opened_on"], name="request_opened_idx"),
            models.Index(fields=["direction", "kind", "decided_on"], name="request_decided_idx"),
            # The register list pages by keyset on these; the expressions match its sort keys,
            # where a request without a date sorts as the earliest.
            models.Index(fields=["reference", "id"], name="request_reference_list_idx"),
            models.Index(fields=["unit", "id"], name="request_unit_list_idx"),
            models.Index(
                Coalesce("opened_on", models.Value(EARLIEST_DATE)),
                models.F("id"),
                name="request_opened_list_idx",
            ),
            models.Index(
                Coalesce("decided_on", models.Value(EARLIEST_DATE)),
                models.F("id"),
                name="request_decided_list_idx",
            ),
            # The dashboard's "awaiting action" reads only undecided requests.
            models.Index(
                fields=["unit", "status", "opened_on"],
                condition=models.Q(decided_on__isnull=True),
                name="request_undecided_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class RequestGround(models.Model):
    """A refusal ground of a request's current refusal (part of the projection)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    ground = models.ForeignKey(RefusalGround, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "ground"], name="request_ground_unique"),
        ]
        indexes = [models.Index(fields=["ground", "request"], name="request_ground_by_ground_idx")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.ground_id}"


class Event(models.Model):
    """Something that happened to a request, on a legal date, recorded at a moment by someone."""

    class Type(models.TextChoices):
        # The context tells translators these name events (nouns), not statuses.
        REGISTERED = "registered", pgettext_lazy("event", "registered")
        SENT = "sent", pgettext_lazy("event", "sent")
        RECEIVED = "received", pgettext_lazy("event", "received")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("event", "receipt acknowledged")
        SUPPLEMENTARY_REQUESTED = (
            "supplementary_requested",
            pgettext_lazy("event", "supplementary information requested"),
        )
        SUPPLEMENTARY_PROVIDED = (
            "supplementary_provided",
            pgettext_lazy("event", "supplementary information provided"),
        )
        PROVISIONAL_ARREST = "provisional_arrest", pgettext_lazy("event", "provisional arrest")
        HEARING = "hearing", pgettext_lazy("event", "hearing")
        DECIDED = "decided", pgettext_lazy("event", "decision")
        SURRENDERED = "surrendered", pgettext_lazy("event", "surrendered")
        REOPENED = "reopened", pgettext_lazy("event", "re-opened")
        OPENING_CORRECTED = "opening_corrected", pgettext_lazy("event", "opening date corrected")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=30, choices=Type.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    grounds = models.ManyToManyField(RefusalGround, blank=True, related_name="+")
    political = models.BooleanField(_("counts as political"), null=True, blank=True)
    political_overridden = models.BooleanField(
        _("political classification overridden"), default=False
    )
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["request", "recorded_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["request", "recorded_at"], name="event_history_idx"),
            # Figures as known at a moment look for the events recorded after it.
            models.Index(fields=["recorded_at"], name="event_recorded_idx"),
            # Whether a provisional arrest still runs (a request urgent by rule) reads only
            # arrests, surrenders and decisions, for every row a work list sorts.
            models.Index(
                fields=["request", "id", "type", "outcome"],
                condition=models.Q(type__in=["provisional_arrest", "surrendered", "decided"]),
                name="event_arrest_end_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.occurred_on}"


class Person(TimeStampedModel):
    """A person sought in an extradition request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="persons")
    full_name = models.CharField(_("full name"), max_length=300)
    born_on = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    in_custody = models.BooleanField(_("in custody"), default=False)
    identification = models.TextField(
        _("identification"),
        blank=True,
        help_text=_(
            "Identity documents, place of birth, description: what lets the requested state "
            "identify the person."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person sought")
        verbose_name_plural = _("persons sought")

    def __str__(self) -> str:
        return self.full_name


class Document(TimeStampedModel):
    """A file attached to a request; the file itself lives under a generated name."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("request")
        TRANSLATION = "translation", _("translation")
        REPLY = "reply", _("reply")
        OTHER = "other", _("other")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class RequestLink(TimeStampedModel):
    """Two requests that belong together; the request pages show the link from both ends."""

    class Type(models.TextChoices):
        SAME_CASE = "same_case", _("same domestic criminal case")
        PARALLEL = "parallel", _("parallel request")
        EXTRADITION_MLA = "extradition_mla", _("extradition and related legal assistance")

    source = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="links_from")
    target = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="links_to")
    type = models.CharField(_("link"), max_length=20, choices=Type.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("linked request")
        verbose_name_plural = _("linked requests")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="request_link_unique"),
            # One link per pair of requests, whichever end it was made from.
            models.UniqueConstraint(
                Least("source", "target"), Greatest("source", "target"), name="request_link_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="request_link_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}: {self.type}"


class Assurance(TimeStampedModel):
    """An assurance in an extradition: given by the requesting state, or asked of it."""

    class Type(models.TextChoices):
        DEATH_PENALTY = "death_penalty", _("death penalty will not be imposed or carried out")
        FAIR_TRIAL = "fair_trial", _("fair trial")
        DETENTION_CONDITIONS = "detention_conditions", _("conditions of detention")
        SPECIALITY = "speciality", _("rule of speciality")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        GIVEN = "given", _("given")
        MONITORING_CLOSED = "closed", _("monitoring closed")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="assurances")
    type = models.CharField(_("assurance"), max_length=30, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    text = models.TextField(_("terms"), blank=True)
    authority = models.CharField(_("given by"), max_length=300, blank=True)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    given_on = models.DateField(_("given on"), null=True, blank=True)
    closed_on = models.DateField(_("monitoring closed on"), null=True, blank=True)
    closing_reason = models.TextField(_("why monitoring was closed"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("assurance")
        verbose_name_plural = _("assurances")

    def __str__(self) -> str:
        return self.get_type_display()


class AssuranceFollowUp(models.Model):
    """Something learned or done to check an assurance after the person was surrendered."""

    class Finding(models.TextChoices):
        RESPECTED = "respected", _("respected")
        CONCERN = "concern", _("concern")
        BREACHED = "breached", _("breached")
        NO_ANSWER = "no_answer", _("no answer")

    assurance = models.ForeignKey(Assurance, on_delete=models.CASCADE, related_name="follow_ups")
    occurred_on = models.DateField(_("date"))
    finding = models.CharField(_("finding"), max_length=12, choices=Finding.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.assurance_id} {self.occurred_on}"
