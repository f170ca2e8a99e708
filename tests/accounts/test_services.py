import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from rogatory.accounts.services import user_create
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ValidationError

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
