"""Due dates written through the real services: events, edits, the import, generation, rules."""

from datetime import date

import pytest
from django.core.management import call_command

from rogatory.deadlines.engine import RequestFacts, deadlines_compute
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.deadlines.services import (
    deadline_rule_update,
    deadlines_refresh,
    deadlines_refresh_all,
)
from rogatory.intake.services import register_import
from rogatory.reference.models import Country, Treaty
from rogatory.register import services
from rogatory.register.models import Request
from rogatory.register.synthetic import reference_prefix, register_generate
from tests.accounts.factories import UserFactory
from tests.intake.conftest import VALID_ROW, write_csv
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def due_dates(request: Request) -> dict[str, tuple]:
    return {
        d.rule_id: (d.started_on, d.due_on, d.warn_on, d.met_on)
        for d in Deadline.objects.filter(request=request)
    }


@pytest.fixture
def supervisor():
    return UserFactory(username="sam.supervisor", role="supervisor")


def test_sending_a_request_starts_the_follow_up():
    request = make_request(opened_on=date(2024, 1, 1))
    assert due_dates(request) == {
        "outgoing-follow-up-60": (date(2024, 1, 1), date(2024, 3, 1), date(2024, 2, 23), None)
    }


def test_a_draft_has_no_due_dates_until_sent():
    request = make_request(opened_on=None)
    assert due_dates(request) == {}
    services.request_record_sent(actor=None, request=request, sent_on=date(2024, 1, 1))
    assert set(due_dates(request)) == {"outgoing-follow-up-60"}


def test_an_answer_meets_the_follow_up():
    request = make_request(opened_on=date(2024, 1, 1))
    services.request_record_acknowledged(
        actor=None, request=request, acknowledged_on=date(2024, 1, 20)
    )
    assert due_dates(request)["outgoing-follow-up-60"][3] == date(2024, 1, 20)


def test_an_extradition_under_ece_gets_its_arrest_and_surrender_clocks():
    ece = Treaty.objects.get(code="ECE-1957")
    # An urgent case: the person is arrested on our request before the extradition request is sent.
    request = make_request(kind="extradition", opened_on=None)
    services.request_update(actor=None, request=request, legal_basis=ece)
    services.request_record_provisional_arrest(
        actor=None, request=request, arrested_on=date(2024, 2, 10)
    )
    dates = due_dates(request)
    assert dates["ece-1957-provisional-arrest-18"] == (
        date(2024, 2, 10),
        date(2024, 2, 28),
        date(2024, 2, 23),
        None,
    )
    assert dates["ece-1957-provisional-arrest-40"][1] == date(2024, 3, 21)
    assert "minsk-1993-custody-40" not in dates
    services.request_record_sent(actor=None, request=request, sent_on=date(2024, 2, 20))
    dates = due_dates(request)
    assert dates["ece-1957-provisional-arrest-18"][3] == date(2024, 2, 20)
    assert dates["ece-1957-provisional-arrest-40"][3] == date(2024, 2, 20)
    services.request_record_decision(
        actor=None, request=request, outcome="granted", decided_on=date(2024, 3, 1)
    )
    dates = due_dates(request)
    assert dates["ece-1957-surrender-15"] == (
        date(2024, 3, 1),
        date(2024, 3, 16),
        date(2024, 3, 11),
        None,
    )
    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2024, 3, 10))
    dates = due_dates(request)
    assert dates["ece-1957-surrender-15"][3] == date(2024, 3, 10)
    assert dates["ece-1957-surrender-30"][3] == date(2024, 3, 10)
    assert all(met is not None for *_dates, met in dates.values())


