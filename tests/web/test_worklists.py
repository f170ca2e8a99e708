"""The work list pages, the dashboard's counts, the request page's deadlines, the form fields."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.register import services
from rogatory.register.models import Priority, Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

WORKLIST = reverse("web:worklist")
MINE = reverse("web:my_requests")


@pytest.fixture
def units():
    return UnitFactory(code="alpha", name="Alpha"), UnitFactory(code="bravo", name="Bravo")


@pytest.fixture
def rule():
    return DeadlineRule.objects.create(
        code="test-arrest-limit",
        name_en="Provisional arrest limit",
        name_ru="Срок заключения под стражу",
        basis=DeadlineRule.Basis.TREATY,
        starts=DeadlineRule.Start.PROVISIONAL_ARREST,
        stops=DeadlineRule.Stop.FORMAL_REQUEST,
        period_days=18,
        warn_days=5,
        source="ECE 1957 Art. 16(4)",
        source_url="https://rm.coe.int/1680064587",
        active=False,
    )


@pytest.fixture
def alice(client, units):
    user = UserFactory(username="alice", role=Role.CLERK, units=[units[0]])
    client.force_login(user)
    return user


def _due(request, rule, due_on, *, met_on=None):
    Deadline.objects.filter(request=request).delete()
    return Deadline.objects.create(
        request=request,
        rule=rule,
        started_on=due_on - timedelta(days=18),
        due_on=due_on,
        warn_on=due_on - timedelta(days=5),
        met_on=met_on,
    )


def _today():
    return timezone.localdate()


def test_the_work_list_shows_overdue_rows_with_rule_source_and_priority(client, alice, units, rule):
    alpha, bravo = units
    late = make_request(unit=alpha, reference="ALPHA-LATE")
    services.request_update(
        actor=None, request=late, priority=Priority.HIGH, priority_reason="Court date set"
    )
    _due(late, rule, _today() - timedelta(days=3))
    _due(make_request(unit=bravo, reference="BRAVO-LATE"), rule, _today() - timedelta(days=3))
    _due(make_request(unit=alpha, reference="ALPHA-LATER"), rule, _today() + timedelta(days=30))

    response = client.get(WORKLIST)
    html = response.content.decode()
    assert response.status_code == 200, html
    assert f'href="{reverse("web:request_detail", args=[late.pk])}"' in html
    assert "ALPHA-LATE" in html
    assert "BRAVO-LATE" not in html  # another unit's request
    assert "ALPHA-LATER" not in html  # warnings have not started
    assert "overdue by 3 days" in html
    assert '<abbr title="ECE 1957 Art. 16(4)">Provisional arrest limit</abbr>' in html
    assert "Court date set" in html
    assert 'aria-current="page">Work list</a>' in html


def test_the_work_list_filters_and_refuses_anonymous_visitors(client, units, rule):
    assert client.get(WORKLIST).status_code == 302
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, units=[units[0]])
    client.force_login(supervisor)
    _due(make_request(unit=units[0], reference="ALPHA-1"), rule, _today() - timedelta(days=1))
    _due(make_request(unit=units[1], reference="BRAVO-1"), rule, _today() + timedelta(days=2))
    html = client.get(WORKLIST, {"unit": "bravo"}).content.decode()
    assert "BRAVO-1" in html and "ALPHA-1" not in html
    html = client.get(WORKLIST, {"state": "overdue"}).content.decode()
    assert "ALPHA-1" in html and "BRAVO-1" not in html
    html = client.get(WORKLIST, {"state": "nonsense"}).content.decode()
    assert "Correct the filters above" in html


def test_my_requests_lists_the_users_requests_and_a_supervisor_picks_a_clerk(
    client, alice, units, rule
):
    alpha, _bravo = units
    bob = UserFactory(username="bob", role=Role.CLERK, units=[alpha])
    mine = make_request(unit=alpha, reference="ALICE-1")
    services.request_update(actor=None, request=mine, responsible=alice)
    _due(Request.objects.get(pk=mine.pk), rule, _today() + timedelta(days=4))
    bobs = make_request(unit=alpha, reference="BOB-1")
    services.request_update(actor=None, request=bobs, responsible=bob)

    html = client.get(MINE, {"clerk": bob.pk}).content.decode()
    assert "ALICE-1" in html and "BOB-1" not in html  # a clerk cannot look at Bob's
    assert "4 days left" in html
    assert 'name="clerk"' not in html

    client.force_login(UserFactory(username="sam", role=Role.SUPERVISOR, units=[alpha]))
    html = client.get(MINE, {"clerk": bob.pk}).content.decode()
    assert "BOB-1" in html and "ALICE-1" not in html
    assert "Requests of bob" in html


def test_my_requests_is_for_clerks_not_viewers(client, units):
    client.force_login(UserFactory(username="vic", role=Role.VIEWER, units=[units[0]]))
    assert client.get(MINE).status_code == 403
    html = client.get(reverse("web:dashboard")).content.decode()
    assert 'href="/work/"' in html and f'href="{MINE}"' not in html


def test_the_dashboard_counts_link_to_the_lists(client, alice, units, rule):
    alpha, bravo = units
    late = make_request(unit=alpha, reference="A-LATE")
    soon = make_request(unit=alpha, reference="A-SOON")
    services.request_update(actor=None, request=soon, responsible=alice)
    _due(late, rule, _today() - timedelta(days=1))
    _due(Request.objects.get(pk=soon.pk), rule, _today() + timedelta(days=1))
    _due(make_request(unit=bravo, reference="B-LATE"), rule, _today() - timedelta(days=1))
    Deadline.objects.exclude(rule=rule).delete()
    html = client.get(reverse("web:dashboard")).content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
    assert counts == {"overdue": "1", "due_soon": "1", "urgent": "0", "mine": "1"}
    assert f'href="{WORKLIST}?state=overdue"' in html


def test_the_request_page_shows_priority_rules_and_deadlines(client, alice, units, rule):
    request = make_request(unit=units[0], reference="A-PAGE")
    limitation = _today() + timedelta(days=30)
    services.request_update(
        actor=None,
        request=request,
        limitation_on=limitation,
        responsible=alice,
        interpol_notice="A-1234/5-2026",
    )
    _due(Request.objects.get(pk=request.pk), rule, _today() - timedelta(days=2))
    html = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()
    section = html.split('id="deadlines"')[1].split("</section>")[0]
    assert "urgent" in section
    assert f"The limitation period runs out on {limitation.isoformat()}" in section
    assert "alice" in section and "A-1234/5-2026" in section
    assert "Provisional arrest limit" in section and "ECE 1957 Art. 16(4)" in section
    assert "overdue by 2 days" in section


def _new_data(**changes):
    return {
        "direction": "outgoing",
        "kind": "mla",
        "reference": "W-2026-001",
        "registered_on": "2026-01-10",
        "country": "CH",
    } | changes


def _error_of(html: str, field: str) -> str | None:
    found = re.search(rf'id="id_{field}_error"[^>]*>\s*<li>([^<]+)</li>', html)
    return found.group(1) if found else None


def test_the_new_request_form_takes_priority_and_follow_up_fields(client, alice, units):
    response = client.post(
        reverse("web:request_new"),
        _new_data(
            priority="high",
            priority_reason="Trial starts in March",
            limitation_on="2027-05-01",
            responsible=alice.pk,
            interpol_notice=" A-99/1-2026 ",
        ),
    )
    assert response.status_code == 302, response.content.decode()
    saved = Request.objects.get(reference="W-2026-001")
    assert (saved.priority, saved.priority_reason, saved.limitation_on) == (
        "high",
        "Trial starts in March",
        date(2027, 5, 1),
    )
    assert (saved.responsible, saved.interpol_notice) == (alice, "A-99/1-2026")


def test_an_urgent_priority_without_reason_is_named_on_its_field_and_input_kept(
    client, alice, units
):
    response = client.post(
        reverse("web:request_new"), _new_data(priority="urgent", limitation_on="2027-05-01")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _error_of(html, "priority_reason") == "Say why the request’s priority is urgent."
    assert '<option value="urgent" selected>' in html
    assert 'value="2027-05-01"' in html
    assert not Request.objects.filter(reference="W-2026-001").exists()


def test_a_responsible_clerk_of_another_unit_is_refused_on_its_field(client, units):
    alpha, bravo = units
    client.force_login(UserFactory(username="sam", role=Role.SUPERVISOR, units=[alpha]))
    bruno = UserFactory(username="bruno", role=Role.CLERK, units=[bravo])
    response = client.post(
        reverse("web:request_new"), _new_data(unit=alpha.pk, responsible=bruno.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "bruno cannot work on this unit" in (_error_of(html, "responsible") or "")


def test_the_edit_form_offers_only_clerks_of_the_unit_and_saves_the_fields(client, alice, units):
    alpha, bravo = units
    UserFactory(username="bruno", role=Role.CLERK, units=[bravo])
    UserFactory(username="vic", role=Role.VIEWER, units=[alpha])
    request = make_request(unit=alpha, reference="A-EDIT")
    url = reverse("web:request_edit", args=[request.pk])
    html = client.get(url).content.decode()
    choices = html.split('name="responsible"')[1].split("</select>")[0]
    assert "alice" in choices and "bruno" not in choices and "vic" not in choices
    response = client.post(
        url,
        {
            "country": "CH",
            "version": request.version,
            "priority": "urgent",
            "priority_reason": "Suspect about to leave",
            "limitation_on": "2026-12-31",
            "responsible": alice.pk,
            "interpol_notice": "RN-1",
        },
    )
    assert response.status_code == 302, response.content.decode()
    request.refresh_from_db()
    assert (request.priority, request.responsible, request.interpol_notice) == (
        "urgent",
        alice,
        "RN-1",
    )
    response = client.post(url, {"country": "CH", "version": request.version, "priority": "high"})
    assert (
        _error_of(response.content.decode(), "priority_reason")
        == "Say why the request’s priority is high."
    )


def test_the_register_lists_and_pages_by_effective_priority(client, alice, units):
    from rogatory.register.selectors import RequestFilters, request_page

    alpha, _bravo = units
    make_request(unit=alpha, reference="P-NORMAL")
    high = make_request(unit=alpha, reference="P-HIGH")
    services.request_update(actor=None, request=high, priority="high", priority_reason="x")
    by_rule = make_request(unit=alpha, reference="P-RULE")
    Request.objects.filter(pk=by_rule.pk).update(limitation_on=_today() + timedelta(days=10))
    seen, cursor = [], ""
    while True:
        page = request_page(
            user=alice, filters=RequestFilters(sort="priority"), cursor=cursor, limit=1
        )
        seen += [row.reference for row in page.requests]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == ["P-RULE", "P-HIGH", "P-NORMAL"]
    back = request_page(
        user=alice, filters=RequestFilters(sort="priority"), cursor=page.previous_cursor, limit=1
    )
    assert [row.reference for row in back.requests] == ["P-HIGH"]
    html = client.get(reverse("web:request_list"), {"sort": "-priority"}).content.decode()
    assert html.index("P-NORMAL") < html.index("P-HIGH") < html.index("P-RULE")
    assert 'class="badge priority priority-urgent badge-bad"' in html


def test_the_api_reads_and_writes_priority_and_follow_up_fields(client, alice, units):
    from rogatory.accounts.services import token_create

    secret = token_create(actor=None, user=alice, name="test").secret
    api = type(client)(headers={"authorization": f"Bearer {secret}"})
    response = api.post(
        "/api/v1/requests",
        {
            "direction": "outgoing",
            "kind": "mla",
            "reference": "API-PRIO-1",
            "country": "CH",
            "priority": "urgent",
            "priority_reason": "Person may flee",
            "limitation_on": "2027-01-31",
            "responsible": "alice",
            "interpol_notice": "RN-77",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["priority"], body["responsible"], body["limitation_on"]) == (
        "urgent",
        "alice",
        "2027-01-31",
    )
    wrong = api.patch(
        f"/api/v1/requests/{body['id']}",
        {"priority": "high", "priority_reason": ""},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    assert "priority_reason" in wrong.content.decode()
    nobody = api.patch(
        f"/api/v1/requests/{body['id']}",
        {"responsible": "no.such.user"},
        content_type="application/json",
    )
    assert nobody.status_code == 422 and "responsible" in nobody.content.decode()
    cleared = api.patch(
        f"/api/v1/requests/{body['id']}", {"responsible": ""}, content_type="application/json"
    )
    assert cleared.status_code == 200 and cleared.json()["responsible"] is None
    listed = api.get("/api/v1/requests", {"sort": "priority"}).json()["items"]
    assert listed[0]["reference"] == "API-PRIO-1"
