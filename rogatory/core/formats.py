"""Formatting numbers for text people read, in the active language."""

from babel.numbers import format_decimal
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _


def format_count(value: int) -> str:
    """Return `value` with the active language's digit grouping: 9,746 or 9 746."""
    return format_decimal(value, locale=to_locale(get_language() or "en"))


def format_megabytes(size: int) -> str:
    """Return a size in bytes as megabytes people read: "50 MB", "0.5 MB"."""
    number = format_decimal(
        round(size / (1024 * 1024), 1), locale=to_locale(get_language() or "en")
    )
    return _("%(number)s MB") % {"number": number}
