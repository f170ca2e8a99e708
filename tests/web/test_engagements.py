"""The engagement pages: list, new, detail, edit, links, documents, withdrawal, country timeline."""

import html
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.engagements.models import Engagement, EngagementDocument, EngagementRequest
from rogatory.engagements.services import (
    engagement_document_attach,
    engagement_link_request,
    engagement_update,
)
from tests.accounts.factories import UnitFactory, UserFactory
from tests.engagements.factories import make_engagement
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def alpha():
    return UnitFactory(code="alpha", name="Alpha department")


@pytest.fixture
def bravo():
    return UnitFactory(code="bravo", name="Bravo department")


@pytest.fixture
def clerk(client, alpha):
    user = UserFactory(username="alpha.clerk", role=Role.CLERK, units=[alpha])
    client.force_login(user)
    return user


def _new_data(**changes) -> dict:
    return {
        "kind": "meeting",
        "title": "Meeting of the Prosecutor General with the Anti-Corruption Agency",
        "held_on": "2024-05-14",
        "countries": ["CH"],
        "our_authority": "Prosecutor General's Office",
        "their_authority": "Anti-Corruption Agency",
        "participants": "Prosecutor General X; Chairman of the Anti-Corruption Agency Y",
        "topics": "Asset recovery",
        "outcomes": "Contact points named",
        "follow_up": "Send the list of pending requests",
        **changes,
    }


