"""Reads for drafting: a request's letter, what it still lacks, and the requested state's rules.

`request` arguments come from `rogatory.register.selectors.request_get`, which has checked that
the user may see the request.
"""

from dataclasses import dataclass, field

from babel import Locale
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rogatory.reference.models import Channel, Country, Treaty
from rogatory.register.models import Direction, Kind, Person, Request

from .models import Draft

# Our own state, one of the listed parties of the multilateral treaties in the reference data
# (a bilateral treaty lists only the other state). The shipped data is the Russian Federation's.
DEFAULT_OUR_STATE = "RU"


def our_state() -> str:
    """Return the ISO code of the state whose central authority uses Rogatory."""
    return getattr(settings, "ROGATORY_OUR_STATE", "") or DEFAULT_OUR_STATE


def draft_applies(*, request: Request) -> bool:
    """Return whether `request` has a letter to draft: only our own, outgoing requests do."""
    return request.direction == Direction.OUTGOING


def draft_of(*, request: Request) -> Draft | None:
    """Return the letter drafted for `request`, or None if nobody has started one."""
    return Draft.objects.filter(request=request).select_related("updated_by").first()


# --- Completeness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingElement:
    """An element the letter lacks, named for the user, and where to fill it in.

    `place` is "draft" (a field of the draft page), "request" (a field of the request's
    details) or "persons" (the persons sought on the request page); `field` is the field.
    """

    label: str
    place: str
    field: str


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def draft_check(*, request: Request, draft: Draft | None) -> list[MissingElement]:
    """Return every element the letter of `request` still lacks, in the order of the letter.

    The elements are those UNODC's MLA Request Writer Tool asks for: the requesting authority
    and a contact, the nature of the proceedings, the facts, the offences with the text of the
    law, the assistance sought and why (for legal assistance), the persons with what identifies
    them, the procedures to follow (for legal assistance), confidentiality, time limits and
    urgency; and from the request itself its legal basis, domestic case and offence.
    """
    missing: list[MissingElement] = []

    def need(value: str | None, label: str, place: str, name: str) -> None:
        if _blank(value):
            missing.append(MissingElement(label=label, place=place, field=name))

    letter = draft or Draft(request=request)
    need(letter.authority_name, _("Requesting authority"), "draft", "authority_name")
    need(
        letter.authority_address,
        _("Requesting authority: address"),
        "draft",
        "authority_address",
    )
    need(letter.contact_name, _("Contact: responsible officer"), "draft", "contact_name")
    if _blank(letter.contact_phone) and _blank(letter.contact_email):
        missing.append(
            MissingElement(
                label=_("Contact: telephone or email"), place="draft", field="contact_phone"
            )
        )
    if request.legal_basis_id is None:
        missing.append(MissingElement(label=_("Legal basis"), place="request", field="legal_basis"))
    need(request.domestic_case, _("Domestic criminal case"), "request", "domestic_case")
    need(
        letter.proceedings,
        _("Nature of the investigation or proceedings"),
        "draft",
        "proceedings",
    )
    need(letter.facts, _("Summary of facts"), "draft", "facts")
    need(request.offence_description, _("Offence"), "request", "offence_description")
    need(
        letter.legal_provisions,
        _("Offences: text of the legal provisions"),
        "draft",
        "legal_provisions",
    )
    if request.kind == Kind.MLA:
        need(letter.assistance, _("Assistance sought"), "draft", "assistance")
        need(letter.relevance, _("Assistance sought: why it is needed"), "draft", "relevance")
        need(letter.persons, _("Persons concerned"), "draft", "persons")
        need(letter.procedures, _("Procedures to follow"), "draft", "procedures")
    else:
        missing.extend(_persons_sought_missing(request))
    need(letter.confidentiality, _("Confidentiality"), "draft", "confidentiality")
    need(letter.urgency, _("Time limits and urgency"), "draft", "urgency")
    return missing