def test_changing_the_legal_basis_or_the_limitation_date_rewrites_the_due_dates():
    request = make_request(kind="extradition", direction="incoming", opened_on=date(2024, 2, 1))
    services.request_record_provisional_arrest(
        actor=None, request=request, arrested_on=date(2024, 2, 10)
    )
    assert "minsk-1993-custody-40" not in due_dates(request)
    services.request_update(
        actor=None,
        request=request,
        legal_basis=Treaty.objects.get(code="MINSK-1993"),
        limitation_on=date(2026, 5, 1),
    )
    dates = due_dates(request)
    assert dates["minsk-1993-custody-40"][1] == date(2024, 3, 21)
    assert dates["limitation-date"][1:3] == (date(2026, 5, 1), date(2025, 11, 2))
    services.request_update(actor=None, request=request, legal_basis=None, limitation_on=None)
    assert set(due_dates(request)) == {"incoming-extradition-decision-180"}


def test_re_opening_starts_the_clocks_afresh():
    request = make_request(
        direction="incoming",
        opened_on=date(2024, 1, 1),
        outcome="refused",
        decided_on=date(2024, 2, 1),
    )
    assert due_dates(request)["incoming-mla-execution-90"][3] == date(2024, 2, 1)
    services.request_reopen(
        actor=None, request=request, reopened_on=date(2024, 3, 1), reason="Appeal allowed"
    )
    assert due_dates(request)["incoming-mla-execution-90"] == (
        date(2024, 3, 1),
        date(2024, 5, 30),
        date(2024, 5, 16),
        None,
    )


def test_refresh_of_many_requests_agrees_with_the_engine_and_is_idempotent(
    django_assert_max_num_queries,
):
    requests = [make_request(opened_on=date(2024, 1, day)) for day in range(1, 11)]
    Deadline.objects.filter(request__in=requests).delete()
    with django_assert_max_num_queries(6):
        deadlines_refresh(requests=requests)
    assert Deadline.objects.filter(request__in=requests).count() == 10
    before = list(Deadline.objects.filter(request__in=requests).values_list())
    # Nothing changed: only reads.
    with django_assert_max_num_queries(4):
        deadlines_refresh(requests=requests)
    assert list(Deadline.objects.filter(request__in=requests).values_list()) == before


def test_refresh_all_repairs_drifted_rows(capsys):
    request = make_request(opened_on=date(2024, 1, 1))
    Deadline.objects.filter(request=request).update(due_on=date(2030, 1, 1))
    Deadline.objects.create(
        request=request,
        rule_id="limitation-date",
        started_on=date(2024, 1, 1),
        due_on=date(2024, 1, 1),
        warn_on=date(2024, 1, 1),
    )
    assert deadlines_refresh_all(batch_size=3) >= 1
    assert set(due_dates(request)) == {"outgoing-follow-up-60"}
    assert due_dates(request)["outgoing-follow-up-60"][1] == date(2024, 3, 1)
    call_command("deadlines", "--refresh")
    assert "Due dates recomputed for" in capsys.readouterr().out


def test_the_import_writes_due_dates_for_new_and_updated_requests(tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [
            {**VALID_ROW, "reference": "IMP-1", "sent_on": "2024-01-01"},
            {
                **VALID_ROW,
                "reference": "IMP-2",
                "direction": "incoming",
                "sent_on": "",
                "received_on": "2024-01-31",
                "legal_basis": "ECMA-1959",
            },
        ],
    )
    register_import(actor=None, path=path)
    first = Request.objects.get(reference="IMP-1")
    second = Request.objects.get(reference="IMP-2", direction="incoming")
    assert due_dates(first) == {
        "outgoing-follow-up-60": (date(2024, 1, 1), date(2024, 3, 1), date(2024, 2, 23), None)
    }
    assert due_dates(second)["incoming-mla-execution-90"][1] == date(2024, 4, 30)
    # Importing the decision later meets the clock of the existing request.
    path = write_csv(
        tmp_path / "register.csv",
        [
            {
                **VALID_ROW,
                "reference": "IMP-1",
                "sent_on": "2024-01-01",
                "status": "executed",
                "decided_on": "2024-02-15",
            }
        ],
    )
    register_import(actor=None, path=path)
    assert due_dates(first)["outgoing-follow-up-60"][3] == date(2024, 2, 15)


