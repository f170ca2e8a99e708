"""Codes in API input turned into the reference rows and units the services take.

An unknown code is wrong input (422, naming the field), not a missing resource (404).
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from rogatory.accounts.models import Unit, User
from rogatory.core.exceptions import ValidationError
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty


def country_by_code(code: str, *, field: str = "country") -> Country:
    """Return the country with ISO code `code` (any case)."""
    country = Country.objects.filter(code=code.upper()).first()
    if country is None:
        raise _unknown(field, _("There is no country with the ISO code “%(code)s”."), code)
    return country


def treaty_by_code(code: str | None, *, field: str = "legal_basis") -> Treaty | None:
    """Return the treaty with `code`, or None when no code is given."""
    if not code:
        return None
    treaty = Treaty.objects.filter(code=code).first()
    if treaty is None:
        raise _unknown(field, _("There is no treaty with the code “%(code)s”."), code)
    return treaty


def offence_category_by_code(
    code: str | None, *, field: str = "offence_category"
) -> OffenceCategory | None:
    """Return the ICCS offence category with `code`, or None when no code is given."""
    if not code:
        return None
    category = OffenceCategory.objects.filter(code=code).first()
    if category is None:
        raise _unknown(field, _("There is no offence category “%(code)s”."), code)
    return category


def unit_by_code_or_none(code: str | None, *, field: str = "unit") -> Unit | None:
    """Return the unit with `code`, or None when no code is given."""
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise _unknown(field, _("There is no unit “%(code)s”."), code)
    return unit


def user_by_username_or_none(username: str | None, *, field: str = "responsible") -> User | None:
    """Return the active user named `username`, or None when no name is given."""
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _unknown(field, _("There is no active user “%(code)s”."), username)
    return user


def grounds_by_code(codes: Iterable[str], *, field: str = "grounds") -> list[RefusalGround]:
    """Return the refusal grounds with `codes`, in the order given, duplicates dropped."""
    codes = list(codes)
    found = RefusalGround.objects.in_bulk(set(codes))
    for position, code in enumerate(codes):
        if code not in found:
            raise _unknown(f"{field}.{position}", _("There is no refusal ground “%(code)s”."), code)
    return [found[code] for code in dict.fromkeys(codes)]


def _unknown(field: str, message: str, code: str) -> ValidationError:
    return ValidationError(message % {"code": code}, extra={"field": field})
