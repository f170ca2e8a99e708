"""API tokens expire: a lifetime chosen at creation, within what the role allows, then refused."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from rogatory.accounts.models import ApiToken, Role
from rogatory.accounts.services import token_authenticate, token_create, token_days_allowed
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ValidationError
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lifetimes(settings):
    settings.ROGATORY_TOKEN_DAYS = 90
    settings.ROGATORY_TOKEN_MAX_DAYS = 365
    settings.SECURE_SSL_REDIRECT = False


def _expire(token: ApiToken, *, ago: timedelta) -> None:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - ago)


def test_a_new_token_expires_after_the_default_lifetime():
    before = timezone.now()
    new = token_create(actor=None, user=UserFactory(), name="script")
    assert before + timedelta(days=90) <= new.token.expires_at
    assert new.token.expires_at <= timezone.now() + timedelta(days=90)
    record = AuditRecord.objects.get(action="token_create")
    assert record.after["expires_at"] == new.token.expires_at.isoformat()


def test_a_token_works_until_it_expires_and_not_a_moment_after():
    new = token_create(actor=None, user=UserFactory(), name="script", days=1)
    assert token_authenticate(new.secret) == new.token.user
    _expire(new.token, ago=timedelta(seconds=1))
    assert token_authenticate(new.secret) is None


def test_a_clerk_chooses_a_lifetime_up_to_the_default():
    clerk = UserFactory(role=Role.CLERK)
    assert token_days_allowed(actor=clerk, user=clerk) == 90
    short = token_create(actor=clerk, user=clerk, name="one week", days=7)
    assert short.token.expires_at - short.token.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    with pytest.raises(ValidationError, match="at most 90 days") as refused:
        token_create(actor=clerk, user=clerk, name="a year", days=365)
    assert refused.value.extra == {"field": "days"}
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_supervisors_and_administrators_choose_up_to_the_maximum(role):
    user = UserFactory(role=role)
    token_create(actor=user, user=user, name="a year", days=365)
    with pytest.raises(ValidationError, match="at most 365 days"):
        token_create(actor=user, user=user, name="longer", days=366)


@pytest.mark.parametrize("days", [0, -1])
def test_a_token_lives_at_least_one_day(days):
    with pytest.raises(ValidationError, match="at least one day"):
        token_create(actor=None, user=UserFactory(), name="script", days=days)


def test_the_command_line_chooses_the_lifetime_and_says_until_when():
    user = UserFactory(role=Role.VIEWER)
    out = io.StringIO()
    call_command("token", "create", user.username, "--days", "200", stdout=out)
    token = ApiToken.objects.get(user=user)
    assert f"It works until {token.expires_at:%Y-%m-%d %H:%M} UTC." in out.getvalue()
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=200), abs=timedelta(seconds=5)
    )
    with pytest.raises(CommandError, match="at most 365 days"):
        call_command("token", "create", user.username, "--days", "400", stdout=io.StringIO())


def test_the_command_line_lists_an_expired_token_as_expired():
    user = UserFactory()
    new = token_create(actor=None, user=user, name="old script")
    _expire(new.token, ago=timedelta(days=1))
    out = io.StringIO()
    call_command("token", "list", user.username, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "old script" in line)
    assert line.endswith("\texpired")
    new.token.refresh_from_db()
    assert f"expires {new.token.expires_at:%Y-%m-%d}" in line


def test_the_account_page_shows_expiry_and_creates_a_token_of_the_chosen_lifetime(client):
    user = UserFactory(role=Role.CLERK)
    client.force_login(user)
    page = client.get(reverse("web:account")).content.decode()
    assert 'name="days"' in page
    assert 'max="90"' in page

    response = client.post(
        reverse("web:account_token_create"), {"name": "Weekly export", "days": "30"}
    )

    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(user=user)
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=30), abs=timedelta(seconds=5)
    )
    assert "It works until" in response.content.decode()
    assert (
        f"{token.expires_at:%Y-%m-%d %H:%M}" in client.get(reverse("web:account")).content.decode()
    )


def test_the_account_page_refuses_a_lifetime_beyond_the_role(client):
    user = UserFactory(role=Role.CLERK)
    client.force_login(user)
    response = client.post(
        reverse("web:account_token_create"), {"name": "For ever", "days": "1000"}
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "less than or equal to 90" in response.content.decode()


def test_the_account_page_marks_an_expired_token_and_offers_no_revoke(client):
    user = UserFactory()
    new = token_create(actor=None, user=user, name="old script")
    _expire(new.token, ago=timedelta(hours=1))
    client.force_login(user)
    page = client.get(reverse("web:account")).content.decode()
    assert "Expired" in page
    assert reverse("web:account_token_revoke", args=[new.token.pk]) not in page
