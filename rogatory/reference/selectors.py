"""Reads of reference data, including matching what people type to a country."""

from .models import Country
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
