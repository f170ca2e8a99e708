"""The label of a field's value in the page's language, looked up once per field and language.

`get_FOO_display` hashes every choice of the field on each call, and each choice is a lazy
translation that looks itself up to be hashed: four labels a row made that most of a register
page's time.
"""

import functools
from typing import Any

from django import template
from django.db.models import Field, Model
from django.utils.translation import get_language

register = template.Library()


@register.filter
def label(instance: Model, field_name: str) -> Any:
    """Return what `instance.get_<field_name>_display()` would, for a field with choices."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return _labels(field, get_language()).get(value, value)


@functools.cache
def _labels(field: Field, language: str | None) -> dict[Any, str]:
    # Translated now, under the language of the response being built.
    return {value: str(text) for value, text in field.flatchoices}
