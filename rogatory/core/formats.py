"""Formatting numbers for text people read, in the active language."""

from babel.numbers import format_decimal
from django.utils.translation import get_language, to_locale


def format_count(value: int) -> str:
    """Return `value` with the active language's digit grouping: 9,746 or 9 746."""
    return format_decimal(value, locale=to_locale(get_language() or "en"))
