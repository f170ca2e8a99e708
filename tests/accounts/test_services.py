import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from rogatory.accounts.models import ApiToken, Role, User
from rogatory.accounts.services import (
    token_authenticate,
    token_create,
    token_revoke,
    unit_create,
    user_create,
    user_set_password,
    user_update,
)
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import PermissionDeniedError, ValidationError
from tests.accounts.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_create_hashes_password_and_audits():
    user = user_create(actor=None, username="ivan.analyst", password="long enough passphrase 7")
    assert user.check_password("long enough passphrase 7")
    assert user.password != "long enough passphrase 7"
    record = AuditRecord.objects.get(action="user_create")
    assert record.after == {
        "username": "ivan.analyst",
        "email": "",
        "role": "viewer",
        "units": [],
        "is_active": True,
    }
    assert "password" not in str(record.after)


def test_user_create_rejects_weak_password():
    with pytest.raises(ValidationError, match="The password is not accepted"):
        user_create(actor=None, username="ivan.analyst", password="12345")
    assert not get_user_model().objects.filter(username="ivan.analyst").exists()


def test_user_create_rejects_existing_name():
    user_create(actor=None, username="ivan.analyst", password="long enough passphrase 7")
    with pytest.raises(ValidationError, match="already exists"):
        user_create(actor=None, username="ivan.analyst", password="another passphrase 8")


def test_createuser_command_reads_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough passphrase 7\n"))
    out = io.StringIO()
    call_command("createuser", "ivan.analyst", stdout=out)
    assert "created" in out.getvalue()
    assert (
        get_user_model()
        .objects.get(username="ivan.analyst")
        .check_password("long enough passphrase 7")
    )


def test_createuser_command_refuses_empty_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="No password"):
        call_command("createuser", "ivan.analyst")


def test_createuser_command_gives_role_and_units(monkeypatch):
    UnitFactory(code="extradition", name="Extradition department")
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough passphrase 7\n"))
    out = io.StringIO()
    call_command("createuser", "olga", "--role", "supervisor", "--unit", "extradition", stdout=out)
    user = User.objects.get(username="olga")
    assert user.role == Role.SUPERVISOR
    assert list(user.units.values_list("code", flat=True)) == ["extradition"]
    assert "supervisor" in out.getvalue()


def test_createuser_command_puts_users_in_the_default_unit_when_none_is_named(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough passphrase 7\n"))
    call_command("createuser", "olga", stdout=io.StringIO())
    assert list(User.objects.get(username="olga").units.values_list("code", flat=True)) == [
        "central"
    ]


def test_createuser_command_names_the_units_there_are_for_an_unknown_unit(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough passphrase 7\n"))
    with pytest.raises(CommandError, match=r"There is no unit “nowhere”\. Units: central"):
        call_command("createuser", "olga", "--unit", "nowhere")
    assert not User.objects.filter(username="olga").exists()


def test_createuser_command_refuses_an_unknown_role(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough passphrase 7\n"))
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        call_command("createuser", "olga", "--role", "boss")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR])
def test_only_administrators_create_users(role):
    actor = UserFactory(role=role)
    with pytest.raises(PermissionDeniedError):
        user_create(actor=actor, username="olga", password="long enough passphrase 7")
    assert not User.objects.filter(username="olga").exists()


def test_administrator_creates_a_user_in_a_unit_and_only_administrators_are_staff():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    unit = UnitFactory(code="mla")
    clerk = user_create(
        actor=admin,
        username="olga",
        password="long enough passphrase 7",
        role=Role.CLERK,
        units=[unit],
    )
    assert not clerk.is_staff
    assert admin.pk == AuditRecord.objects.get(action="user_create").actor_id
    promoted = user_update(actor=admin, user=clerk, role=Role.ADMINISTRATOR)
    assert promoted.is_staff
    record = AuditRecord.objects.get(action="user_update")
    assert (record.before["role"], record.after["role"]) == ("clerk", "administrator")


def test_user_update_refuses_an_unknown_role_and_changes_nothing():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    clerk = UserFactory(role=Role.CLERK)
    with pytest.raises(ValidationError, match="“boss” is not a role"):
        user_update(actor=admin, user=clerk, role="boss")
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK


def test_administrators_cannot_demote_or_deactivate_themselves():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="your own role"):
        user_update(actor=admin, user=admin, role=Role.VIEWER)
    with pytest.raises(ValidationError, match="deactivate yourself"):
        user_update(actor=admin, user=admin, is_active=False)


def test_user_update_without_changes_writes_no_audit_record():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    clerk = UserFactory(role=Role.CLERK)
    user_update(actor=admin, user=clerk, role=Role.CLERK)
    assert not AuditRecord.objects.filter(action="user_update").exists()


def test_users_set_their_own_password_but_not_others():
    clerk = UserFactory(role=Role.CLERK)
    other = UserFactory(role=Role.CLERK)
    user_set_password(actor=clerk, user=clerk, password="a brand new passphrase 9")
    clerk.refresh_from_db()
    assert clerk.check_password("a brand new passphrase 9")
    with pytest.raises(PermissionDeniedError):
        user_set_password(actor=clerk, user=other, password="a brand new passphrase 9")


def test_unit_create_refuses_a_duplicate_code():
    unit_create(actor=None, name="MLA department", code="mla")
    with pytest.raises(ValidationError, match="already exists"):
        unit_create(actor=None, name="Another", code="mla")


def test_unit_create_derives_the_code_from_the_name():
    assert unit_create(actor=None, name="Extradition Department").code == "extradition-department"


def test_token_secret_authenticates_its_user_and_only_its_digest_is_stored():
    clerk = UserFactory(role=Role.CLERK)
    new = token_create(actor=clerk, user=clerk, name="case system")
    assert new.secret.startswith("rgt_")
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret not in (stored.digest, stored.prefix, stored.name)
    assert token_authenticate(new.secret) == clerk
    assert ApiToken.objects.get(pk=new.token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "secret", ["", "rgt_", "rgt_wrong", "Bearer x", "rgt_" + "a" * 500, "rgt_\x00"]
)
def test_token_authenticate_refuses_unknown_tokens(secret):
    clerk = UserFactory(role=Role.CLERK)
    token_create(actor=clerk, user=clerk, name="case system")
    assert token_authenticate(secret) is None


def test_revoked_token_and_token_of_an_inactive_user_no_longer_authenticate():
    clerk = UserFactory(role=Role.CLERK)
    first = token_create(actor=clerk, user=clerk, name="first")
    second = token_create(actor=clerk, user=clerk, name="second")
    token_revoke(actor=clerk, token=first.token)
    assert token_authenticate(first.secret) is None
    assert token_authenticate(second.secret) == clerk
    clerk.is_active = False
    clerk.save()
    assert token_authenticate(second.secret) is None
    assert AuditRecord.objects.filter(action="token_revoke").count() == 1


def test_users_cannot_create_or_revoke_tokens_of_others():
    clerk = UserFactory(role=Role.CLERK)
    other = UserFactory(role=Role.CLERK)
    with pytest.raises(PermissionDeniedError):
        token_create(actor=clerk, user=other, name="sneaky")
    token = token_create(actor=other, user=other, name="theirs").token
    with pytest.raises(PermissionDeniedError):
        token_revoke(actor=clerk, token=token)


def test_token_create_needs_a_name():
    clerk = UserFactory(role=Role.CLERK)
    with pytest.raises(ValidationError, match="Give the token a name"):
        token_create(actor=clerk, user=clerk, name="  ")
