"""Saving the letter, checking it is complete, and who may do what with it."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from rogatory.drafting.models import Draft
from rogatory.drafting.selectors import draft_check, draft_of
from rogatory.drafting.services import draft_attach, draft_render, draft_save
from rogatory.register.models import Direction, Document, Kind
from rogatory.register.services import person_add
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .helpers import MLA_LETTER, complete_extradition, complete_mla, outgoing_request

pytestmark = pytest.mark.django_db

TODAY = date(2024, 1, 15)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _labels(request) -> list[str]:
    return [
        element.label for element in draft_check(request=request, draft=draft_of(request=request))
    ]


def test_a_letter_not_started_lacks_every_element():
    request = outgoing_request(legal_basis=None)
    assert _labels(request) == [
        "Requesting authority",
        "Requesting authority: address",
        "Contact: responsible officer",
        "Contact: telephone or email",
        "Legal basis",
        "Nature of the investigation or proceedings",
        "Summary of facts",
        "Offences: text of the legal provisions",
        "Assistance sought",
        "Assistance sought: why it is needed",
        "Persons concerned",
        "Procedures to follow",
        "Confidentiality",
        "Time limits and urgency",
    ]


def test_a_complete_letter_lacks_nothing():
    assert _labels(complete_mla()) == []
    assert _labels(complete_extradition()) == []


def test_each_missing_element_is_named_and_says_where_to_fill_it():
    request = complete_mla(facts="  ", contact_phone="", contact_email="")
    missing = draft_check(request=request, draft=draft_of(request=request))
    assert [(element.label, element.place, element.field) for element in missing] == [
        ("Contact: telephone or email", "draft", "contact_phone"),
        ("Summary of facts", "draft", "facts"),
    ]


def test_the_request_s_own_fields_are_checked_on_the_request():
    request = outgoing_request(legal_basis=None)
    request.domestic_case = ""
    request.offence_description = ""
    request.save()
    draft_save(actor=None, request=request, **MLA_LETTER)
    missing = draft_check(request=request, draft=draft_of(request=request))
    assert [(element.label, element.place, element.field) for element in missing] == [
        ("Legal basis", "request", "legal_basis"),
        ("Domestic criminal case", "request", "domestic_case"),
        ("Offence", "request", "offence_description"),
    ]


def test_an_extradition_names_what_identifies_each_person_sought():
    request = outgoing_request(
        kind=Kind.EXTRADITION, country="DE", legal_basis="ECE-1957", persons_count=3
    )
    person_add(actor=None, request=request, full_name="Ivan Petrov")
    person_add(actor=None, request=request, full_name="Olga Sidorova", born_on=date(1990, 1, 2))
    labels = _labels(request)
    assert "Persons sought: 1 of 3 not yet named" in labels
    assert "Persons concerned: identification of Ivan Petrov" in labels
    assert "Persons concerned: date of birth of Ivan Petrov" in labels
    assert "Persons concerned: nationality of Ivan Petrov" in labels
    assert "Persons concerned: identification of Olga Sidorova" in labels
    assert "Persons concerned: date of birth of Olga Sidorova" not in labels
    # An extradition letter asks for no "assistance sought" or "persons concerned" text.
    assert "Assistance sought" not in labels
    assert "Persons concerned" not in labels


def test_saving_creates_the_letter_then_versions_and_audits_each_change():
    clerk = UserFactory(role=Role.CLERK)
    request = outgoing_request()
    draft = draft_save(actor=clerk, request=request, expected_version=0, facts="First facts.")
    assert (draft.version, draft.facts, draft.updated_by) == (1, "First facts.", clerk)
    draft = draft_save(actor=clerk, request=request, expected_version=1, facts=" Better facts. ")
    assert (draft.version, draft.facts) == (2, "Better facts.")
    records = AuditRecord.objects.filter(action="draft_save", object_id=str(draft.pk)).order_by(
        "id"
    )
    assert [record.after["version"] for record in records] == [1, 2]
    assert records[0].before is None
    assert records[1].before["facts"] == "First facts."
    assert records[1].after["facts"] == "Better facts."


def test_saving_nothing_new_changes_nothing():
    request = outgoing_request()
    draft_save(actor=None, request=request, facts="Facts.")
    draft = draft_save(actor=None, request=request, facts="Facts.")
    assert draft.version == 1
    assert AuditRecord.objects.filter(action="draft_save").count() == 1


def test_a_save_on_an_old_version_is_refused():
    request = outgoing_request()
    draft_save(actor=None, request=request, expected_version=0, facts="One.")
    with pytest.raises(ConflictError, match="version 1, you had 0"):
        draft_save(actor=None, request=request, expected_version=0, facts="Two.")
    assert draft_of(request=request).facts == "One."


def test_a_wrong_field_is_named():
    request = outgoing_request()
    with pytest.raises(ValidationError) as error:
        draft_save(actor=None, request=request, contact_email="not an address")
    assert error.value.extra["field"] == "contact_email"
    with pytest.raises(ValidationError) as error:
        draft_save(actor=None, request=request, contact_phone="1" * 61)
    assert error.value.extra["field"] == "contact_phone"
    with pytest.raises(ValidationError) as error:
        draft_save(actor=None, request=request, language="de")
    assert error.value.extra["field"] == "language"
    with pytest.raises(ValidationError, match="not part of the letter: status"):
        draft_save(actor=None, request=request, status="sent")
    assert not Draft.objects.exists()


def test_an_incoming_request_has_no_letter():
    request = make_request(direction=Direction.INCOMING)
    with pytest.raises(ValidationError, match="Only outgoing requests"):
        draft_save(actor=None, request=request, facts="x")
    with pytest.raises(ValidationError, match="Only outgoing requests"):
        draft_render(actor=None, request=request, format="pdf", language="en")


def test_the_letter_can_be_saved_after_the_request_is_sent():
    request = make_request()  # sent on 2023-03-01
    draft = draft_save(actor=None, request=request, facts="Corrected facts.")
    assert draft.version == 1


def test_another_unit_s_clerk_and_a_viewer_cannot_change_the_letter():
    alpha, bravo = UnitFactory(code="alpha"), UnitFactory(code="bravo")
    request = complete_mla(unit=alpha)
    stranger = UserFactory(role=Role.CLERK, units=[bravo])
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    for actor in (stranger, viewer):
        with pytest.raises(PermissionDeniedError):
            draft_save(actor=actor, request=request, facts="Changed.")
        with pytest.raises(PermissionDeniedError):
            draft_attach(actor=actor, request=request, format="pdf", language="en", today=TODAY)
    with pytest.raises(PermissionDeniedError):
        draft_render(actor=stranger, request=request, format="docx", language="en", today=TODAY)
    assert draft_of(request=request).facts == MLA_LETTER["facts"]
    # A viewer of the unit may read the letter.
    letter = draft_render(actor=viewer, request=request, format="docx", language="en", today=TODAY)
    assert letter.content.startswith(b"PK")


def test_nothing_is_generated_while_an_element_is_missing():
    request = complete_mla(facts="", confidentiality="")
    for format in ("docx", "pdf"):
        with pytest.raises(ValidationError) as error:
            draft_render(actor=None, request=request, format=format, language="en", today=TODAY)
        assert "Summary of facts" in error.value.message
        assert "Confidentiality" in error.value.message
        assert error.value.extra["missing"] == ["Summary of facts", "Confidentiality"]
    assert not AuditRecord.objects.filter(action="draft_letter_view").exists()


def test_a_letter_not_started_cannot_be_generated():
    request = outgoing_request()
    with pytest.raises(ValidationError, match="Requesting authority"):
        draft_render(actor=None, request=request, format="docx", language="en", today=TODAY)


def test_generating_is_recorded_as_a_view():
    clerk = UserFactory(role=Role.CLERK)
    request = complete_mla(actor=clerk)
    letter = draft_render(actor=clerk, request=request, format="pdf", language="ru", today=TODAY)
    assert letter.content_type == "application/pdf"
    assert letter.filename == f"{request.reference}-letter-v1-ru.pdf"
    record = AuditRecord.objects.get(action="draft_letter_view")
    assert record.after == {"request": request.pk, "version": 1, "format": "pdf", "language": "ru"}


def test_unknown_format_or_language_is_refused():
    request = complete_mla()
    with pytest.raises(ValidationError, match="DOCX or PDF"):
        draft_render(actor=None, request=request, format="odt", language="en")
    with pytest.raises(ValidationError, match="English or Russian"):
        draft_render(actor=None, request=request, format="pdf", language="de")


def test_attaching_keeps_the_letter_as_a_request_document():
    clerk = UserFactory(role=Role.CLERK)
    request = complete_mla(actor=clerk)
    document = draft_attach(actor=clerk, request=request, format="docx", language="en", today=TODAY)
    assert document.kind == Document.Kind.REQUEST
    assert document.request == request
    assert document.title == "Request letter, version 1 (EN, DOCX)"
    assert document.original_name == f"{request.reference}-letter-v1-en.docx"
    assert document.content_type.endswith("wordprocessingml.document")
    assert AuditRecord.objects.filter(action="document_attach", object_id=str(document.pk)).exists()


def test_an_incomplete_letter_is_not_attached():
    request = complete_mla(urgency="")
    with pytest.raises(ValidationError, match="Time limits and urgency"):
        draft_attach(actor=None, request=request, format="pdf", language="en", today=TODAY)
    assert not Document.objects.filter(request=request).exists()
