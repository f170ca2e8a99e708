"""Imports put new requests in a unit and change only requests the importer may change."""

import io

import pytest
from django.core.management import CommandError, call_command

from rogatory.accounts.models import Role
from rogatory.core.exceptions import PermissionDeniedError
from rogatory.intake.services import ImportRejected, register_import
from rogatory.register.models import Request
from tests.accounts.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_import_puts_new_requests_in_the_default_unit(register_csv):
    register_import(actor=None, path=register_csv({}))
    assert Request.objects.get().unit.code == "central"


def test_import_command_puts_new_requests_in_the_named_unit(register_csv):
    UnitFactory(code="mla")
    call_command("import", str(register_csv({})), "--unit", "mla", stdout=io.StringIO())
    assert Request.objects.get().unit.code == "mla"


def test_import_command_names_an_unknown_unit_and_writes_nothing(register_csv):
    with pytest.raises(CommandError, match="There is no unit “nowhere”"):
        call_command("import", str(register_csv({})), "--unit", "nowhere")
    assert not Request.objects.exists()


def test_a_clerk_cannot_import_into_another_unit(register_csv):
    own, other = UnitFactory(code="own"), UnitFactory(code="other")
    clerk = UserFactory(role=Role.CLERK, units=[own])
    with pytest.raises(PermissionDeniedError):
        register_import(actor=clerk, path=register_csv({}), unit=other)
    assert not Request.objects.exists()


def test_a_viewer_cannot_import(register_csv):
    viewer = UserFactory(role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        register_import(actor=viewer, path=register_csv({}))


def test_rows_changing_another_units_request_are_named_and_nothing_is_written(register_csv):
    own, other = UnitFactory(code="own"), UnitFactory(code="other")
    register_import(actor=None, path=register_csv({"reference": "R-9"}), unit=other)
    clerk = UserFactory(role=Role.CLERK, units=[own])
    path = register_csv(
        {"reference": "R-1"}, {"reference": "R-9", "status": "executed", "decided_on": "2023-04-01"}
    )
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=clerk, path=path, unit=own)
    assert [str(error) for error in rejected.value.errors] == [
        "row 3, column reference: this request belongs to a unit you do not work in"
    ]
    assert list(Request.objects.values_list("reference", "status")) == [("R-9", "sent")]


def test_a_supervisor_may_update_requests_of_any_unit(register_csv):
    own, other = UnitFactory(code="own"), UnitFactory(code="other")
    register_import(actor=None, path=register_csv({"reference": "R-9"}), unit=other)
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[own])
    path = register_csv({"reference": "R-9", "status": "executed", "decided_on": "2023-04-01"})
    result = register_import(actor=supervisor, path=path, unit=own)
    assert result.updated == 1
    request = Request.objects.get()
    assert (request.status, request.unit.code) == ("executed", "other")
