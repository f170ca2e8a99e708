"""Tests for signing in to the API: bearer tokens, the browser's session, and CSRF."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rogatory.accounts.models import ApiToken, Role
from rogatory.accounts.services import token_create, token_revoke, user_update
from rogatory.audit.models import AuditRecord

from .conftest import API, VALID_REQUEST, assert_error

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32


def _bearer(secret: str) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}"})


def test_a_token_authenticates_its_user(user_of, own_request):
    user = user_of(Role.VIEWER)
    secret = token_create(actor=None, user=user, name="script").secret

    response = _bearer(secret).get(f"{API}/requests")

    assert response.status_code == 200, response.content
    assert [item["reference"] for item in response.json()["items"]] == ["OWN-1"]


def test_a_token_records_when_it_was_used(user_of, db):
    new = token_create(actor=None, user=user_of(Role.VIEWER), name="script")

    _bearer(new.secret).get(f"{API}/countries")

    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


def test_a_token_acts_as_its_user_in_the_audit_trail(user_of, db):
    clerk = user_of(Role.CLERK)
    secret = token_create(actor=None, user=clerk, name="script").secret

    response = _bearer(secret).post(
        f"{API}/requests", VALID_REQUEST, content_type="application/json", REMOTE_ADDR="192.0.2.7"
    )

    assert response.status_code == 201, response.content
    record = AuditRecord.objects.get(action="request_register")
    assert (record.actor, record.client_address) == (clerk, "192.0.2.7")


def test_a_revoked_token_is_refused(user_of, db):
    new = token_create(actor=None, user=user_of(Role.SUPERVISOR), name="script")
    token_revoke(actor=None, token=new.token)

    response = _bearer(new.secret).get(f"{API}/requests")

    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_is_refused_like_a_revoked_one(user_of, db):
    expired = token_create(actor=None, user=user_of(Role.SUPERVISOR), name="expired", days=1)
    revoked = token_create(actor=None, user=user_of(Role.SUPERVISOR), name="revoked")
    token_revoke(actor=None, token=revoked.token)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    refused = _bearer(expired.secret).get(f"{API}/requests")

    assert_error(refused, 401)
    assert refused["WWW-Authenticate"] == "Bearer"
    # Nothing tells an expired token from a revoked or unknown one.
    assert refused.json() == _bearer(revoked.secret).get(f"{API}/requests").json()


def test_a_token_works_until_it_expires(user_of, own_request):
    new = token_create(actor=None, user=user_of(Role.VIEWER), name="script", days=1)
    ApiToken.objects.filter(pk=new.token.pk).update(
        expires_at=timezone.now() + timedelta(seconds=30)
    )

    assert _bearer(new.secret).get(f"{API}/requests").status_code == 200


def test_the_token_of_a_deactivated_user_is_refused(user_of, db):
    user = user_of(Role.CLERK)
    secret = token_create(actor=None, user=user, name="script").secret
    user_update(actor=None, user=user, is_active=False)

    assert_error(_bearer(secret).get(f"{API}/requests"), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rgt_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Token rgt_something",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "bearer rgt_" + "é" * 10,
    ],
)
def test_no_or_a_wrong_authorization_header_is_refused(db, header):
    assert_error(Client(headers={"authorization": header}).get(f"{API}/requests"), 401)


def test_no_credentials_at_all_is_refused(client, db):
    body = assert_error(client.get(f"{API}/requests"), 401)

    assert "Bearer" in body["detail"]


def test_an_unauthenticated_write_is_refused_with_401_not_a_csrf_error(db):
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/requests", VALID_REQUEST, content_type="application/json"
    )

    assert_error(response, 401)


def test_a_session_authenticates_a_signed_in_user(user_of, own_request):
    client = Client()
    client.force_login(user_of(Role.VIEWER))

    response = client.get(f"{API}/requests/{own_request.pk}")

    assert response.status_code == 200, response.content


def test_a_session_write_needs_the_csrf_token(user_of, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_of(Role.CLERK))

    refused = client.post(f"{API}/requests", VALID_REQUEST, content_type="application/json")
    client.cookies["csrftoken"] = CSRF_SECRET
    accepted = client.post(
        f"{API}/requests",
        VALID_REQUEST,
        content_type="application/json",
        headers={"x-csrftoken": CSRF_SECRET},
    )

    body = assert_error(refused, 403)
    assert "CSRF" in body["detail"]
    assert accepted.status_code == 201, accepted.content


def test_a_session_read_needs_no_csrf_token(user_of, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_of(Role.VIEWER))

    assert client.get(f"{API}/requests").status_code == 200


def test_a_token_write_needs_no_csrf_token(user_of, db):
    secret = token_create(actor=None, user=user_of(Role.CLERK), name="script").secret
    client = Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {secret}"})

    response = client.post(f"{API}/requests", VALID_REQUEST, content_type="application/json")

    assert response.status_code == 201, response.content


def test_a_session_without_the_second_factor_it_needs_is_refused(user_of, db):
    user = user_of(Role.SUPERVISOR)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)

    assert_error(client.get(f"{API}/requests"), 401)


def test_a_session_verified_with_the_second_factor_is_accepted(user_of, db):
    user = user_of(Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    assert client.get(f"{API}/requests").status_code == 200


def test_a_token_works_for_a_user_with_a_second_factor(user_of, db):
    # A token is a credential of its own, created by a user who signed in fully.
    user = user_of(Role.SUPERVISOR)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    secret = token_create(actor=None, user=user, name="script").secret

    assert _bearer(secret).get(f"{API}/requests").status_code == 200


def test_a_session_of_a_deactivated_user_is_refused(user_of, db):
    user = user_of(Role.CLERK)
    client = Client()
    client.force_login(user)
    user_update(actor=None, user=user, is_active=False)

    assert_error(client.get(f"{API}/requests"), 401)
