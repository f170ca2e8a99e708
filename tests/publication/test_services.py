"""Tests for proposing, changing, approving and withdrawing examples for the statement."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from rogatory.publication.models import Example
from rogatory.publication.services import (
    example_approve,
    example_propose,
    example_update,
    example_withdraw,
)
from rogatory.register.models import Direction, Outcome
from rogatory.register.services import person_add
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

from .conftest import BULGARIA, BULGARIA_RU, SERBIA

pytestmark = pytest.mark.django_db


def _audit(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("sequence"))


# --- Proposing ---------------------------------------------------------------------------------


def test_example_propose_records_the_proposer_the_month_and_an_audit_record(
    refused, clerk_of_central
):
    example = example_propose(
        actor=clerk_of_central,
        request=refused,
        category=Example.Category.REFUSAL,
        summary_en=f"  {BULGARIA}  ",
        summary_ru="",
    )

    assert example.summary_en == BULGARIA
    assert example.month == date(2023, 10, 1)
    assert example.proposed_by == clerk_of_central
    assert example.proposed_at is not None
    assert example.approved_at is None
    [record] = _audit("example_propose")
    assert record.actor == clerk_of_central
    assert record.request_id == refused.pk
    assert record.after["summary_en"] == BULGARIA


@pytest.mark.parametrize(
    ("field", "summary"),
    [
        ("summary_en", "Serbia extradited Ivan Petrov, accused of fraud"),
        ("summary_en", "Serbia extradited IVAN PETROV, accused of fraud"),
        ("summary_en", "Serbia extradited Mr petrov, accused of fraud"),
        ("summary_ru", "Сербия выдала лицо по имени Ivan Petrov"),
    ],
)
def test_example_propose_refuses_a_summary_naming_the_person_sought(
    granted, clerk_of_central, field, summary
):
    summaries = {"summary_en": SERBIA, "summary_ru": "", field: summary}

    with pytest.raises(ValidationError, match="names a person sought") as raised:
        example_propose(
            actor=clerk_of_central,
            request=granted,
            category=Example.Category.COOPERATION,
            **summaries,
        )

    assert raised.value.extra == {"field": field}
    assert not Example.objects.exists()


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("Serbia extradited a person born on 02.01.1980", "full date"),
        ("Serbia extradited a person born 1980-01-02", "full date"),
        ("Serbia extradited the holder of passport 4509123456", "long number"),
        ("Serbia granted our request oe-2023-4", "reference"),
    ],
)
def test_example_propose_refuses_dates_document_numbers_and_references(
    granted, clerk_of_central, summary, message
):
    with pytest.raises(ValidationError, match=message):
        example_propose(
            actor=clerk_of_central,
            request=granted,
            category=Example.Category.COOPERATION,
            summary_en=summary,
            summary_ru="",
        )


def test_example_propose_accepts_a_name_part_only_inside_a_longer_word(granted, clerk_of_central):
    # "Ivan" is a name part; "Ivanovo" (a city) is not the name.
    example = example_propose(
        actor=clerk_of_central,
        request=granted,
        category=Example.Category.COOPERATION,
        summary_en="Serbia extradited a person accused of fraud in Ivanovo",
        summary_ru="",
    )

    assert example.pk is not None


def test_example_propose_needs_a_summary_in_one_language_at_least(refused, clerk_of_central):
    with pytest.raises(ValidationError, match="in English, in Russian, or in both"):
        example_propose(
            actor=clerk_of_central,
            request=refused,
            category=Example.Category.REFUSAL,
            summary_en="   ",
            summary_ru="",
        )


def test_example_propose_refuses_a_second_example_of_the_same_request(proposed, clerk_of_central):
    with pytest.raises(ValidationError, match="already proposed"):
        example_propose(
            actor=clerk_of_central,
            request=proposed.request,
            category=Example.Category.REFUSAL,
            summary_en=BULGARIA,
            summary_ru="",
        )


@pytest.mark.parametrize(
    ("outcome", "category", "allowed"),
    [
        (Outcome.REFUSED, Example.Category.REFUSAL, True),
        (Outcome.REFUSED, Example.Category.COOPERATION, False),
        (Outcome.EXECUTED, Example.Category.COOPERATION, True),
        (Outcome.PARTIALLY_EXECUTED, Example.Category.COOPERATION, True),
        (Outcome.EXECUTED, Example.Category.REFUSAL, False),
        (Outcome.WITHDRAWN, Example.Category.COOPERATION, False),
        ("", Example.Category.REFUSAL, False),
    ],
)
def test_example_category_must_fit_the_decision(
    central, clerk_of_central, outcome, category, allowed
):
    request = make_request(unit=central, outcome=outcome, decided_on=date(2023, 5, 5))

    def propose() -> Example:
        return example_propose(
            actor=clerk_of_central,
            request=request,
            category=category,
            summary_en="Switzerland executed the request",
            summary_ru="",
        )

    if allowed:
        assert propose().category == category
    else:
        with pytest.raises(ValidationError):
            propose()


def test_example_propose_refuses_an_unknown_category(refused, clerk_of_central):
    with pytest.raises(ValidationError, match="refusal or cooperation"):
        example_propose(
            actor=clerk_of_central,
            request=refused,
            category="praise",
            summary_en=BULGARIA,
            summary_ru="",
        )


def test_example_propose_refuses_an_incoming_request(central, clerk_of_central):
    incoming = make_request(
        unit=central,
        direction=Direction.INCOMING,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 5),
    )

    with pytest.raises(ValidationError, match="Only outgoing requests"):
        example_propose(
            actor=clerk_of_central,
            request=incoming,
            category=Example.Category.REFUSAL,
            summary_en="We refused",
            summary_ru="",
        )


@pytest.mark.parametrize("who", ["viewer", "clerk_of_other_unit"])
def test_example_propose_needs_a_clerk_of_the_requests_unit(refused, north, who):
    actor = (
        UserFactory(role=Role.VIEWER, units=[refused.unit])
        if who == "viewer"
        else UserFactory(role=Role.CLERK, units=[north])
    )

    with pytest.raises(PermissionDeniedError):
        example_propose(
            actor=actor,
            request=refused,
            category=Example.Category.REFUSAL,
            summary_en=BULGARIA,
            summary_ru="",
        )
    assert not Example.objects.exists()
    assert not _audit("example_propose")


# --- Approving ---------------------------------------------------------------------------------


def test_example_approve_by_a_supervisor_records_both_people(proposed, supervisor):
    approved = example_approve(actor=supervisor, example=proposed, expected_version=1)

    approved.refresh_from_db()
    assert approved.approved_by == supervisor
    assert approved.approved_at is not None
    assert approved.proposed_by.username == "clara.clerk"
    [record] = _audit("example_approve")
    assert record.before["approved_by"] is None
    assert record.after["approved_by"] == supervisor.pk


def test_example_approve_is_refused_to_a_clerk(proposed, clerk_of_central):
    with pytest.raises(PermissionDeniedError):
        example_approve(actor=clerk_of_central, example=proposed)

    proposed.refresh_from_db()
    assert proposed.approved_at is None


def test_example_approve_refuses_a_version_the_supervisor_did_not_read(
    proposed, clerk_of_central, supervisor
):
    example_update(
        actor=clerk_of_central,
        example=proposed,
        category=Example.Category.REFUSAL,
        summary_en=f"{BULGARIA}, it said",
        summary_ru=BULGARIA_RU,
    )

    with pytest.raises(ConflictError):
        example_approve(actor=supervisor, example=proposed, expected_version=1)


def test_example_approve_checks_names_added_after_the_proposal(granted, clerk_of_central):
    example = example_propose(
        actor=clerk_of_central,
        request=granted,
        category=Example.Category.COOPERATION,
        summary_en="Serbia extradited Oleg Sidorov's accomplice",
        summary_ru="",
    )
    person_add(actor=None, request=granted, full_name="Oleg Sidorov")

    with pytest.raises(ValidationError, match="Oleg Sidorov"):
        example_approve(actor=UserFactory(role=Role.SUPERVISOR), example=example)


def test_example_approve_twice_is_refused(approved, supervisor):
    with pytest.raises(ValidationError, match="already approved"):
        example_approve(actor=supervisor, example=approved)


# --- Changing ----------------------------------------------------------------------------------


def test_example_update_of_an_approved_example_withdraws_its_approval(approved, clerk_of_central):
    changed = example_update(
        actor=clerk_of_central,
        example=approved,
        category=Example.Category.REFUSAL,
        summary_en=BULGARIA,
        summary_ru=f"{BULGARIA_RU}.",
    )

    changed.refresh_from_db()
    assert changed.approved_at is None
    assert changed.approved_by is None
    assert changed.summary_ru == f"{BULGARIA_RU}."
    assert changed.version == 3
    [record] = _audit("example_update")
    assert record.before["approved_at"] is not None
    assert record.after["approved_at"] is None
    assert record.after["approval_withdrawn"] is True


def test_example_update_without_a_change_keeps_the_approval(approved, clerk_of_central):
    example_update(
        actor=clerk_of_central,
        example=approved,
        category=approved.category,
        summary_en=approved.summary_en,
        summary_ru=approved.summary_ru,
    )

    approved.refresh_from_db()
    assert approved.approved_at is not None
    assert not _audit("example_update")


def test_example_update_checks_the_summary_like_a_proposal(granted, clerk_of_central):
    example = example_propose(
        actor=clerk_of_central,
        request=granted,
        category=Example.Category.COOPERATION,
        summary_en=SERBIA,
        summary_ru="",
    )

    with pytest.raises(ValidationError, match="names a person sought"):
        example_update(
            actor=clerk_of_central,
            example=example,
            category=Example.Category.COOPERATION,
            summary_en=f"{SERBIA}: Petrov",
            summary_ru="",
        )
    example.refresh_from_db()
    assert example.summary_en == SERBIA


# --- Withdrawing -------------------------------------------------------------------------------


def test_example_withdraw_by_the_clerk_before_approval(proposed, clerk_of_central):
    example_withdraw(actor=clerk_of_central, example=proposed)

    assert not Example.objects.exists()
    [record] = _audit("example_withdraw")
    assert record.before["summary_en"] == BULGARIA
    assert record.request_id == proposed.request_id


def test_example_withdraw_of_an_approved_example_needs_a_supervisor(
    approved, clerk_of_central, supervisor
):
    with pytest.raises(PermissionDeniedError):
        example_withdraw(actor=clerk_of_central, example=approved)

    example_withdraw(actor=supervisor, example=approved)
    assert not Example.objects.exists()