def test_the_import_dry_run_writes_no_due_dates(tmp_path):
    path = write_csv(tmp_path / "register.csv", [{**VALID_ROW, "reference": "DRY-1"}])
    count = Deadline.objects.count()
    register_import(actor=None, path=path, dry_run=True)
    assert Deadline.objects.count() == count


def test_generated_requests_get_the_due_dates_the_engine_gives():
    result = register_generate(actor=None, requests=40, seed=4242, last_day=date(2024, 6, 30))
    assert result is not None
    generated = list(Request.objects.filter(reference__startswith=reference_prefix(4242)))
    assert len(generated) == 40
    written = {d.rule_id for d in Deadline.objects.filter(request__in=generated)}
    before = sorted(Deadline.objects.values_list("request_id", "rule_id", "due_on", "met_on"))
    deadlines_refresh(requests=generated)
    after = sorted(Deadline.objects.values_list("request_id", "rule_id", "due_on", "met_on"))
    assert before == after
    assert written


def test_a_rule_edit_recomputes_the_open_requests(supervisor):
    open_request = make_request(opened_on=date(2024, 1, 1))
    rule = DeadlineRule.objects.get(code="outgoing-follow-up-60")
    deadline_rule_update(actor=supervisor, rule=rule, period_days=30, warn_days=3)
    assert due_dates(open_request)["outgoing-follow-up-60"] == (
        date(2024, 1, 1),
        date(2024, 1, 31),
        date(2024, 1, 28),
        None,
    )
    deadline_rule_update(actor=supervisor, rule=rule, active=False)
    assert due_dates(open_request) == {}


def test_a_rule_moved_to_another_direction_leaves_the_old_requests(supervisor):
    outgoing = make_request(opened_on=date(2024, 1, 1))
    incoming = make_request(direction="incoming", opened_on=date(2024, 1, 1))
    rule = DeadlineRule.objects.get(code="outgoing-follow-up-60")
    deadline_rule_update(actor=supervisor, rule=rule, direction="incoming", starts="opened")
    assert "outgoing-follow-up-60" not in due_dates(outgoing)
    assert "outgoing-follow-up-60" in due_dates(incoming)


def test_engine_and_rows_agree_for_a_request_with_a_long_history():
    request = make_request(kind="extradition", direction="incoming", opened_on=date(2024, 1, 2))
    services.request_update(
        actor=None, request=request, legal_basis=Treaty.objects.get(code="ECE-1957")
    )
    services.request_record_provisional_arrest(
        actor=None, request=request, arrested_on=date(2024, 1, 5)
    )
    services.request_record_supplementary_requested(
        actor=None, request=request, requested_on=date(2024, 1, 10)
    )
    services.request_record_supplementary_provided(
        actor=None, request=request, provided_on=date(2024, 1, 20)
    )
    rules = list(DeadlineRule.objects.filter(active=True))
    events = [
        type("E", (), {"type": t, "occurred_on": o, "outcome": oc})
        for t, o, oc in request.events.order_by("recorded_at", "id").values_list(
            "type", "occurred_on", "outcome"
        )
    ]
    request.refresh_from_db()
    expected = {
        due.rule: (due.started_on, due.due_on, due.warn_on, due.met_on)
        for due in deadlines_compute(
            RequestFacts(
                direction=request.direction,
                kind=request.kind,
                legal_basis=request.legal_basis_id,
                limitation_on=request.limitation_on,
                events=events,
            ),
            rules,
        )
    }
    assert due_dates(request) == expected
    # The request was received before the arrest, so the arrest clocks are met at once.
    assert expected["ece-1957-provisional-arrest-18"][3] == date(2024, 1, 5)


def test_a_draft_registered_with_a_limitation_date_is_watched_at_once():
    request = services.request_register(
        actor=None,
        direction="outgoing",
        kind="mla",
        reference="LIM-1",
        country=Country.objects.get(code="CH"),
        registered_on=date(2024, 1, 10),
        limitation_on=date(2024, 9, 30),
    )
    assert due_dates(request) == {
        "limitation-date": (date(2024, 1, 10), date(2024, 9, 30), date(2024, 4, 3), None)
    }
