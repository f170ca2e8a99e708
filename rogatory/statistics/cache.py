"""Figures kept between page views until the register changes.

Counting a million requests takes a second; a dashboard that thirty clerks open at once must
not count them thirty times. Figures are cached under the register's revision, the sequence of
the newest audit record that changed data (`audit_data_revision`): every change writes its
audit record in the change's own transaction, so once a change is visible, so is the new
revision, and nobody is shown figures from before it. The cache is the one configured in
settings (the database's own table, or Redis), shared by every server process.
"""

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache

from rogatory.audit.selectors import audit_data_revision

T = TypeVar("T")

# Entries of an old revision are never asked for again; they only wait to be culled.
_TIMEOUT_SECONDS = 24 * 3600
_MISSING = object()


def figures_cached(name: str, *, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """Return `compute()`, computed at most once per revision of the register and `key`."""
    cache_key = f"figures:{name}:{audit_data_revision()}:{_key_text(key)}"
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(cache_key, value, _TIMEOUT_SECONDS)
    return value


def _key_text(key: tuple[Hashable, ...]) -> str:
    # A digest: short, and safe for any cache whatever the values hold (spaces, long texts).
    return hashlib.sha256(repr(key).encode()).hexdigest()
