"""Recording, changing, linking and withdrawing engagements, with their documents and audit."""

import io
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from rogatory.engagements.models import Engagement, EngagementDocument, EngagementRequest
from rogatory.engagements.services import (
    engagement_create,
    engagement_document_attach,
    engagement_document_fetch,
    engagement_link_request,
    engagement_unlink_request,
    engagement_update,
    engagement_withdraw,
)
from rogatory.reference.models import Country
from rogatory.register.documents import DocumentRefused
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .factories import make_engagement

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
def clerk(alpha):
    return UserFactory(username="alpha.clerk", role=Role.CLERK, units=[alpha])


@pytest.fixture
def other_clerk(bravo):
    return UserFactory(username="bravo.clerk", role=Role.CLERK, units=[bravo])


def _records(engagement: Engagement) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(object_type="engagement", object_id=str(engagement.pk)).order_by(
            "sequence"
        )
    )


def test_create_records_every_field_and_audits_it(clerk, alpha):
    engagement = engagement_create(
        actor=clerk,
        kind=Engagement.Kind.MEETING,
        title="  Meeting with the   Anti-Corruption Agency ",
        held_on=date(2024, 5, 14),
        countries=Country.objects.filter(code__in=["CH", "LV"]),
        our_authority="Prosecutor General's Office",
        their_authority="Anti-Corruption Agency",
        participants="Prosecutor General X; Chairman of the Anti-Corruption Agency Y",
        topics="Asset recovery",
        outcomes="Contact points named",
        follow_up="Send the list of pending requests",
    )
    engagement.refresh_from_db()
    assert engagement.title == "Meeting with the Anti-Corruption Agency"
    assert engagement.unit == alpha
    assert engagement.created_by == clerk
    assert engagement.version == 1
    assert sorted(engagement.countries.values_list("code", flat=True)) == ["CH", "LV"]
    [record] = _records(engagement)
    assert record.action == "engagement_create"
    assert record.actor == clerk
    assert record.before is None
    assert record.after["countries"] == ["CH", "LV"]
    assert record.after["participants"].startswith("Prosecutor General X")
    assert record.after["unit"] == alpha.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "dinner"}, "kind"),
        ({"countries": []}, "countries"),
        ({"held_on": None}, "held_on"),
        ({"their_authority": "x" * 301}, "their_authority"),
    ],
)
def test_create_names_the_field_that_is_wrong(clerk, changes, field):
    values = {
        "kind": Engagement.Kind.MEETING,
        "title": "Meeting",
        "held_on": date(2024, 5, 14),
        "countries": Country.objects.filter(code="CH"),
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        engagement_create(actor=clerk, **values)
    assert refused.value.extra["field"] == field
    assert Engagement.objects.count() == 0
    assert not AuditRecord.objects.filter(object_type="engagement").exists()


def test_a_viewer_and_an_anonymous_user_cannot_record(alpha):
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    for actor in (viewer, AnonymousUser()):
        with pytest.raises(PermissionDeniedError):
            make_engagement(actor=actor, unit=alpha)
    assert Engagement.objects.count() == 0


def test_a_clerk_cannot_record_for_another_unit(clerk, bravo):
    with pytest.raises(PermissionDeniedError):
        make_engagement(actor=clerk, unit=bravo)


def test_update_changes_fields_with_before_and_after(clerk):
    engagement = make_engagement(actor=clerk, outcomes="")
    updated = engagement_update(
        actor=clerk,
        engagement=engagement,
        expected_version=1,
        outcomes="Agreed to exchange contact points",
        countries=list(Country.objects.filter(code__in=["CH", "DE"])),
    )
    assert updated.version == 2
    assert sorted(updated.countries.values_list("code", flat=True)) == ["CH", "DE"]
    record = _records(engagement)[-1]
    assert record.action == "engagement_update"
    assert record.before["outcomes"] == "" and record.before["countries"] == ["CH"]
    assert record.after["outcomes"] == "Agreed to exchange contact points"
    assert record.after["countries"] == ["CH", "DE"]
    assert record.after["version"] == 2


def test_update_without_a_change_writes_nothing(clerk):
    engagement = make_engagement(actor=clerk, topics="Asset recovery")
    same = engagement_update(
        actor=clerk,
        engagement=engagement,
        topics="Asset recovery",
        countries=list(Country.objects.filter(code="CH")),
    )
    assert same.version == 1
    assert len(_records(engagement)) == 1


def test_update_refuses_a_stale_version(clerk):
    engagement = make_engagement(actor=clerk)
    engagement_update(actor=clerk, engagement=engagement, expected_version=1, topics="First")
    with pytest.raises(ConflictError) as conflict:
        engagement_update(actor=clerk, engagement=engagement, expected_version=1, topics="Second")
    assert "version 2" in conflict.value.message
    engagement.refresh_from_db()
    assert engagement.topics == "First"


def test_update_refuses_unknown_fields_and_other_units(clerk, other_clerk):
    engagement = make_engagement(actor=clerk)
    with pytest.raises(ValidationError):
        engagement_update(actor=clerk, engagement=engagement, unit=None)
    with pytest.raises(PermissionDeniedError):
        engagement_update(actor=other_clerk, engagement=engagement, topics="From bravo")
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[])
    engagement_update(actor=supervisor, engagement=engagement, topics="From a supervisor")


