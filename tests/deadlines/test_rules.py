"""Deadline rules as reference data: shipped defaults, supervisors' edits, validation, audit."""

import csv
import io
from datetime import date
from importlib import resources

import pytest
from django.core.management import call_command

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import PermissionDeniedError, ValidationError
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.deadlines.services import (
    deadline_rule_clean,
    deadline_rule_create,
    deadline_rule_update,
    deadline_rules_load,
)
from rogatory.reference.models import Treaty
from rogatory.reference.services import reference_load
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return UserFactory(username="sam.supervisor", role=Role.SUPERVISOR)


def _rule(code: str = "outgoing-follow-up-60") -> DeadlineRule:
    return DeadlineRule.objects.get(code=code)


def _values(**changes):
    values = {
        "basis": "internal",
        "direction": "incoming",
        "kind": "mla",
        "treaty": None,
        "starts": "received",
        "stops": "answer",
        "period_days": 10,
        "period_months": None,
        "warn_days": 3,
        "name_en": "Acknowledge receipt within 10 days",
        "name_ru": "Подтвердить получение в течение 10 дней",
        "source": "Internal target of the central authority.",
        "source_url": "",
    }
    return {**values, **changes}


# --- the shipped rules -------------------------------------------------------------------------


def _shipped_rows() -> list[dict[str, str]]:
    path = resources.files("rogatory.deadlines").joinpath("data", "deadline-rules.csv")
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_shipped_rule_is_valid_names_its_source_and_is_loaded():
    rows = _shipped_rows()
    assert len({row["code"] for row in rows}) == len(rows)
    for row in rows:
        rule = _rule(row["code"])
        values = {
            field: getattr(rule, field)
            for field in (
                "basis",
                "direction",
                "kind",
                "treaty",
                "starts",
                "stops",
                "period_days",
                "period_months",
                "warn_days",
                "name_en",
                "name_ru",
                "source",
                "source_url",
            )
        }
        deadline_rule_clean(values)  # raises if a shipped rule is inconsistent
        assert rule.source
        assert rule.name_ru
        if rule.basis == "treaty":
            assert "Article" in rule.source and rule.source_url.startswith("https://")
        elif rule.basis == "internal":
            assert "Internal target of the central authority" in rule.source


def test_loading_twice_changes_nothing():
    rules = list(DeadlineRule.objects.values())
    assert deadline_rules_load() == 0
    reference_load()
    assert list(DeadlineRule.objects.values()) == rules


def test_a_supervisors_edit_survives_reference_load_and_init(supervisor):
    deadline_rule_update(actor=supervisor, rule=_rule(), period_days=45, warn_days=10)
    reference_load()
    call_command("init", stdout=io.StringIO())
    rule = _rule()
    assert (rule.period_days, rule.warn_days) == (45, 10)
    assert rule.edited_at is not None


def test_an_unedited_rule_changed_in_the_database_is_restored_by_the_load():
    DeadlineRule.objects.filter(code="ece-1957-provisional-arrest-18").update(period_days=99)
    assert deadline_rules_load() == 1
    assert _rule("ece-1957-provisional-arrest-18").period_days == 18


def test_a_restored_rule_recomputes_the_open_requests():
    request = make_request(opened_on=date(2024, 1, 1))
    DeadlineRule.objects.filter(code="outgoing-follow-up-60").update(period_days=10)
    Deadline.objects.filter(request=request).update(due_on=date(2024, 1, 11))
    deadline_rules_load()
    assert Deadline.objects.get(request=request).due_on == date(2024, 3, 1)


def test_a_rule_added_here_survives_the_load(supervisor):
    deadline_rule_create(actor=supervisor, code="acknowledge-10", **_values())
    reference_load()
    assert _rule("acknowledge-10").period_days == 10


# --- permissions and audit ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_only_supervisors_and_administrators_change_rules(role):
    user = UserFactory(role=role)
    with pytest.raises(PermissionDeniedError):
        deadline_rule_update(actor=user, rule=_rule(), period_days=30)
    with pytest.raises(PermissionDeniedError):
        deadline_rule_create(actor=user, code="acknowledge-10", **_values())
    assert _rule().period_days == 60
    assert not DeadlineRule.objects.filter(code="acknowledge-10").exists()


