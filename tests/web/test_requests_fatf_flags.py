"""Tests for the FATF flags on the request pages: the new-request and edit forms, the details."""

import re

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Request
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

NEW = reverse("web:request_new")
FLAGS = ("money_laundering", "terrorist_financing")


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _new_data(**changes) -> dict:
    return {
        "direction": "outgoing",
        "kind": "mla",
        "reference": "OM-2024-001",
        "registered_on": "2024-01-10",
        "country": "CH",
        "offence_category": "07",
        "offence_description": "Laundering through shell companies",
    } | changes


def _edit_data(request: Request, **changes) -> dict:
    data = {
        "country": request.country_id,
        "offence_category": request.offence_category_id or "",
        "offence_description": request.offence_description,
        "notes": request.notes,
        "version": request.version,
    }
    # A browser sends a checked box as "on" and leaves an unchecked one out.
    data |= {flag: "on" for flag in FLAGS if getattr(request, flag)}
    return data | changes


def _flags(reference: str) -> tuple[bool, bool]:
    return tuple(Request.objects.filter(reference=reference).values_list(*FLAGS).get())


def test_request_new_form_has_the_two_checkboxes(client, clerk_in):
    html = client.get(NEW).content.decode()
    for flag, label in zip(FLAGS, ("Money laundering", "Terrorist financing"), strict=True):
        assert re.search(rf'<input type="checkbox" name="{flag}"[^>]* id="id_{flag}"', html), flag
        assert re.search(rf'id="id_{flag}"[^>]*> {label}</label>', html), label


def test_request_new_registers_the_checked_flags(client, clerk_in):
    response = client.post(NEW, _new_data(money_laundering="on"))
    assert response.status_code == 302, response.content
    assert _flags("OM-2024-001") == (True, False)


def test_request_new_without_checked_boxes_registers_no_flag(client, clerk_in):
    assert client.post(NEW, _new_data()).status_code == 302
    assert _flags("OM-2024-001") == (False, False)


def test_request_edit_shows_flags_checked_and_keeps_them_when_saving_other_details(
    client, clerk_in, central
):
    request = make_request(unit=central, reference="OM-1")
    Request.objects.filter(pk=request.pk).update(terrorist_financing=True)
    request.refresh_from_db()
    url = reverse("web:request_edit", args=[request.pk])
    html = client.get(url).content.decode()
    assert re.search(r'id="id_terrorist_financing" checked>', html)
    assert not re.search(r'id="id_money_laundering" checked>', html)

    response = client.post(url, _edit_data(request, notes="Chased by telephone"))
    assert response.status_code == 302, response.content
    assert _flags("OM-1") == (False, True)


def test_request_edit_sets_and_clears_flags_and_audits_the_change(client, clerk_in, central):
    request = make_request(unit=central, reference="OM-1")
    Request.objects.filter(pk=request.pk).update(terrorist_financing=True)
    request.refresh_from_db()
    url = reverse("web:request_edit", args=[request.pk])
    data = _edit_data(request, money_laundering="on")
    del data["terrorist_financing"]  # unticked

    assert client.post(url, data).status_code == 302
    assert _flags("OM-1") == (True, False)
    record = AuditRecord.objects.get(action="request_update", object_id=str(request.pk))
    assert (record.before["money_laundering"], record.after["money_laundering"]) == (False, True)
    assert (record.before["terrorist_financing"], record.after["terrorist_financing"]) == (
        True,
        False,
    )


def test_request_detail_shows_the_flags(client, clerk_in, central):
    flagged = make_request(unit=central, reference="OM-1")
    Request.objects.filter(pk=flagged.pk).update(money_laundering=True)
    plain = make_request(unit=central, reference="OM-2")

    flagged_html = client.get(reverse("web:request_detail", args=[flagged.pk])).content.decode()
    plain_html = client.get(reverse("web:request_detail", args=[plain.pk])).content.decode()

    assert re.search(r"<dt>Money laundering</dt><dd>yes</dd>", flagged_html)
    assert re.search(r"<dt>Terrorist financing</dt><dd>no</dd>", flagged_html)
    assert '<span class="badge badge-info">money laundering</span>' in flagged_html
    assert re.search(r"<dt>Money laundering</dt><dd>no</dd>", plain_html)
    assert 'badge-info">money laundering' not in plain_html