def test_link_and_unlink_a_request_are_audited_under_the_request(clerk, alpha):
    engagement = make_engagement(actor=clerk)
    request = make_request(unit=alpha)
    link = engagement_link_request(
        actor=clerk, engagement=engagement, request=request, note="Discussed at the meeting"
    )
    assert link.request == request
    assert list(request.engagements.all()) == [engagement]
    record = _records(engagement)[-1]
    assert record.action == "engagement_link_request"
    assert record.request_id == request.pk
    assert record.after == {
        "engagement": engagement.pk,
        "request": request.pk,
        "note": "Discussed at the meeting",
    }
    with pytest.raises(ValidationError) as twice:
        engagement_link_request(actor=clerk, engagement=engagement, request=request)
    assert request.reference in twice.value.message

    engagement_unlink_request(actor=clerk, engagement=engagement, request=request)
    assert not EngagementRequest.objects.exists()
    record = _records(engagement)[-1]
    assert record.action == "engagement_unlink_request"
    assert record.before["request"] == request.pk and record.after is None
    assert record.request_id == request.pk
    with pytest.raises(NotFoundError):
        engagement_unlink_request(actor=clerk, engagement=engagement, request=request)


def test_linking_a_request_of_another_unit_is_refused(clerk, other_clerk, bravo):
    engagement = make_engagement(actor=clerk)
    theirs = make_request(unit=bravo)
    with pytest.raises(PermissionDeniedError):
        engagement_link_request(actor=clerk, engagement=engagement, request=theirs)
    assert not EngagementRequest.objects.exists()
    # Bravo's clerk may link bravo's own request to alpha's engagement: the link is theirs.
    engagement_link_request(actor=other_clerk, engagement=engagement, request=theirs)
    # ...and alpha's clerk may not remove it.
    with pytest.raises(PermissionDeniedError):
        engagement_unlink_request(actor=clerk, engagement=engagement, request=theirs)


def test_a_viewer_cannot_link(alpha):
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    engagement = make_engagement(unit=alpha)
    with pytest.raises(PermissionDeniedError):
        engagement_link_request(
            actor=viewer, engagement=engagement, request=make_request(unit=alpha)
        )


def test_withdraw_needs_a_reason_keeps_the_row_and_stops_changes(clerk, alpha):
    engagement = make_engagement(actor=clerk)
    with pytest.raises(ValidationError) as no_reason:
        engagement_withdraw(actor=clerk, engagement=engagement, reason="  ")
    assert no_reason.value.extra["field"] == "reason"
    withdrawn = engagement_withdraw(
        actor=clerk, engagement=engagement, reason="Entered twice", expected_version=1
    )
    assert withdrawn.withdrawn and withdrawn.withdrawn_by == clerk
    assert Engagement.objects.filter(pk=engagement.pk).exists()
    record = _records(engagement)[-1]
    assert record.action == "engagement_withdraw"
    assert record.before["withdrawn"] is False
    assert record.after["withdrawn"] is True
    assert record.after["withdrawal_reason"] == "Entered twice"
    with pytest.raises(ValidationError):
        engagement_update(actor=clerk, engagement=engagement, topics="Too late")
    with pytest.raises(ValidationError):
        engagement_link_request(
            actor=clerk, engagement=engagement, request=make_request(unit=alpha)
        )


def test_document_round_trip_keeps_the_bytes_and_audits_both_ways(clerk, media):
    engagement = make_engagement(actor=clerk)
    document = engagement_document_attach(
        actor=clerk,
        engagement=engagement,
        title="Minutes of the meeting",
        original_name="../minutes.pdf",
        content=io.BytesIO(PDF),
    )
    assert document.original_name == "minutes.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert default_storage.exists(document.storage_name)
    assert document.storage_name.startswith("engagements/")
    attached = _records(engagement)[-1]
    assert attached.action == "engagement_document_attach"
    assert attached.after["document"] == document.pk
    assert attached.after["sha256"] == document.sha256

    fetched = engagement_document_fetch(actor=clerk, engagement=engagement, document_id=document.pk)
    with fetched.file:
        assert fetched.file.read() == PDF
    assert fetched.content_type == "application/pdf"
    assert fetched.filename == "minutes.pdf"
    viewed = _records(engagement)[-1]
    assert viewed.action == "engagement_view"
    assert viewed.after["document"] == document.pk
    with pytest.raises(NotFoundError):
        engagement_document_fetch(actor=clerk, engagement=engagement, document_id=document.pk + 1)


def test_a_pdf_holding_an_executable_is_refused_and_nothing_is_kept(clerk, media):
    engagement = make_engagement(actor=clerk)
    with pytest.raises(DocumentRefused) as refused:
        engagement_document_attach(
            actor=clerk,
            engagement=engagement,
            title="Agreement",
            original_name="agreement.pdf",
            content=io.BytesIO(EXECUTABLE),
        )
    assert "agreement.pdf" in refused.value.message
    assert not EngagementDocument.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
    assert _records(engagement)[-1].action == "engagement_create"


def test_only_the_recording_unit_attaches_documents(clerk, other_clerk, media):
    engagement = make_engagement(actor=clerk)
    with pytest.raises(PermissionDeniedError):
        engagement_document_attach(
            actor=other_clerk,
            engagement=engagement,
            title="",
            original_name="x.pdf",
            content=io.BytesIO(PDF),
        )
    assert not [path for path in media.rglob("*") if path.is_file()]
