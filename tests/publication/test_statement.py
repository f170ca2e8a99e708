"""Tests for the yearly statement: its figures, offences, examples, wording and plurals."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import ValidationError
from rogatory.intake.services import register_import
from rogatory.publication.models import Example
from rogatory.publication.selectors import OffenceCount, StatementExample
from rogatory.publication.services import example_approve, example_propose
from rogatory.publication.statement import (
    Statement,
    statement_build,
    statement_paragraphs,
    statement_render_html,
    statement_render_text,
)
from rogatory.register.models import Direction, Outcome
from rogatory.register.services import request_reopen, request_update
from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from tests.register.factories import make_request

from .conftest import BULGARIA, BULGARIA_RU, SERBIA

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(shared_dir):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")


def _statement(
    *,
    mla: MlaFigures | None = None,
    extradition: ExtraditionFigures | None = None,
    offences: tuple[OffenceCount, ...] = (),
    refusal_examples: tuple[StatementExample, ...] = (),
    cooperation_examples: tuple[StatementExample, ...] = (),
) -> Statement:
    """Return a statement of 2023 made of the given figures, without the database."""
    report = Report(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 12, 31),
        direction=Direction.OUTGOING,
        mla=mla or MlaFigures(),
        extradition=extradition or ExtraditionFigures(),
    )
    return Statement(
        year=2023,
        report=report,
        country_names_en={"CH": "Switzerland", "LV": "Latvia"},
        country_names_ru={"CH": "Швейцария", "LV": "Латвия"},
        offences=offences,
        refusal_examples=refusal_examples,
        cooperation_examples=cooperation_examples,
    )


# --- The seed register: the published figures ---------------------------------------------------


def test_statement_of_the_seed_register_in_english(seed):
    text = statement_render_text(statement_build(year=2023), language="en")

    assert (
        "In 2023 foreign states refused 66 requests for legal assistance, 34 of them for "
        "political reasons: Switzerland – 26, Latvia – 4, United States – 2, Bulgaria and "
        "Liechtenstein – 1 each." in text
    )
    assert "refused 114 extradition requests, 38 of them for political reasons: Lithuania – 7" in (
        text
    )
    assert (
        "In 2023 the competent authorities of foreign states decided to extradite 151 persons "
        "and fulfilled 376 requests for legal assistance." in text
    )
    assert "positive examples of cooperation" in text


def test_statement_of_the_seed_register_in_russian(seed):
    text = statement_render_text(statement_build(year=2023), language="ru")

    assert (
        "В 2023 году иностранные государства отказали в исполнении 66 запросов о правовой "
        "помощи, из них 34 — по политическим мотивам: Швейцария — 26, Латвия — 4, США — 2, "
        "Болгария и Лихтенштейн — по 1." in text
    )
    assert (
        "В 2023 году иностранные государства отказали в удовлетворении 114 запросов о выдаче, "
        "из них 38 — по политическим мотивам: Литва — 7" in text
    )
    assert (
        "компетентные органы иностранных государств приняли решения о выдаче 151 лица и "
        "исполнили 376 запросов о правовой помощи." in text
    )
    assert "Вместе с тем есть и положительные примеры сотрудничества." in text


def test_statement_offences_of_the_seed_register_add_up_most_frequent_first(seed):
    built = statement_build(year=2023)

    counts = [offence.requests for offence in built.offences]
    assert sum(counts) == built.report.extradition.refused_political == 38
    assert counts == sorted(counts, reverse=True)
    assert built.offences[0].code == "11"
    text = statement_render_text(built, language="en")
    assert (
        "Among the persons whose extradition was refused for political reasons are those sought "
        "for other criminal acts not elsewhere classified (7 requests), acts against property "
        "only (6 requests)," in text
    )
    assert "injurious acts of a sexual nature (1 request) and acts against" in text


def test_statement_political_refusals_by_country_are_the_reports(seed):
    built = statement_build(year=2023)

    assert built.mla_political_by_country == {"BG": 1, "CH": 26, "LI": 1, "LV": 4, "US": 2}
    assert built.extradition_political_by_country["LT"] == 7


# --- Examples ----------------------------------------------------------------------------------


def test_statement_tells_only_approved_examples(proposed, supervisor, granted, clerk_of_central):
    example_propose(
        actor=clerk_of_central,
        request=granted,
        category=Example.Category.COOPERATION,
        summary_en=SERBIA,
        summary_ru="",
    )

    before = statement_render_text(statement_build(year=2023), language="en")
    example_approve(actor=supervisor, example=proposed)
    after = statement_render_text(statement_build(year=2023), language="en")

    assert "Bulgaria refused" not in before
    assert f"For example, in October 2023, {BULGARIA}." in after
    assert "Serbia" not in after


def test_statement_tells_examples_in_order_of_decision_in_each_language(
    approved, granted, clerk_of_central, supervisor
):
    cooperation = example_propose(
        actor=clerk_of_central,
        request=granted,
        category=Example.Category.COOPERATION,
        summary_en=SERBIA,
        summary_ru="",
    )
    example_approve(actor=supervisor, example=cooperation)
    built = statement_build(year=2023)

    english = statement_paragraphs(built, language="en")
    russian = statement_render_text(built, language="ru")

    assert english[-1] == (
        "For example, in March 2023, the Ministry of Justice of Serbia granted the extradition of "
        "a person accused of using a forged document and attempted large-scale fraud."
    )
    assert f"Например, в октябре 2023 года {BULGARIA_RU}." in russian
    # No Russian summary: the example is left out of the Russian text.
    assert "Serbia" not in russian and "Сербия" not in russian


def test_statement_never_gives_references_persons_or_notes(approved, granted):
    request_update(actor=None, request=approved.request, notes="Informant: Oleg Sidorov")
    built = statement_build(year=2023)

    for language in ("en", "ru"):
        text = statement_render_text(built, language=language)
        assert "OM-2023-17" not in text
        assert "OE-2023-4" not in text
        assert "Petrov" not in text
        assert "Sidorov" not in text


def test_statement_leaves_out_an_example_of_another_year(central, clerk_of_central, supervisor):
    request = make_request(
        unit=central,
        country="LV",
        opened_on=date(2022, 6, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2022, 12, 30),
    )
    example = example_propose(
        actor=clerk_of_central,
        request=request,
        category=Example.Category.REFUSAL,
        summary_en="Latvia refused",
        summary_ru="",
    )
    example_approve(actor=supervisor, example=example)

    assert "Latvia refused" not in statement_render_text(statement_build(year=2023), language="en")
    assert "in December 2022, Latvia refused." in statement_render_text(
        statement_build(year=2022), language="en"
    )


def test_statement_leaves_out_an_example_whose_decision_was_reopened(approved):
    request_reopen(actor=None, request=approved.request, reopened_on=date(2023, 11, 1), reason="x")

    assert statement_build(year=2023).refusal_examples == ()


def test_statement_as_of_a_moment_before_the_approval_leaves_the_example_out(approved):
    before_approval = approved.approved_at - timedelta(microseconds=1)

    assert statement_build(year=2023, as_of=before_approval).refusal_examples == ()
    assert len(statement_build(year=2023, as_of=timezone.now()).refusal_examples) == 1


def test_statement_as_of_a_moment_before_the_decision_counts_it_pending(refused):
    decided_at = refused.events.get(type="decided").recorded_at

    built = statement_build(year=2023, as_of=decided_at - timedelta(microseconds=1))

    assert built.report.mla.refused == 0
    assert statement_build(year=2023).report.mla.refused == 1


# --- Wording of thin years ----------------------------------------------------------------------


def test_statement_of_a_year_without_decisions_says_so_in_one_sentence():
    built = statement_build(year=2030)

    assert statement_render_text(built, language="en") == (
        "In 2030 foreign states took no decisions on our requests.\n"
    )
    assert statement_render_text(built, language="ru") == (
        "В 2030 году иностранные государства не приняли решений по нашим запросам.\n"
    )


def test_statement_without_political_refusals_or_examples_leaves_those_parts_out():
    text = statement_render_text(_statement(mla=MlaFigures(refused=3, executed=2)), language="en")

    assert text == (
        "In 2023 foreign states refused 3 requests for legal assistance.\n\n"
        "At the same time, there were also positive examples of cooperation. In 2023 the "
        "competent authorities of foreign states fulfilled 2 requests for legal assistance.\n"
    )
    assert ": ." not in text and " 0 " not in text


def test_statement_with_only_extradition_refusals():
    text = statement_render_text(
        _statement(
            extradition=ExtraditionFigures(
                refused=1, refused_political=1, refused_political_by_country={"LV": 1}
            )
        ),
        language="en",
    )

    assert text == (
        "In 2023 foreign states refused 1 extradition request, for political reasons: Latvia – 1.\n"
    )


@pytest.mark.parametrize(
    ("count", "requests", "offence"),
    [
        (1, "1 запроса о выдаче", "(1 запрос)"),
        (2, "2 запросов о выдаче", "(2 запроса)"),
        (5, "5 запросов о выдаче", "(5 запросов)"),
        (21, "21 запроса о выдаче", "(21 запрос)"),
    ],
)
def test_statement_russian_plurals(count, requests, offence):
    statement = _statement(
        extradition=ExtraditionFigures(
            refused=count, refused_political=count, refused_political_by_country={"CH": count}
        ),
        offences=(OffenceCount(code="01", name_en="Acts", name_ru="Деяния", requests=count),),
    )

    text = statement_render_text(statement, language="ru")

    assert f"отказали в удовлетворении {requests}" in text
    assert f"разыскиваемые за деяния {offence}." in text


@pytest.mark.parametrize(
    ("count", "english"),
    [(1, "(1 request)"), (2, "(2 requests)"), (21, "(21 requests)")],
)
def test_statement_english_plurals(count, english):
    statement = _statement(
        extradition=ExtraditionFigures(refused=count, refused_political=count),
        offences=(OffenceCount(code="01", name_en="Acts", name_ru="Деяния", requests=count),),
    )

    assert f"sought for acts {english}." in statement_render_text(statement, language="en")


def test_statement_example_summary_is_continued_as_a_sentence():
    examples = (
        StatementExample(
            category="refusal",
            month=date(2023, 2, 1),
            summary_en="The Swiss authorities refused",
            summary_ru="",
        ),
        StatementExample(
            category="refusal",
            month=date(2023, 5, 1),
            summary_en="Latvia refused “for reasons of sovereignty”",
            summary_ru="",
        ),
    )

    [paragraph] = statement_paragraphs(_statement(refusal_examples=examples), language="en")

    assert paragraph == (
        "For example, in February 2023, the Swiss authorities refused. "
        "In May 2023, Latvia refused “for reasons of sovereignty”."
    )


def test_statement_render_html_escapes_summaries_into_paragraphs():
    examples = (
        StatementExample(
            category="cooperation",
            month=date(2023, 2, 1),
            summary_en="Serbia <b>extradited</b> a person.",
            summary_ru="",
        ),
    )
    statement = _statement(mla=MlaFigures(executed=1), cooperation_examples=examples)

    html = statement_render_html(statement, language="en")

    assert html.count("<p>") == 2
    assert "&lt;b&gt;extradited&lt;/b&gt;" in html
    assert "<html" not in html


# --- Input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 1899, 10000])
def test_statement_build_refuses_a_year_out_of_range(year):
    with pytest.raises(ValidationError, match="year"):
        statement_build(year=year)


def test_statement_render_refuses_an_unknown_language():
    with pytest.raises(ValidationError, match="“de”"):
        statement_render_text(_statement(), language="de")
