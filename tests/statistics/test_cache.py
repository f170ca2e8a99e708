"""Figures cached until the register changes: never stale after a change, computed once between."""

from datetime import date

import pytest

from rogatory.audit.services import audit_view
from rogatory.statistics.cache import figures_cached
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _real_cache(figures_cache):
    """Every test here runs with a real cache."""


class _Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_figures_are_computed_once_while_the_register_does_not_change():
    compute = _Counter()
    assert figures_cached("test", key=(1,), compute=compute) == 1
    assert figures_cached("test", key=(1,), compute=compute) == 1
    assert compute.calls == 1


def test_figures_are_computed_again_after_any_change():
    compute = _Counter()
    figures_cached("test", key=(1,), compute=compute)
    make_request()
    assert figures_cached("test", key=(1,), compute=compute) == 2


def test_a_record_of_data_shown_changes_no_figures():
    compute = _Counter()
    figures_cached("test", key=(1,), compute=compute)
    audit_view(actor=None, object_type="request_persons", object_id=1, what={"request": 1})
    assert figures_cached("test", key=(1,), compute=compute) == 1


def test_different_keys_are_kept_apart():
    compute = _Counter()
    assert figures_cached("test", key=(date(2024, 1, 1), "en"), compute=compute) == 1
    assert figures_cached("test", key=(date(2024, 1, 1), "ru"), compute=compute) == 2
    assert figures_cached("other", key=(date(2024, 1, 1), "en"), compute=compute) == 3


def test_a_server_process_keeps_the_figures_it_used_last_without_asking_the_shared_cache(
    figures_cache,
):
    compute = _Counter()
    figures_cached("test", key=(1,), compute=compute)
    figures_cache.clear()  # another process's view of the shared cache: nothing in it
    assert figures_cached("test", key=(1,), compute=compute) == 1
    make_request()
    assert figures_cached("test", key=(1,), compute=compute) == 2


def test_figures_another_process_is_computing_are_waited_for_not_computed_again(
    figures_cache, monkeypatch
):
    from rogatory.audit.selectors import audit_data_revision

    revision = audit_data_revision()
    key = f"figures:test:{revision}:"
    compute = _Counter()
    # Another process holds the computation; it stores its result while this one waits.
    figures_cache.add(f"{key}{_digest((1,))}:computing", True, 60)
    waits = []

    def other_process_finishes(seconds):
        waits.append(seconds)
        figures_cache.set(f"{key}{_digest((1,))}", 41, 60)

    monkeypatch.setattr("rogatory.statistics.cache.time.sleep", other_process_finishes)
    assert figures_cached("test", key=(1,), compute=compute) == 41
    assert compute.calls == 0 and len(waits) == 1


def _digest(key):
    from rogatory.statistics.cache import _key_text

    return _key_text(key)
