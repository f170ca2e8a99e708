"""Figures kept between page views until the register changes.

Counting a million requests takes a second; a dashboard that thirty clerks open at once must
not count them thirty times. Figures are cached under the register's revision, the sequence of
the newest audit record that changed data (`audit_data_revision`): every change writes its
audit record in the change's own transaction, so once a change is visible, so is the new
revision, and nobody is shown figures from before it. The cache is the one configured in
settings (the database's own table, or Redis), shared by every server process.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache

from rogatory.audit.selectors import audit_data_revision

T = TypeVar("T")

# Entries of an old revision are never asked for again; they only wait to be culled.
_TIMEOUT_SECONDS = 24 * 3600
_MISSING = object()
# How long one process may compute figures before the others stop waiting for it, and how
# often they look whether it has finished.
_COMPUTE_SECONDS = 60
_WAIT_SECONDS = 0.2


def figures_cached(name: str, *, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """Return `compute()`, computed at most once per revision of the register and `key`."""
    cache_key = f"figures:{name}:{audit_data_revision()}:{_key_text(key)}"
    value = _recent_get(cache_key)
    if value is _MISSING:
        value = cache.get(cache_key, _MISSING)
        if value is _MISSING:
            value = _computed_once(cache_key, compute)
        _recent_keep(cache_key, value)
    return value


def _computed_once(cache_key: str, compute: Callable[[], T]) -> T:
    """Compute and store the figures, or wait while another process already computes them.

    After a change, every server process asks for the same figures at once; computing them
    in each would multiply the work by the number of processes when it is most expensive.
    """
    if cache.add(f"{cache_key}:computing", True, _COMPUTE_SECONDS):
        try:
            value = compute()
            cache.set(cache_key, value, _TIMEOUT_SECONDS)
        finally:
            cache.delete(f"{cache_key}:computing")
        return value
    deadline = time.monotonic() + _COMPUTE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_WAIT_SECONDS)
        value = cache.get(cache_key, _MISSING)
        if value is not _MISSING:
            return value
    # The other process died or took too long: compute them here.
    value = compute()
    cache.set(cache_key, value, _TIMEOUT_SECONDS)
    return value


def figures_cache_forget() -> None:
    """Forget the figures this process keeps in its own memory (for tests)."""
    with _recent_lock:
        _recent.clear()


# Each server process also keeps the figures it used last: a report page's figures are several
# megabytes, which fetching and unpickling from a shared cache on every view would cost more
# than rendering them. The revision in the key keeps them as fresh as the shared cache's.
_RECENT_ENTRIES = 16
_recent: OrderedDict[str, Any] = OrderedDict()
_recent_lock = threading.Lock()


def _recent_get(cache_key: str) -> Any:
    if not _recent_enabled():
        return _MISSING
    with _recent_lock:
        value = _recent.get(cache_key, _MISSING)
        if value is not _MISSING:
            _recent.move_to_end(cache_key)
        return value


def _recent_keep(cache_key: str, value: Any) -> None:
    if not _recent_enabled():
        return
    with _recent_lock:
        _recent[cache_key] = value
        while len(_recent) > _RECENT_ENTRIES:
            _recent.popitem(last=False)


def _recent_enabled() -> bool:
    # A configured "no cache" (the test suite's) means no cache at all, here too.
    return not isinstance(caches["default"], DummyCache)


def _key_text(key: tuple[Hashable, ...]) -> str:
    # A digest: short, and safe for any cache whatever the values hold (spaces, long texts).
    return hashlib.sha256(repr(key).encode()).hexdigest()
