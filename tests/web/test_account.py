"""Signing in and out, lockout, two-factor sign-in, and the account page."""

import re
import time
from base64 import b32encode

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rogatory.accounts.models import ApiToken, Role
from rogatory.accounts.services import token_authenticate, token_create
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("web:login")
LOGIN_CODE = reverse("web:login_code")
LOGOUT = reverse("web:logout")
ACCOUNT = reverse("web:account")
DASHBOARD = reverse("web:dashboard")
NEW_PASSWORD = "a brand new passphrase 7"


@pytest.fixture(autouse=True)
def _no_code_throttle(settings):
    # django-otp makes a user wait after a wrong code; tests enter the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:
    return client.get(DASHBOARD).status_code == 200


def _code(device: TOTPDevice, *, step: int = 0) -> str:
    # Each code works once; a later step's code is still within the device's tolerance.
    return f"{totp(device.bin_key, drift=step):06d}"


def _confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


# --- Signing in and out ---------------------------------------------------------------------


def test_sign_in_page_shows_the_form(client):
    response = client.get(LOGIN)
    assert response.status_code == 200, response.content
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_sign_in_with_the_right_password_opens_the_dashboard(client):
    user = UserFactory(username="clara")
    response = _sign_in(client, "clara")
    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert client.session["_auth_user_id"] == str(user.pk)
    assert _signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client):
    UserFactory(username="clara")
    response = _sign_in(client, "clara", next="/account/")
    assert response.url == "/account/"


def test_sign_in_ignores_a_next_address_on_another_site(client):
    UserFactory(username="clara")
    response = _sign_in(client, "clara", next="https://evil.example/")
    assert response.url == DASHBOARD


def test_sign_in_with_a_wrong_password_says_so_and_keeps_the_name(client):
    UserFactory(username="clara")
    response = _sign_in(client, "clara", "not the password")
    assert response.status_code == 200, response.content
    assert "The user name or the password is not right." in response.content.decode()
    assert b'value="clara"' in response.content
    assert not _signed_in(client)


def test_sign_in_of_a_switched_off_user_is_refused(client):
    UserFactory(username="gone", is_active=False)
    response = _sign_in(client, "gone")
    assert response.status_code == 200
    assert not _signed_in(client)


def test_signed_in_user_visiting_sign_in_goes_to_the_dashboard(client):
    client.force_login(UserFactory())
    assert client.get(LOGIN).url == DASHBOARD


def test_five_wrong_passwords_lock_the_user_out(client):
    UserFactory(username="clara")
    for _ in range(4):
        assert _sign_in(client, "clara", "wrong").status_code == 200
    response = _sign_in(client, "clara", "wrong")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "contact an administrator" in response.content.decode()
    # Even the right password is refused while the lockout lasts.
    assert _sign_in(client, "clara").status_code == 429
    assert not _signed_in(client)


def test_lockout_of_one_user_leaves_another_user_alone(client):
    UserFactory(username="clara")
    UserFactory(username="sam")
    for _ in range(5):
        _sign_in(client, "clara", "wrong")
    assert _sign_in(client, "sam").status_code == 302


def test_sign_out_needs_a_post(client):
    client.force_login(UserFactory())
    assert client.get(LOGOUT).status_code == 405
    assert _signed_in(client)


def test_sign_out_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(LOGOUT)
    assert response.url == LOGIN
    assert not _signed_in(client)
    assert "You have signed out." in client.get(LOGIN).content.decode()


def test_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# --- Two-factor sign-in ---------------------------------------------------------------------


def test_account_page_tells_a_clerk_two_factor_is_not_for_their_role(client):
    client.force_login(UserFactory(role=Role.CLERK))
    content = client.get(ACCOUNT).content.decode()
    assert "Two-factor sign-in is available to supervisors and administrators." in content
    assert reverse("web:account_two_factor_start") not in content


def test_clerk_cannot_start_two_factor(client):
    user = UserFactory(role=Role.CLERK)
    client.force_login(user)
    client.post(reverse("web:account_two_factor_start"))
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_two_factor_enrolment_then_sign_in_asks_for_the_code(client):
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    client.force_login(user)
    content = client.get(ACCOUNT).content.decode()
    assert reverse("web:account_two_factor_start") in content

    response = client.post(reverse("web:account_two_factor_start"))
    assert response.url == reverse("web:account_two_factor")
    page = client.get(reverse("web:account_two_factor"))
    assert page.status_code == 200, page.content
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed

    wrong = client.post(reverse("web:account_two_factor"), {"token": "000000"})
    assert wrong.status_code == 200
    assert "The code is not right." in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    right = client.post(reverse("web:account_two_factor"), {"token": _code(device)})
    assert right.url == ACCOUNT
    device.refresh_from_db()
    assert device.confirmed

    client.post(LOGOUT)
    response = _sign_in(client, "sam")
    assert response.url == LOGIN_CODE
    assert not _signed_in(client)
    assert b'name="token"' in client.get(LOGIN_CODE).content

    wrong = client.post(LOGIN_CODE, {"token": "123456"})
    assert wrong.status_code == 200
    assert "The code is not right." in wrong.content.decode()
    assert not _signed_in(client)

    right = client.post(LOGIN_CODE, {"token": _code(device, step=1)})
    assert right.status_code == 302
    assert right.url == DASHBOARD
    assert _signed_in(client)
    assert client.session["otp_device_id"] == device.persistent_id


