"""The languages Rogatory writes its pages, reports and statements in."""

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import ValidationError


def language_check(language: str, *, field: str = "lang") -> None:
    """Refuse a language the interface and the reports do not speak."""
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ValidationError(
            _("The language must be one of %(languages)s, not “%(value)s”.")
            % {"languages": ", ".join(languages), "value": language},
            extra={"field": field},
        )
