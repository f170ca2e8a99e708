"""Tests for the request page: header, history, the next events, persons sought, documents."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Document, Event, Kind, Outcome, Person, Status
from rogatory.register.services import document_attach, person_add
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _detail(request) -> str:
    return reverse("web:request_detail", args=[request.pk])


def _event_url(request, event_type: str) -> str:
    return reverse("web:request_event", args=[request.pk, event_type])


def _page(client, request) -> str:
    response = client.get(_detail(request))
    assert response.status_code == 200, response.content
    return response.content.decode()


def _forms_offered(html: str) -> list[str]:
    """Return the event types whose forms the page offers, in order."""
    return re.findall(r'action="/requests/\d+/events/([a-z_]+)/"', html)


# --- The page ----------------------------------------------------------------------------------


def test_request_detail_shows_header_and_timeline(client, clerk_in):
    request = make_request(
        reference="OM-7",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 2),
        grounds=("political_offence", "fiscal_offence"),
    )
    html = _page(client, request)
    assert "<h1>OM-7" in html
    assert "Outgoing request for legal assistance" in html
    assert "Switzerland" in html
    assert "Central authority" in html
    assert "2023-03-01" in html and "2023-05-02" in html
    assert "badge-bad" in html  # refused
    assert "political_offence" in html and "fiscal_offence" in html
    assert "Refused for political reasons" in html
    # The timeline, oldest first.
    types = re.findall(r'<li class="event event-([a-z_]+)">', html)
    assert types == ["registered", "sent", "decided"]


def test_request_detail_offers_only_valid_events_for_a_draft(client, clerk_in):
    request = make_request(opened_on=None)
    assert _forms_offered(_page(client, request)) == ["sent"]


def test_request_detail_offers_only_valid_events_for_an_open_extradition(client, clerk_in):
    request = make_request(kind=Kind.EXTRADITION)
    offered = _forms_offered(_page(client, request))
    assert offered == [
        "acknowledged",
        "supplementary_requested",
        "provisional_arrest",
        "hearing",
        "decided",
        "opening_corrected",
    ]


def test_request_detail_offers_reopen_only_to_supervisors(client, central):
    request = make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 4, 1))
    client.force_login(UserFactory(role=Role.CLERK, units=[central]))
    assert "reopened" not in _forms_offered(_page(client, request))
    client.force_login(UserFactory(role=Role.SUPERVISOR, units=[central]))
    assert "reopened" in _forms_offered(_page(client, request))


def test_request_detail_shows_no_forms_to_viewers(client, central):
    request = make_request()
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    html = _page(client, request)
    assert _forms_offered(html) == []
    assert "Edit details" not in html
    assert "Upload a document" not in html


def test_request_detail_links_audit_trail_for_supervisors_only(client, central):
    request = make_request()
    audit = f'href="{reverse("web:request_audit", args=[request.pk])}"'
    client.force_login(UserFactory(role=Role.CLERK, units=[central]))
    assert audit not in _page(client, request)
    client.force_login(UserFactory(role=Role.SUPERVISOR, units=[central]))
    assert audit in _page(client, request)


def test_request_detail_unknown_request_is_404(client, clerk_in):
    assert client.get(reverse("web:request_detail", args=[999999])).status_code == 404


# --- Recording events --------------------------------------------------------------------------


def test_record_sent_changes_status(client, clerk_in):
    request = make_request(opened_on=None)
    response = client.post(
        _event_url(request, "sent"), {"sent-occurred_on": "2023-03-05", "sent-note": "By courier"}
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == _detail(request) + "#events"
    request.refresh_from_db()
    assert request.status == Status.SENT
    assert request.opened_on == date(2023, 3, 5)
    event = request.events.get(type=Event.Type.SENT)
    assert event.recorded_by == clerk_in
    assert event.note == "By courier"
    html = _page(client, request)
    assert "Recorded: Sent to the requested state." in html
    assert "By courier" in html


def test_record_sent_with_htmx_swaps_events_card(client, clerk_in):
    request = make_request(opened_on=None)
    response = client.post(
        _event_url(request, "sent"),
        {"sent-occurred_on": "2023-03-05"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="events",
    )
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="events"')
    assert (
        'id="request-summary" class="card summary" aria-label="Status" hx-swap-oob="true"' in html
    )
    assert "Recorded: Sent to the requested state." in html
    assert _forms_offered(html)[0] == "acknowledged"


def test_record_refusal_with_two_grounds(client, clerk_in):
    request = make_request()
    response = client.post(
        _event_url(request, "decided"),
        {
            "decided-outcome": "refused",
            "decided-occurred_on": "2023-06-01",
            "decided-grounds": ["dual_criminality", "fiscal_offence"],
            "decided-political": "",
        },
    )
    assert response.status_code == 302, response.content
    request.refresh_from_db()
    assert request.status == Status.REFUSED
    assert request.decided_on == date(2023, 6, 1)
    assert request.political is False
    assert sorted(request.grounds.values_list("code", flat=True)) == [
        "dual_criminality",
        "fiscal_offence",
    ]


def test_record_refusal_political_override_needs_reason(client, clerk_in):
    request = make_request()
    data = {
        "decided-outcome": "refused",
        "decided-occurred_on": "2023-06-01",
        "decided-grounds": ["dual_criminality"],
        "decided-political": "yes",
        "decided-note": "Appeal considered",
    }
    response = client.post(_event_url(request, "decided"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'id="id_decided-political_reason_error"[^>]*>\s*<li>Overriding the political', html
    )
    assert "Appeal considered" in html  # what was typed stays
    response = client.post(
        _event_url(request, "decided"), {**data, "decided-political_reason": "Minister's letter"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.political is True
    event = request.events.get(type=Event.Type.DECIDED)
    assert event.political_overridden
    assert event.reason == "Minister's letter"


def test_record_refusal_without_grounds_names_the_field(client, clerk_in):
    request = make_request()
    response = client.post(
        _event_url(request, "decided"),
        {"decided-outcome": "refused", "decided-occurred_on": "2023-06-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_decided-grounds_error"[^>]*>\s*<li>A refusal needs', html)
    assert re.search(r'<details class="event-form" open>\s*<summary>Decision', html)
    request.refresh_from_db()
    assert request.status == Status.SENT


def test_record_execution_ignores_hidden_refusal_fields(client, clerk_in):
    request = make_request()
    response = client.post(
        _event_url(request, "decided"),
        {
            "decided-outcome": "executed",
            "decided-occurred_on": "2023-06-01",
            "decided-grounds": ["dual_criminality"],
            "decided-political": "yes",
        },
    )
    assert response.status_code == 302, response.content
    request.refresh_from_db()
    assert request.status == Status.EXECUTED
    assert request.political is None


def test_failed_event_form_keeps_input_and_names_the_date(client, clerk_in):
    request = make_request(opened_on=date(2023, 3, 1))
    response = client.post(
        _event_url(request, "acknowledged"),
        {"acknowledged-occurred_on": "2023-02-01", "acknowledged-note": "Phoned them"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'id="id_acknowledged-occurred_on_error"[^>]*>\s*<li>“receipt acknowledged” cannot be dated 2023-02-01',
        html,
    )
    assert 'value="2023-02-01"' in html
    assert "Phoned them" in html
    assert 'aria-invalid="true"' in html


def test_failed_event_form_future_date(client, clerk_in):
    request = make_request()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        _event_url(request, "acknowledged"), {"acknowledged-occurred_on": tomorrow}
    )
    assert re.search(
        r'id="id_acknowledged-occurred_on_error"[^>]*>\s*<li>The date [0-9-]+ is in the future',
        response.content.decode(),
    )


def test_event_not_valid_now_is_refused_on_its_form(client, clerk_in):
    request = make_request()  # legal assistance: no hearings
    response = client.post(_event_url(request, "hearing"), {"hearing-occurred_on": "2023-04-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "“hearing” applies only to extradition requests." in html
    assert re.search(r'<details class="event-form" open>\s*<summary>Hearing', html)
    assert not request.events.filter(type=Event.Type.HEARING).exists()


def test_failed_event_form_with_htmx_returns_card_with_errors(client, clerk_in):
    request = make_request(opened_on=None)
    response = client.post(
        _event_url(request, "sent"),
        {"sent-occurred_on": "yesterday"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="events",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="events"')
    assert 'id="id_sent-occurred_on_error"' in html
    assert 'value="yesterday"' in html


def test_record_unknown_event_type_is_404(client, clerk_in):
    request = make_request()
    assert client.post(_event_url(request, "teleported"), {}).status_code == 404


def test_record_event_needs_post(client, clerk_in):
    request = make_request()
    assert client.get(_event_url(request, "sent")).status_code == 405


def test_reopen_by_supervisor(client, central):
    request = make_request(outcome=Outcome.REFUSED, decided_on=date(2023, 4, 1))
    client.force_login(UserFactory(role=Role.SUPERVISOR, units=[central]))
    response = client.post(
        _event_url(request, "reopened"),
        {"reopened-occurred_on": "2023-05-01", "reopened-reason": "Appeal allowed"},
    )
    assert response.status_code == 302, response.content
    request.refresh_from_db()
    assert request.status == Status.REOPENED
    assert request.grounds.count() == 0


def test_reopen_needs_a_reason(client, central):
    request = make_request(outcome=Outcome.REFUSED, decided_on=date(2023, 4, 1))
    client.force_login(UserFactory(role=Role.SUPERVISOR, units=[central]))
    response = client.post(_event_url(request, "reopened"), {"reopened-occurred_on": "2023-05-01"})
    assert response.status_code == 200
    assert 'id="id_reopened-reason_error"' in response.content.decode()


# --- Editing the details -----------------------------------------------------------------------


def _edit_data(request, **changes):
    data = {
        "country": request.country_id,
        "counterpart_reference": request.counterpart_reference,
        "counterpart_authority": request.counterpart_authority,
        "legal_basis": request.legal_basis_id or "",
        "domestic_case": request.domestic_case,
        "offence_category": request.offence_category_id or "",
        "offence_description": request.offence_description,
        "notes": request.notes,
        "version": request.version,
    }
    if request.kind == Kind.EXTRADITION:
        data |= {"purpose": request.purpose, "persons_count": request.persons_count}
    return data | changes


def test_request_edit_saves_details(client, clerk_in):
    request = make_request()
    url = reverse("web:request_edit", args=[request.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _edit_data(
            request, counterpart_authority="Federal Office of Justice", legal_basis="ECMA-1959"
        ),
    )
    assert response.status_code == 302, response.content
    request.refresh_from_db()
    assert request.counterpart_authority == "Federal Office of Justice"
    assert request.legal_basis_id == "ECMA-1959"


def test_request_edit_refuses_a_stale_version(client, clerk_in):
    request = make_request()
    stale = _edit_data(request, notes="Mine")
    client.post(reverse("web:request_edit", args=[request.pk]), _edit_data(request, notes="Theirs"))
    response = client.post(reverse("web:request_edit", args=[request.pk]), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this request" in html
    assert "Mine" in html
    request.refresh_from_db()
    assert request.notes == "Theirs"


def test_request_edit_fewer_persons_than_named_names_the_field(client, clerk_in):
    request = make_request(kind=Kind.EXTRADITION, persons_count=2)
    person_add(actor=None, request=request, full_name="A")
    person_add(actor=None, request=request, full_name="B")
    request.refresh_from_db()
    response = client.post(
        reverse("web:request_edit", args=[request.pk]), _edit_data(request, persons_count=1)
    )
    assert response.status_code == 200
    assert re.search(
        r'id="id_persons_count_error"[^>]*>\s*<li>The request names 2 persons',
        response.content.decode(),
    )


# --- Persons sought ----------------------------------------------------------------------------


def test_person_add(client, clerk_in):
    request = make_request(kind=Kind.EXTRADITION)
    response = client.post(
        reverse("web:person_add", args=[request.pk]),
        {
            "person-full_name": "Ivan Petrov",
            "person-born_on": "1980-02-03",
            "person-nationality": "LV",
            "person-in_custody": "on",
        },
    )
    assert response.status_code == 302, response.content
    person = Person.objects.get(request=request)
    assert person.full_name == "Ivan Petrov"
    assert person.nationality_id == "LV"
    assert person.in_custody
    html = _page(client, request)
    assert "Ivan Petrov" in html
    assert "1980-02-03" in html


def test_person_add_without_name_names_the_field(client, clerk_in):
    request = make_request(kind=Kind.EXTRADITION)
    response = client.post(
        reverse("web:person_add", args=[request.pk]),
        {"person-full_name": "", "person-note": "Alias Vanya"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="persons"')
    assert 'id="id_person-full_name_error"' in html
    assert "Alias Vanya" in html


def test_person_add_to_mla_request_is_refused_on_the_form(client, clerk_in):
    request = make_request(kind=Kind.MLA)
    response = client.post(
        reverse("web:person_add", args=[request.pk]), {"person-full_name": "Somebody"}
    )
    assert response.status_code == 200
    assert "Only extradition requests seek persons." in response.content.decode()
    assert not Person.objects.filter(request=request).exists()


def test_showing_persons_is_audited_once_per_view(client, clerk_in):
    request = make_request(kind=Kind.EXTRADITION)
    person = person_add(actor=None, request=request, full_name="Ivan Petrov")
    views = AuditRecord.objects.filter(action="request_persons_view")
    assert views.count() == 0
    _page(client, request)
    assert views.count() == 1
    record = views.get()
    assert record.actor == clerk_in
    assert record.object_id == str(request.pk)
    assert record.after["persons"] == [person.pk]


def test_page_without_persons_records_no_view(client, clerk_in):
    _page(client, make_request(kind=Kind.EXTRADITION))
    _page(client, make_request(kind=Kind.MLA))
    assert not AuditRecord.objects.filter(action="request_persons_view").exists()


# --- Documents ---------------------------------------------------------------------------------


def _upload(client, request, content: bytes, name: str = "letter.pdf", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        name, content, content_type=extra.pop("content_type", "application/pdf")
    )
    return client.post(
        reverse("web:document_upload", args=[request.pk]),
        {"document-file": upload, "document-kind": "request", "document-title": "", **extra},
    )


def test_document_upload_and_download_round_trip(client, clerk_in, media):
    request = make_request()
    content = b"%PDF-1.4 letter of request \x00\xff"
    response = _upload(client, request, content, name="Letter of request.pdf")
    assert response.status_code == 302, response.content
    document = Document.objects.get(request=request)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert "Letter of request.pdf" in _page(client, request)

    download = client.get(reverse("web:document_download", args=[request.pk, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == 'attachment; filename="Letter of request.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    viewed = AuditRecord.objects.get(action="document_view")
    assert viewed.actor == clerk_in
    assert viewed.object_id == str(document.pk)


def test_document_download_of_unsafe_type_is_octet_stream(client, clerk_in, media):
    request = make_request()
    document = document_attach(
        actor=None,
        request=request,
        kind="other",
        title="Page",
        original_name="page.pdf",
        content=__import__("io").BytesIO(b"%PDF-1.4 page"),
    )
    # Uploads are checked by content now; a page could only come from before the checks.
    Document.objects.filter(pk=document.pk).update(content_type="text/html")
    download = client.get(reverse("web:document_download", args=[request.pk, document.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")


def test_document_download_of_another_requests_document_is_404(client, clerk_in, media):
    first, second = make_request(), make_request()
    _upload(client, first, b"%PDF-1.4 x")
    document = Document.objects.get()
    url = reverse("web:document_download", args=[second.pk, document.pk])
    assert client.get(url).status_code == 404


def test_document_upload_over_the_limit_names_the_field(client, clerk_in, media, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 10
    request = make_request()
    response = _upload(client, request, b"x" * 11)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_document-file_error"' in html
    assert "can be attached" in html
    assert not Document.objects.exists()
    assert not any(media.rglob("*")) or all(p.is_dir() for p in media.rglob("*"))


def test_document_upload_without_file_names_the_field(client, clerk_in, media):
    request = make_request()
    response = client.post(
        reverse("web:document_upload", args=[request.pk]),
        {"document-kind": "reply"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="documents"')
    assert 'id="id_document-file_error"' in html


def test_failed_decision_names_the_date_and_the_grounds_at_once(client, clerk_in):
    request = make_request(opened_on=date(2023, 3, 1))
    response = client.post(
        _event_url(request, "decided"),
        {"decided-outcome": "refused", "decided-occurred_on": "2023-01-01"},
    )
    html = response.content.decode()
    assert re.search(
        r'id="id_decided-occurred_on_error"[^>]*>\s*<li>“decision” cannot be dated', html
    )
    assert re.search(r'id="id_decided-grounds_error"[^>]*>\s*<li>A refusal needs', html)
