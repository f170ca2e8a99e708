"""Every way of setting a password applies the same policy: Django's validators, 12 characters."""

import io

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import CommandError, call_command
from django.urls import reverse

import rogatory.settings as production_settings
from rogatory.accounts.models import Role, User
from rogatory.accounts.services import user_create, user_set_password
from rogatory.core.exceptions import ValidationError
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "a long enough passphrase 9"
# Each breaks one validator of AUTH_PASSWORD_VALIDATORS, and only that one.
WEAK = {
    "short": ("eleven char", "too short"),
    "common": ("1qaz2wsx3edc", "too common"),
    "numeric": ("804297315640917", "entirely numeric"),
    "like the user name": ("margarita.kuznetsova", "too similar"),
}


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


@pytest.mark.parametrize("kind", list(WEAK))
def test_a_new_user_needs_a_password_the_policy_accepts(kind):
    password, reason = WEAK[kind]
    with pytest.raises(ValidationError, match=reason):
        user_create(actor=None, username="margarita.kuznetsova", password=password)
    assert not User.objects.filter(username="margarita.kuznetsova").exists()


@pytest.mark.parametrize("kind", list(WEAK))
def test_a_changed_password_must_pass_the_policy_too(kind):
    password, reason = WEAK[kind]
    user = UserFactory(username="margarita.kuznetsova")
    with pytest.raises(ValidationError, match=reason):
        user_set_password(actor=user, user=user, password=password)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("kind", list(WEAK))
def test_the_command_line_refuses_a_weak_password(kind, monkeypatch):
    password, reason = WEAK[kind]
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError, match=reason):
        call_command("createuser", "margarita.kuznetsova", stdout=io.StringIO())
    assert not User.objects.filter(username="margarita.kuznetsova").exists()


def test_an_administrator_cannot_set_a_weak_password_for_someone(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    someone = UserFactory(username="margarita.kuznetsova")
    for password, reason in WEAK.values():
        response = client.post(
            reverse("web:user_password", args=[someone.pk]), {"password": password}
        )
        assert response.status_code == 200
        assert reason in response.content.decode()
    someone.refresh_from_db()
    assert someone.check_password(PASSWORD)


def test_users_cannot_give_themselves_a_weak_password(client):
    user = UserFactory(username="margarita.kuznetsova")
    client.force_login(user)
    for password, reason in WEAK.values():
        response = client.post(
            reverse("web:account_password"),
            {
                "current_password": PASSWORD,
                "new_password": password,
                "new_password_again": password,
            },
        )
        assert response.status_code == 200
        assert reason in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_passwords_are_stored_with_argon2(settings):
    # The suite hashes with MD5 for speed (tests/conftest.py); the settings module itself names
    # Argon2 first, and a password set under it is an Argon2 hash.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = user_create(actor=None, username="ivan.analyst", password=GOOD)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(GOOD)