def test_two_factor_setup_page_shows_the_secret(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    client.post(reverse("web:account_two_factor_start"))
    device = TOTPDevice.objects.get(user=user)
    secret = b32encode(device.bin_key).decode()
    content = client.get(reverse("web:account_two_factor")).content.decode()
    assert secret[:4] in content and secret[-4:] in content


def test_code_step_keeps_the_address_to_return_to(client):
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    device = _confirmed_device(user)
    _sign_in(client, "sam", next="/account/")
    response = client.post(LOGIN_CODE, {"token": _code(device)})
    assert response.url == "/account/"


def test_code_step_without_a_password_first_goes_back_to_sign_in(client):
    response = client.get(LOGIN_CODE)
    assert response.url == LOGIN


def test_code_step_expires(client):
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    device = _confirmed_device(user)
    _sign_in(client, "sam")
    session = client.session
    session["rogatory_half_signed_in"]["since"] = time.time() - 3600
    session.save()
    response = client.post(LOGIN_CODE, {"token": _code(device)})
    assert response.url == LOGIN
    assert not _signed_in(client)


def test_wrong_codes_count_towards_the_lockout(client):
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    device = _confirmed_device(user)
    _sign_in(client, "sam")
    for _ in range(4):
        assert client.post(LOGIN_CODE, {"token": "000000"}).status_code == 200
    assert client.post(LOGIN_CODE, {"token": "000000"}).status_code == 429
    assert client.post(LOGIN_CODE, {"token": _code(device)}).status_code == 429
    assert _sign_in(client, "sam").status_code == 429
    assert not _signed_in(client)


def test_code_step_makes_guessers_wait_after_a_wrong_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    device = _confirmed_device(user)
    _sign_in(client, "sam")
    client.post(LOGIN_CODE, {"token": "000000"})
    response = client.post(LOGIN_CODE, {"token": _code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes in a row." in response.content.decode()
    assert not _signed_in(client)


def test_wrong_passwords_and_wrong_codes_add_up(client):
    user = UserFactory(username="sam", role=Role.SUPERVISOR)
    _confirmed_device(user)
    for _ in range(3):
        _sign_in(client, "sam", "wrong")
    _sign_in(client, "sam")
    assert client.post(LOGIN_CODE, {"token": "000000"}).status_code == 200
    assert client.post(LOGIN_CODE, {"token": "000000"}).status_code == 429


def test_two_factor_disable_needs_a_current_code(client):
    user = UserFactory(role=Role.SUPERVISOR)
    device = _confirmed_device(user)
    client.force_login(user)
    url = reverse("web:account_two_factor_disable")
    wrong = client.post(url, {"token": "000000"})
    assert wrong.status_code == 200
    assert "The code is not right." in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    right = client.post(url, {"token": _code(device)})
    assert right.url == ACCOUNT
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- Password ------------------------------------------------------------------------------


def _change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        reverse("web:account_password"),
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def test_password_change_keeps_the_user_signed_in(client):
    user = UserFactory()
    client.force_login(user)
    response = _change_password(client)
    assert response.url == ACCOUNT
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _signed_in(client)


def test_password_change_needs_the_current_password(client):
    user = UserFactory()
    client.force_login(user)
    response = _change_password(client, current="not it")
    assert "This is not your current password." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_the_same_new_password_twice(client):
    client.force_login(UserFactory())
    response = _change_password(client, again="something else entirely")
    assert "The two new passwords differ." in response.content.decode()


def test_password_change_applies_the_password_policy(client):
    user = UserFactory()
    client.force_login(user)
    response = _change_password(client, new="short")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- API tokens ----------------------------------------------------------------------------


def test_token_create_shows_the_secret_once(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("web:account_token_create"), {"name": "Statistics export"})
    assert response.status_code == 200, response.content
    content = response.content.decode()
    secret = re.search(r'value="(rgt_[^"]+)"', content).group(1)
    assert "shown only this once" in content
    assert token_authenticate(secret) == user
    again = client.get(ACCOUNT).content.decode()
    assert "Statistics export" in again
    assert secret not in again
    assert secret[:10] in again


def test_token_create_needs_a_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("web:account_token_create"), {"name": ""})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert b"errorlist" in response.content


def test_token_revoke_stops_the_token_working(client):
    user = UserFactory()
    new = token_create(actor=user, user=user, name="Old script")
    client.force_login(user)
    response = client.post(reverse("web:account_token_revoke", args=[new.token.pk]))
    assert response.url == ACCOUNT
    assert token_authenticate(new.secret) is None
    assert "Revoked" in client.get(ACCOUNT).content.decode()


def test_token_revoke_of_another_users_token_is_not_found(client):
    owner = UserFactory()
    new = token_create(actor=owner, user=owner, name="Theirs")
    client.force_login(UserFactory())
    response = client.post(reverse("web:account_token_revoke", args=[new.token.pk]))
    assert response.status_code == 404
    assert token_authenticate(new.secret) == owner


def test_account_page_shows_role_and_units(client):
    user = UserFactory(role=Role.VIEWER)
    client.force_login(user)
    content = client.get(ACCOUNT).content.decode()
    assert "viewer" in content
    assert "Central authority" in content
