"""The audit trail pages: the global view with filters and paging, and one request's trail."""

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.context import client_address_set
from rogatory.register.models import Outcome
from rogatory.web.views import analytics
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TRAIL = reverse("web:audit")


def _request_trail(request_id: int) -> str:
    return reverse("web:request_audit", args=[request_id])


@pytest.fixture
def supervisor(client):
    user = UserFactory(role=Role.SUPERVISOR, username="sofia.supervisor")
    client.force_login(user)
    return user


def _sequences(response) -> list[int]:
    return [record.sequence for record, _changes in response.context["records"]]


# --- Who may see the trail --------------------------------------------------------------------


def test_audit_pages_anonymous_is_sent_to_sign_in(client):
    request = make_request()
    for url in (TRAIL, _request_trail(request.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize(
    ("role", "own_unit", "status"),
    [
        (Role.VIEWER, True, 403),
        (Role.CLERK, True, 403),
        (Role.CLERK, False, 403),
        (Role.SUPERVISOR, True, 200),
        (Role.SUPERVISOR, False, 200),
        (Role.ADMINISTRATOR, False, 200),
    ],
)
def test_audit_pages_by_role_and_unit(client, role, own_unit, status):
    mine = UnitFactory(code="mine")
    request = make_request(unit=mine if own_unit else UnitFactory(code="other"))
    client.force_login(UserFactory(role=role, units=[mine]))
    assert client.get(TRAIL).status_code == status
    assert client.get(_request_trail(request.pk)).status_code == status


# --- The global view --------------------------------------------------------------------------


def test_audit_trail_shows_records_newest_first(client, supervisor, clerk):
    request = make_request(actor=clerk, outcome=Outcome.EXECUTED, reference="OM-7")
    response = client.get(TRAIL)
    assert response.status_code == 200, response.content
    sequences = _sequences(response)
    assert sequences == sorted(sequences, reverse=True)
    html = response.content.decode()
    for text in ("clara.clerk", "request_register", "request_record_decision", "OM-7"):
        assert text in html
    assert _request_trail(request.pk) in html


def test_audit_trail_shows_client_address(client, supervisor, clerk):
    with client_address_set("203.0.113.7"):
        make_request(actor=clerk)
    assert "203.0.113.7" in client.get(TRAIL).content.decode()


def test_audit_trail_filters_by_action_user_and_object_type(client, supervisor, clerk):
    make_request(actor=clerk)
    make_request()
    by_action = client.get(TRAIL, {"action": "request_record_sent"}).context["records"]
    assert by_action and {record.action for record, _ in by_action} == {"request_record_sent"}
    by_user = client.get(TRAIL, {"user": clerk.pk}).context["records"]
    assert by_user and {record.actor_id for record, _ in by_user} == {clerk.pk}
    by_type = client.get(TRAIL, {"object_type": "unit"}).context["records"]
    assert all(record.object_type == "unit" for record, _ in by_type)


def test_audit_trail_pages_with_an_older_link(client, supervisor, monkeypatch):
    monkeypatch.setattr(analytics, "AUDIT_PAGE_SIZE", 2)
    for _ in range(3):
        make_request(opened_on=None)
    first = client.get(TRAIL, {"action": "request_register"})
    assert len(_sequences(first)) == 2
    older = first.context["older"]
    assert older.startswith("action=request_register&before=")
    assert "Older" in first.content.decode()
    second = client.get(f"{TRAIL}?{older}")
    assert _sequences(second) and max(_sequences(second)) < min(_sequences(first))
    assert "Newest" in second.content.decode()


def test_audit_trail_wrong_filter_is_explained(client, supervisor):
    response = client.get(TRAIL, {"before": "soon", "user": "999999"})
    assert response.status_code == 200
    assert response.context["records"] == []
    assert 'class="form-errors"' in response.content.decode()


# --- One request's trail ----------------------------------------------------------------------


def test_request_audit_shows_only_that_requests_records(client, supervisor):
    request = make_request(outcome=Outcome.REFUSED, reference="OM-1")
    other = make_request(reference="OM-2")
    response = client.get(_request_trail(request.pk))
    assert response.status_code == 200, response.content
    records = [record for record, _changes in response.context["records"]]
    assert {record.request_id for record in records} == {request.pk}
    assert {record.action for record in records} >= {
        "request_register",
        "request_record_sent",
        "request_record_decision",
    }
    html = response.content.decode()
    assert "Audit trail of OM-1" in html
    assert "OM-2" not in html
    assert other.pk != request.pk


def test_request_audit_of_an_unknown_request_is_not_found(client, supervisor):
    assert client.get(_request_trail(987654)).status_code == 404


def test_request_audit_pages(client, supervisor, monkeypatch):
    monkeypatch.setattr(analytics, "AUDIT_PAGE_SIZE", 1)
    request = make_request()
    first = client.get(_request_trail(request.pk))
    assert first.context["older"].startswith("before=")
    second = client.get(f"{_request_trail(request.pk)}?{first.context['older']}")
    assert _sequences(second)[0] < _sequences(first)[0]


# --- The readable difference ------------------------------------------------------------------


class _Record:
    def __init__(self, before, after):
        self.before, self.after = before, after


def test_audit_changes_show_only_changed_fields():
    changes = analytics.audit_changes(
        _Record(
            {"status": "sent", "country": "CH", "grounds": [], "notes": ""},
            {"status": "refused", "country": "CH", "grounds": ["dual_criminality"], "notes": ""},
        )
    )
    assert changes == [
        {"field": "status", "before": "sent", "after": "refused"},
        {"field": "grounds", "before": "—", "after": "dual_criminality"},
    ]


def test_audit_changes_of_a_creation_leave_empty_fields_out():
    changes = analytics.audit_changes(
        _Record(None, {"reference": "OM-1", "notes": "", "political": False, "persons": None})
    )
    assert changes == [
        {"field": "reference", "before": None, "after": "OM-1"},
        {"field": "political", "before": None, "after": "no"},
    ]


def test_audit_changes_of_a_removed_field_and_of_records_without_values():
    assert analytics.audit_changes(_Record({"token": "rgt_1"}, {})) == [
        {"field": "token", "before": "rgt_1", "after": None}
    ]
    assert analytics.audit_changes(_Record(None, None)) == []


def test_audit_trail_page_renders_the_difference(client, supervisor):
    request = make_request(outcome=Outcome.REFUSED, grounds=("dual_criminality",))
    html = client.get(_request_trail(request.pk)).content.decode()
    assert "<ins>refused</ins>" in html
    assert "<del>" in html


def test_audit_trail_filters_by_day(client):
    from datetime import timedelta

    from django.utils import timezone

    supervisor = UserFactory(role=Role.SUPERVISOR)
    make_request(reference="DAY-1")
    client.force_login(supervisor)
    today = timezone.localdate()
    shown = client.get(reverse("web:audit"), {"day": today.isoformat()})
    assert shown.status_code == 200, shown.content
    row = b"<td><code>request_register</code></td>"
    assert row in shown.content
    earlier = client.get(reverse("web:audit"), {"day": (today - timedelta(days=3)).isoformat()})
    assert earlier.status_code == 200, earlier.content
    assert row not in earlier.content
