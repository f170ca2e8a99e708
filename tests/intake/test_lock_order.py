"""Every change takes the audit chain's lock before it locks any request row.

An import holds the chain from its first batch to its commit. A change that locked a request
row first and then waited for the chain could hold a row the import needs next: a deadlock.
"""

from datetime import date

import pytest
from django.db.models import QuerySet

from rogatory.intake import services as intake_services
from rogatory.intake.services import register_import
from rogatory.register import services
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def lock_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    reserve = services.audit_chain_reserve
    select_for_update = QuerySet.select_for_update

    def chain() -> None:
        calls.append("chain")
        reserve()

    def rows(self, *args, **kwargs):
        calls.append("rows")
        return select_for_update(self, *args, **kwargs)

    monkeypatch.setattr(services, "audit_chain_reserve", chain)
    monkeypatch.setattr(intake_services, "audit_chain_reserve", chain)
    monkeypatch.setattr(QuerySet, "select_for_update", rows)
    return calls


def test_recording_an_event_takes_the_chain_before_the_request_row(lock_calls):
    request = make_request(opened_on=None)
    lock_calls.clear()
    services.request_record_sent(actor=None, request=request, sent_on=date(2023, 3, 1))
    assert lock_calls[:2] == ["chain", "rows"]


def test_an_import_takes_the_chain_before_any_request_row(lock_calls, register_csv):
    register_import(actor=None, path=register_csv({}))
    register_import(
        actor=None, path=register_csv({"status": "executed", "decided_on": "2023-04-01"})
    )
    assert lock_calls[0] == "chain"
    assert lock_calls.count("chain") == 2