def test_an_update_is_audited_with_before_and_after(supervisor):
    deadline_rule_update(actor=supervisor, rule=_rule(), period_days=45)
    record = AuditRecord.objects.filter(action="deadline_rule_update").latest("id")
    assert record.object_id == "outgoing-follow-up-60"
    assert record.before["period_days"] == 60
    assert record.after["period_days"] == 45


def test_an_update_that_changes_nothing_is_not_recorded(supervisor):
    count = AuditRecord.objects.count()
    rule = deadline_rule_update(actor=supervisor, rule=_rule(), period_days=60)
    assert rule.edited_at is None
    assert AuditRecord.objects.count() == count


def test_a_new_rule_is_audited_and_applies_at_once(supervisor):
    request = make_request(direction="incoming", opened_on=date(2024, 1, 1))
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    rule = deadline_rule_create(actor=administrator, code="acknowledge-10", **_values())
    assert rule.edited_at is not None
    record = AuditRecord.objects.filter(action="deadline_rule_create").latest("id")
    assert record.object_id == "acknowledge-10"
    assert record.after["period_days"] == 10
    deadline = Deadline.objects.get(request=request, rule=rule)
    assert (deadline.due_on, deadline.warn_on) == (date(2024, 1, 11), date(2024, 1, 8))


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"period_days": None}, "period_days", "either in days or in calendar months"),
        ({"period_months": 2}, "period_months", "not both"),
        ({"period_days": 0}, "period_days", "at least 1"),
        ({"warn_days": -1}, "warn_days", "at least 0"),
        ({"warn_days": None}, "warn_days", "Fill in"),
        ({"source": "  "}, "source", "Fill in “Source”"),
        ({"name_en": ""}, "name_en", "English name"),
        ({"name_ru": ""}, "name_ru", "Russian name"),
        ({"source_url": "not an address"}, "source_url", "not a web address"),
        ({"starts": "limitation"}, "period_days", "no period"),
        ({"starts": "limitation", "period_days": None}, "basis", "limitation period"),
        ({"basis": "limitation"}, "starts", "limitation date"),
        ({"basis": "treaty"}, "treaty", "choose the legal basis"),
        ({"starts": "provisional_arrest"}, "kind", "extradition"),
        ({"stops": "surrender"}, "kind", "extradition"),
        ({"starts": "sent"}, "starts", "never start"),
        ({"direction": "sideways"}, "direction", "sideways"),
        ({"starts": "yesterday"}, "starts", "yesterday"),
    ],
)
def test_a_wrong_rule_is_refused_naming_the_field(supervisor, changes, field, words):
    with pytest.raises(ValidationError) as refused:
        deadline_rule_create(actor=supervisor, code="acknowledge-10", **_values(**changes))
    assert refused.value.extra["field"] == field
    assert words in refused.value.message
    assert not DeadlineRule.objects.filter(code="acknowledge-10").exists()


@pytest.mark.parametrize("code", ["", "A", "With Spaces", "x" * 61, "outgoing-follow-up-60"])
def test_a_new_rule_needs_a_new_well_formed_code(supervisor, code):
    with pytest.raises(ValidationError) as refused:
        deadline_rule_create(actor=supervisor, code=code, **_values())
    assert refused.value.extra["field"] == "code"


def test_a_limitation_rule_has_no_period(supervisor):
    rule = deadline_rule_create(
        actor=supervisor,
        code="limitation-outgoing",
        **_values(
            basis="limitation",
            direction="outgoing",
            kind="",
            starts="limitation",
            stops="decision",
            period_days=None,
            warn_days=365,
        ),
    )
    assert (rule.period_days, rule.period_months) == (None, None)


def test_a_treaty_rule_in_months(supervisor):
    rule = deadline_rule_create(
        actor=supervisor,
        code="minsk-supplementary-1m",
        **_values(
            basis="treaty",
            direction="outgoing",
            kind="extradition",
            treaty=Treaty.objects.get(code="MINSK-1993"),
            starts="supplementary_requested",
            stops="supplementary_provided",
            period_days=None,
            period_months=1,
        ),
    )
    assert rule.period_months == 1


def test_an_update_is_checked_as_a_whole(supervisor):
    with pytest.raises(ValidationError) as refused:
        deadline_rule_update(actor=supervisor, rule=_rule(), period_months=2)
    assert refused.value.extra["field"] == "period_months"
    assert _rule().period_months is None
    with pytest.raises(ValidationError):
        deadline_rule_update(actor=supervisor, rule=_rule(), code="renamed")
