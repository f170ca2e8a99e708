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
