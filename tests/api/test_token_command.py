"""Tests for `rogatory token`: create prints the token alone on its last line, and it works."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rogatory.accounts.models import ApiToken, Role
from rogatory.accounts.services import token_authenticate

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_prints_the_token_alone_on_its_last_line_and_it_authenticates(user_of):
    user = user_of(Role.VIEWER)

    lines = _run("create", user.username)

    token = lines[-1]
    assert token == token.strip() and " " not in token
    assert len(lines) > 1, "explanatory text comes before the token"
    assert token_authenticate(token) == user
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get(f"{API}/requests").status_code == 200


def test_create_names_the_token(user_of):
    user = user_of(Role.CLERK)

    _run("create", user.username, "--name", "nightly export")

    assert ApiToken.objects.get(user=user).name == "nightly export"


def test_create_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="no user named"):
        _run("create", "nobody")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_create_with_a_bad_token_name_fails(user_of, name):
    with pytest.raises(CommandError):
        _run("create", user_of(Role.CLERK).username, "--name", name)


def test_list_shows_the_tokens_by_prefix_without_their_secret(user_of):
    user = user_of(Role.CLERK)
    secret = _run("create", user.username, "--name", "script")[-1]

    lines = _run("list", user.username)

    (line,) = lines
    assert line.startswith(secret[:10]) and "script" in line and "active" in line
    assert secret not in line


def test_list_of_a_user_without_tokens_says_so(user_of):
    assert "no API tokens" in _run("list", user_of(Role.CLERK).username)[0]


def test_revoke_by_prefix_stops_the_token_working(user_of):
    user = user_of(Role.CLERK)
    secret = _run("create", user.username)[-1]

    _run("revoke", user.username, secret[:10])

    assert token_authenticate(secret) is None
    client = Client(headers={"authorization": f"Bearer {secret}"})
    assert_error(client.get(f"{API}/requests"), 401)
    assert "revoked" in _run("list", user.username)[0]


def test_revoke_of_a_prefix_that_matches_nothing_fails(user_of):
    user = user_of(Role.CLERK)
    _run("create", user.username)

    with pytest.raises(CommandError, match="no active token"):
        _run("revoke", user.username, "rgt_zzzzzz")


def test_revoke_of_a_prefix_that_matches_several_tokens_fails(user_of):
    user = user_of(Role.CLERK)
    first = _run("create", user.username)[-1]
    _run("create", user.username)

    with pytest.raises(CommandError, match="Several tokens"):
        _run("revoke", user.username, "rgt_")
    assert token_authenticate(first) == user


def test_help_describes_the_actions():
    from rogatory.accounts.management.commands.token import Command

    text = Command().create_parser("rogatory", "token").format_help()

    assert "Create, list or revoke the API tokens of a user." in text
    assert "create" in text and "revoke" in text
