"""The deadline rule pages: everyone signed in reads the rules; only supervisors change them."""

from datetime import date

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.deadlines.models import Deadline, DeadlineRule
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

LIST = reverse("web:deadline_rules")
ADD = reverse("web:deadline_rule_add")
EDIT = reverse("web:deadline_rule_edit", args=["outgoing-follow-up-60"])


@pytest.fixture
def supervisor(client):
    user = UserFactory(username="sam.supervisor", role=Role.SUPERVISOR)
    client.force_login(user)
    return user


def _rule(code: str = "outgoing-follow-up-60") -> DeadlineRule:
    return DeadlineRule.objects.get(code=code)


def _data(rule: DeadlineRule | None = None, **changes) -> dict:
    rule = rule or _rule()
    data = {
        "name_en": rule.name_en,
        "name_ru": rule.name_ru,
        "basis": rule.basis,
        "direction": rule.direction,
        "kind": rule.kind,
        "treaty": rule.treaty_id or "",
        "starts": rule.starts,
        "stops": rule.stops,
        "period_days": rule.period_days if rule.period_days is not None else "",
        "period_months": rule.period_months if rule.period_months is not None else "",
        "warn_days": rule.warn_days,
        "source": rule.source,
        "source_url": rule.source_url,
        "position": rule.position,
        "active": "on" if rule.active else "",
        **changes,
    }
    return {key: value for key, value in data.items() if value != "" or key != "active"}


def test_anonymous_users_are_sent_to_sign_in(client):
    for address in (LIST, ADD, EDIT):
        response = client.get(address)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "next=" in response["Location"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_everyone_signed_in_reads_the_rules_with_their_sources(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Article 16(4)" in page
    assert "Internal target of the central authority" in page
    assert "https://base.garant.ru/10119702/" in page
    can_edit = role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
    assert (EDIT in page) is can_edit
    assert (ADD in page) is can_edit


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_viewers_and_clerks_cannot_edit_or_add(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(EDIT).status_code == 403
    assert client.get(ADD).status_code == 403
    response = client.post(EDIT, _data(period_days=5))
    assert response.status_code == 403
    assert _rule().period_days == 60
    response = client.post(ADD, {**_data(), "code": "mine"})
    assert response.status_code == 403
    assert not DeadlineRule.objects.filter(code="mine").exists()


def test_the_reference_page_lists_the_rules(client, supervisor):
    response = client.get(reverse("web:reference"))
    page = response.content.decode()
    assert 'id="deadline-rules"' in page
    assert "ece-1957-provisional-arrest-18" in page
    assert "Article 18(4)" in page
    assert LIST in page


def test_a_supervisor_edits_a_rule_and_open_requests_follow(client, supervisor):
    request = make_request(opened_on=date(2024, 1, 1))
    form = client.get(EDIT)
    assert form.status_code == 200
    assert 'value="60"' in form.content.decode()
    response = client.post(EDIT, _data(period_days=30, warn_days=5))
    assert response.status_code == 302
    assert response["Location"].endswith(f"{LIST}#rule-outgoing-follow-up-60")
    rule = _rule()
    assert (rule.period_days, rule.warn_days) == (30, 5)
    assert rule.edited_at is not None
    deadline = Deadline.objects.get(request=request, rule=rule)
    assert (deadline.due_on, deadline.warn_on) == (date(2024, 1, 31), date(2024, 1, 26))
    page = client.get(LIST).content.decode()
    assert "Edited here" in page


def test_a_failed_edit_keeps_the_input_and_names_the_field(client, supervisor):
    response = client.post(EDIT, _data(period_months=2, source="My new source text", warn_days=11))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "not both and not none" in page
    assert "My new source text" in page
    assert 'value="11"' in page
    assert _rule().period_months is None
    assert _rule().edited_at is None


def test_a_rule_without_a_source_is_refused(client, supervisor):
    response = client.post(EDIT, _data(source=""))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert _rule().source


def test_unticking_in_use_takes_the_rule_out_of_use(client, supervisor):
    request = make_request(opened_on=date(2024, 1, 1))
    data = _data()
    data.pop("active", None)
    response = client.post(EDIT, data)
    assert response.status_code == 302
    assert _rule().active is False
    assert not Deadline.objects.filter(request=request).exists()
    assert "Not in use" in client.get(LIST).content.decode()


def test_a_supervisor_adds_a_rule(client, supervisor):
    data = {
        **_data(),
        "code": "acknowledge-10",
        "name_en": "Acknowledge within 10 days",
        "direction": "incoming",
        "starts": "received",
        "stops": "answer",
        "period_days": 10,
    }
    response = client.post(ADD, data)
    assert response.status_code == 302
    rule = _rule("acknowledge-10")
    assert (rule.direction, rule.period_days, rule.edited_at is not None) == (
        "incoming",
        10,
        True,
    )


def test_a_failed_add_keeps_the_input(client, supervisor):
    data = {**_data(), "code": "Bad Code", "name_en": "Typed by hand"}
    response = client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "small Latin letters" in page
    assert 'value="Bad Code"' in page
    assert "Typed by hand" in page


def test_an_unknown_rule_is_not_found(client, supervisor):
    assert client.get(reverse("web:deadline_rule_edit", args=["no-such-rule"])).status_code == 404