def _persons_sought_missing(request: Request) -> list[MissingElement]:
    persons = list(Person.objects.filter(request=request).order_by("id"))
    missing: list[MissingElement] = []
    unnamed = request.persons_count - len(persons)
    if unnamed > 0:
        missing.append(
            MissingElement(
                label=_("Persons sought: %(count)d of %(total)d not yet named")
                % {"count": unnamed, "total": request.persons_count},
                place="persons",
                field="full_name",
            )
        )
    for person in persons:
        name = person.full_name
        if person.born_on is None:
            missing.append(
                MissingElement(
                    label=_("Persons concerned: date of birth of %(name)s") % {"name": name},
                    place="persons",
                    field="born_on",
                )
            )
        if person.nationality_id is None:
            missing.append(
                MissingElement(
                    label=_("Persons concerned: nationality of %(name)s") % {"name": name},
                    place="persons",
                    field="nationality",
                )
            )
        if _blank(person.identification):
            missing.append(
                MissingElement(
                    label=_("Persons concerned: identification of %(name)s") % {"name": name},
                    place="persons",
                    field="identification",
                )
            )
    return missing


# --- The requested state's requirements ---------------------------------------------------------


@dataclass(frozen=True)
class CountryRequirements:
    """What the requested state expects of a request, from the reference data.

    `in_force` lists the treaties covering the request's kind that bind both states;
    `basis_in_force` is None when no legal basis is chosen (or it is reciprocity, which needs
    no treaty), else whether the chosen one is among them.
    """

    country: Country
    channel: str
    translation_language: str
    in_force: list[Treaty] = field(default_factory=list)
    legal_basis: Treaty | None = None
    basis_in_force: bool | None = None

    def channel_label(self) -> str:
        """Return the channel named in the active language."""
        if self.channel:
            return str(Channel(self.channel).label)
        return _("not known: ask the central authority")

    def language_name(self, language: str | None = None) -> str:
        """Return the name of the language of translation, in `language` or the active one."""
        return language_name(self.translation_language, language or get_language() or "en")

    def warning(self) -> str:
        """Return what is wrong with the request's legal basis, or an empty text."""
        if self.legal_basis is None:
            return _("No legal basis is chosen for this request.")
        if self.basis_in_force is not False:
            return ""
        if self.in_force:
            return _(
                "%(basis)s is not in force between our state and %(country)s for this kind "
                "of request; in force: %(treaties)s."
            ) % {
                "basis": self.legal_basis.code,
                "country": self.country.name,
                "treaties": ", ".join(treaty.code for treaty in self.in_force),
            }
        return _(
            "%(basis)s is not in force between our state and %(country)s for this kind of "
            "request, and no treaty is: the request can rest on reciprocity only."
        ) % {"basis": self.legal_basis.code, "country": self.country.name}


def language_name(code: str, language: str) -> str:
    """Return the name of the language `code` in `language` ("en" or "ru"), or the code."""
    if not code:
        return ""
    locale = Locale("ru" if language.startswith("ru") else "en")
    return locale.languages.get(code, code)


def treaties_in_force(*, country: Country, kind: str) -> list[Treaty]:
    """Return the treaties covering `kind` that bind both our state and `country`, by code.

    A bilateral treaty lists only the other state. A multilateral treaty lists all its parties,
    ours among them; one whose parties are not listed (open to all, such as UNTOC) counts as in
    force. Reciprocity is not a treaty and is not listed.
    """
    covers = {"covers_extradition": True} if kind == Kind.EXTRADITION else {"covers_mla": True}
    treaties = list(
        Treaty.objects.filter(**covers).exclude(kind=Treaty.Kind.RECIPROCITY).order_by("code")
    )
    parties: dict[str, set[str]] = {}
    for treaty_id, country_id in Treaty.parties.through.objects.filter(
        treaty__in=treaties
    ).values_list("treaty_id", "country_id"):
        parties.setdefault(treaty_id, set()).add(country_id)
    ours = our_state()
    in_force = []
    for treaty in treaties:
        listed = parties.get(treaty.code, set())
        if treaty.kind == Treaty.Kind.BILATERAL:
            binds = country.code in listed
        else:
            binds = not listed or {country.code, ours} <= listed
        if binds:
            in_force.append(treaty)
    return in_force


def country_requirements(*, request: Request) -> CountryRequirements:
    """Return the requested state's requirements for `request`, and whether its basis holds."""
    country = request.country
    in_force = treaties_in_force(country=country, kind=request.kind)
    basis = request.legal_basis
    basis_in_force = None
    if basis is not None and basis.kind != Treaty.Kind.RECIPROCITY:
        basis_in_force = basis.code in {treaty.code for treaty in in_force}
    return CountryRequirements(
        country=country,
        channel=country.channel,
        translation_language=country.translation_language,
        in_force=in_force,
        legal_basis=basis,
        basis_in_force=basis_in_force,
    )
