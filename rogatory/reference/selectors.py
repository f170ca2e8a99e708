"""Reads of reference data, including matching what people type to a country."""

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from rogatory.core.exceptions import NotFoundError

from .models import Country, GroundArticle, RefusalGround, Treaty
from .services import country_names


def country_lookup() -> dict[str, str]:
    """Return a map from every accepted spelling of a country, casefolded, to its ISO code.

    It accepts the ISO alpha-2 and alpha-3 codes, the English short name we show, and the
    names ISO 3166 gives (short, common and official).
    """
    lookup: dict[str, str] = {}
    for code, alpha_3, name_en in Country.objects.values_list("code", "alpha_3", "name_en"):
        for spelling in (name_en, *country_names(code)):
            lookup.setdefault(spelling.casefold(), code)
        lookup[alpha_3.casefold()] = code
        lookup[code.casefold()] = code
    return lookup


def refusal_ground_list() -> QuerySet[RefusalGround]:
    """Return the refusal grounds in their shipped order, with the treaty articles they rest on."""
    return RefusalGround.objects.prefetch_related(
        Prefetch("articles", queryset=GroundArticle.objects.order_by("treaty_id"))
    )


def refusal_ground_get(*, code: str) -> RefusalGround:
    """Return the refusal ground with `code`, or raise NotFoundError."""
    try:
        # PostgreSQL refuses to compare text holding a NUL; no code holds one.
        if "\x00" in code:
            raise RefusalGround.DoesNotExist
        return refusal_ground_list().get(code=code)
    except RefusalGround.DoesNotExist:
        raise NotFoundError(
            _("There is no refusal ground with the code “%(code)s”.") % {"code": code}
        ) from None


def treaty_list() -> QuerySet[Treaty]:
    """Return every legal basis by code, each with `party_count`, its number of listed parties."""
    return Treaty.objects.annotate(party_count=Count("parties"))


def treaty_get(*, code: str) -> Treaty:
    """Return the treaty with `code`, or raise NotFoundError."""
    try:
        if "\x00" in code:
            raise Treaty.DoesNotExist
        return Treaty.objects.get(code=code)
    except Treaty.DoesNotExist:
        raise NotFoundError(
            _("There is no treaty with the code “%(code)s”.") % {"code": code}
        ) from None


def country_choices(*, language: str) -> list[tuple[str, str]]:
    """Return (code, name) for every country, named and sorted in `language` ("en" or "ru").

    Sorted here rather than by the database, whose collation of Cyrillic varies by server.
    """
    named = [
        (country.code, country.name_in(language))
        for country in Country.objects.only("code", "name_en", "name_ru")
    ]
    return sorted(named, key=lambda choice: _collation_key(choice[1]))


def _collation_key(name: str) -> str:
    # Russian dictionaries sort ё with е; by code point it would come after я.
    return name.casefold().replace("ё", "е")