def test_anonymous_callers_are_sent_to_sign_in(client, alpha):
    engagement = make_engagement(unit=alpha)
    for url in (
        reverse("web:engagement_list"),
        reverse("web:engagement_detail", args=[engagement.pk]),
        reverse("web:engagement_new"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_a_clerk_records_an_engagement_and_sees_it(client, clerk, alpha):
    response = client.post(reverse("web:engagement_new"), _new_data(countries=["CH", "LV"]))
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:engagement_detail", args=[engagement.pk])
    assert engagement.unit == alpha
    assert sorted(engagement.countries.values_list("code", flat=True)) == ["CH", "LV"]
    page = client.get(response["Location"]).content.decode()
    assert "Chairman of the Anti-Corruption Agency Y" in html.unescape(page)
    assert "Send the list of pending requests" in page
    listed = client.get(reverse("web:engagement_list"), {"country": "LV"}).content.decode()
    assert engagement.title in listed


def test_a_failed_form_names_the_field_and_keeps_what_was_typed(client, clerk):
    response = client.post(
        reverse("web:engagement_new"), _new_data(title="", topics="Typed topics", countries=[])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Typed topics" in page
    assert "Give the engagement a subject." in page
    assert "Choose at least one state the engagement was with." in page
    assert not Engagement.objects.exists()


def test_a_viewer_reads_but_cannot_change(client, alpha, media):
    engagement = make_engagement(unit=alpha, title="Visit of the Swiss delegation")
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    client.force_login(viewer)
    page = client.get(reverse("web:engagement_detail", args=[engagement.pk])).content.decode()
    assert "Visit of the Swiss delegation" in page
    assert reverse("web:engagement_edit", args=[engagement.pk]) not in page
    assert client.get(reverse("web:engagement_new")).status_code == 403
    assert client.get(reverse("web:engagement_edit", args=[engagement.pk])).status_code == 403
    upload = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("web:engagement_document_upload", args=[engagement.pk]),
        {"document-file": upload},
    )
    assert response.status_code == 403
    assert not EngagementDocument.objects.exists()


def test_edit_saves_and_refuses_a_stale_version(client, clerk, alpha):
    engagement = make_engagement(actor=clerk, title="Meeting")
    url = reverse("web:engagement_edit", args=[engagement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _new_data(title="Meeting in Bern", version=1))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.title == "Meeting in Bern" and engagement.version == 2
    engagement_update(actor=clerk, engagement=engagement, topics="Changed meanwhile")
    stale = client.post(url, _new_data(title="My title", version=2))
    assert stale.status_code == 200
    assert "Someone else changed this engagement" in stale.content.decode()
    assert "My title" in stale.content.decode()
    engagement.refresh_from_db()
    assert engagement.title == "Meeting in Bern"


def test_another_units_clerk_cannot_edit(client, alpha, bravo):
    engagement = make_engagement(unit=alpha)
    client.force_login(UserFactory(role=Role.CLERK, units=[bravo]))
    assert client.get(reverse("web:engagement_edit", args=[engagement.pk])).status_code == 403
    response = client.post(
        reverse("web:engagement_withdraw", args=[engagement.pk]),
        {"withdraw-reason": "Not ours", "withdraw-version": 1},
    )
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert not engagement.withdrawn


def test_linking_by_reference_and_refusing_another_units_request(client, clerk, alpha, bravo):
    engagement = make_engagement(unit=alpha)
    ours = make_request(unit=alpha, reference="ALPHA-77")
    make_request(unit=bravo, reference="BRAVO-SECRET-9")
    url = reverse("web:engagement_link", args=[engagement.pk])
    response = client.post(url, {"link-reference": "ALPHA-77", "link-note": "Raised"})
    assert response.status_code == 302
    assert EngagementRequest.objects.get().request == ours
    refused = client.post(url, {"link-reference": "BRAVO-SECRET-9"})
    assert refused.status_code == 200
    assert "You have no request with reference" in html.unescape(refused.content.decode())
    assert EngagementRequest.objects.count() == 1
    page = client.get(reverse("web:engagement_detail", args=[engagement.pk])).content.decode()
    assert "ALPHA-77" in page
    unlink = reverse("web:engagement_unlink", args=[engagement.pk, ours.pk])
    assert client.post(unlink).status_code == 302
    assert not EngagementRequest.objects.exists()


def test_requests_of_other_units_are_shown_without_data(client, alpha, bravo):
    engagement = make_engagement(unit=alpha)
    hidden = make_request(unit=alpha, reference="ALPHA-HIDDEN-1")
    engagement_link_request(actor=None, engagement=engagement, request=hidden)
    client.force_login(UserFactory(role=Role.VIEWER, units=[bravo]))
    page = client.get(reverse("web:engagement_detail", args=[engagement.pk])).content.decode()
    assert "ALPHA-HIDDEN-1" not in page
    assert "1 more linked request belongs to a unit you do not work in." in page


def test_document_upload_download_and_refusal(client, clerk, media):
    engagement = make_engagement(actor=clerk)
    upload_url = reverse("web:engagement_document_upload", args=[engagement.pk])
    refused = client.post(
        upload_url,
        {
            "document-file": SimpleUploadedFile("agreement.pdf", EXECUTABLE),
            "document-title": "Signed agreement",
        },
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "agreement.pdf" in page
    assert "Signed agreement" in page
    assert not EngagementDocument.objects.exists()

    response = client.post(
        upload_url,
        {
            "document-file": SimpleUploadedFile("minutes.pdf", PDF),
            "document-title": "Minutes",
        },
    )
    assert response.status_code == 302
    document = EngagementDocument.objects.get()
    download = client.get(
        reverse("web:engagement_document_download", args=[engagement.pk, document.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="minutes.pdf"' in download["Content-Disposition"]
    assert AuditRecord.objects.filter(action="engagement_view", actor=clerk).exists()


def test_withdrawal_from_the_page(client, clerk):
    engagement = make_engagement(actor=clerk, title="Entered twice")
    url = reverse("web:engagement_withdraw", args=[engagement.pk])
    empty = client.post(url, {"withdraw-reason": "", "withdraw-version": 1})
    assert empty.status_code == 200
    response = client.post(url, {"withdraw-reason": "Duplicate", "withdraw-version": 1})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.withdrawn and engagement.withdrawal_reason == "Duplicate"
    assert "Entered twice" not in client.get(reverse("web:engagement_list")).content.decode()
    page = client.get(reverse("web:engagement_detail", args=[engagement.pk])).content.decode()
    assert "Duplicate" in page


def test_country_profile_shows_the_timeline_newest_first(client, clerk, alpha):
    make_engagement(unit=alpha, title="Older talks", held_on=date(2022, 1, 5))
    make_engagement(unit=alpha, title="Newer talks", held_on=date(2024, 1, 5))
    make_engagement(unit=alpha, title="Latvian talks", countries=("LV",))
    page = client.get(reverse("web:country_detail", args=["CH"])).content.decode()
    assert page.index("Newer talks") < page.index("Older talks")
    assert "Latvian talks" not in page


def test_request_page_mentions_its_engagements(client, clerk, alpha):
    request = make_request(unit=alpha)
    engagement = make_engagement(unit=alpha, title="Talks about this request")
    page = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()
    assert "Talks about this request" not in page
    engagement_link_request(actor=clerk, engagement=engagement, request=request)
    page = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()
    assert "Talks about this request" in page
    assert reverse("web:engagement_detail", args=[engagement.pk]) in page


def test_the_audit_pages_show_engagements_sensibly(client, alpha):
    supervisor = UserFactory(username="sam.supervisor", role=Role.SUPERVISOR, units=[])
    client.force_login(supervisor)
    request = make_request(unit=alpha)
    engagement = make_engagement(actor=supervisor, unit=alpha, title="Audited talks")
    engagement_link_request(actor=supervisor, engagement=engagement, request=request)
    detail = reverse("web:engagement_detail", args=[engagement.pk])
    trail = client.get(reverse("web:audit"), {"object_type": "engagement"}).content.decode()
    assert "engagement_create" in trail and "engagement_link_request" in trail
    assert f'href="{detail}"' in trail
    # The link is filed in the request's own history too.
    history = client.get(reverse("web:request_audit", args=[request.pk])).content.decode()
    assert "engagement_link_request" in history
    # Supervisors see the engagement's changes on its page.
    page = client.get(detail).content.decode()
    assert "engagement_create" in page and "engagement_link_request" in page


def test_pages_render_in_russian(client, clerk, alpha, media):
    engagement = make_engagement(unit=alpha, title="Переговоры")
    client.cookies["django_language"] = "ru"
    for url in (
        reverse("web:engagement_list"),
        reverse("web:engagement_new"),
        reverse("web:engagement_detail", args=[engagement.pk]),
        reverse("web:engagement_edit", args=[engagement.pk]),
        reverse("web:country_detail", args=["CH"]),
    ):
        response = client.get(url, headers={"accept-language": "ru"})
        assert response.status_code == 200, url


def test_documents_are_served_only_to_signed_in_users(client, alpha, bravo, media):
    engagement = make_engagement(unit=alpha)
    document = engagement_document_attach(
        actor=None,
        engagement=engagement,
        title="Signed memorandum",
        original_name="memorandum.pdf",
        content=io.BytesIO(PDF),
    )
    url = reverse("web:engagement_document_download", args=[engagement.pk, document.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("web:login"))
    # Engagements are read office-wide: a viewer of another unit may read the memorandum.
    client.force_login(UserFactory(role=Role.VIEWER, units=[bravo]))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    missing = reverse("web:engagement_document_download", args=[engagement.pk, document.pk + 9])
    assert client.get(missing).status_code == 404
