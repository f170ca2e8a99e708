"""The published paragraph, in English and Russian."""

from datetime import date

import pytest

from rogatory.register.models import Direction, Kind, Outcome
from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from rogatory.statistics.narrative import narrative_write, report_narrative
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

YEAR = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}

STATEMENT_2023 = Report(
    **YEAR,
    direction=Direction.OUTGOING,
    mla=MlaFigures(
        executed=376,
        refused=66,
        refused_political=34,
        refused_political_by_country={"CH": 26, "LV": 4, "US": 2, "BG": 1, "LI": 1},
    ),
    extradition=ExtraditionFigures(refused=114, refused_political=38, granted_persons=151),
)


def report(direction: str = Direction.OUTGOING, **figures) -> Report:
    mla = {key[4:]: value for key, value in figures.items() if key.startswith("mla_")}
    extradition = {key[4:]: value for key, value in figures.items() if key.startswith("ext_")}
    return Report(
        **YEAR,
        direction=direction,
        mla=MlaFigures(**mla),
        extradition=ExtraditionFigures(**extradition),
    )


@pytest.mark.django_db
def test_report_narrative_reproduces_the_2023_statement_in_english():
    assert report_narrative(STATEMENT_2023, language="en") == (
        "In 2023 foreign states refused 66 requests for legal assistance, 34 of them for "
        "political reasons: Switzerland – 26, Latvia – 4, United States – 2, Bulgaria and "
        "Liechtenstein – 1 each. They refused 114 extradition requests, 38 of them for political "
        "reasons, decided to extradite 151 persons, and fulfilled 376 requests for legal assistance."
    )


@pytest.mark.django_db
def test_report_narrative_reproduces_the_2023_statement_in_russian():
    assert report_narrative(STATEMENT_2023, language="ru") == (
        "В 2023 году иностранные государства отказали в исполнении 66 запросов о правовой "
        "помощи, из них 34 — по политическим мотивам: Швейцария — 26, Латвия — 4, США — 2, "
        "Болгария и Лихтенштейн — по 1. Они отказали в удовлетворении 114 запросов о выдаче, "
        "из них 38 — по политическим мотивам, приняли решения о выдаче 151 лица и исполнили "
        "376 запросов о правовой помощи."
    )


@pytest.mark.django_db
def test_report_narrative_looks_country_names_up_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        report_narrative(STATEMENT_2023, language="ru")


@pytest.fixture
def small_register(db):
    decided = {"decided_on": date(2023, 6, 1)}
    for country in ("CH", "CH", "CH", "LV", "BG", "LI"):
        make_request(
            country=country, outcome=Outcome.REFUSED, grounds=("political_offence",), **decided
        )
    make_request(country="DE", outcome=Outcome.REFUSED, grounds=("dual_criminality",), **decided)
    make_request(outcome=Outcome.EXECUTED, **decided)
    make_request(outcome=Outcome.EXECUTED, **decided)
    make_request(outcome=Outcome.PARTIALLY_EXECUTED, **decided)
    make_request(outcome=Outcome.WITHDRAWN, **decided)
    extradition = {"kind": Kind.EXTRADITION, **decided}
    make_request(outcome=Outcome.REFUSED, grounds=("political_persecution",), **extradition)
    make_request(outcome=Outcome.REFUSED, grounds=("own_national",), **extradition)
    make_request(outcome=Outcome.GRANTED, persons_count=2, **extradition)
    make_request(direction=Direction.INCOMING, country="AM", outcome=Outcome.EXECUTED, **decided)
    make_request(direction=Direction.INCOMING, country="AM", outcome=Outcome.REFUSED, **decided)
    make_request(direction=Direction.INCOMING, country="BY", outcome=Outcome.REFUSED, **decided)
    make_request(
        direction=Direction.INCOMING,
        country="BY",
        outcome=Outcome.REFUSED,
        grounds=("political_offence",),
        **decided,
    )


def built(direction: str) -> Report:
    return report_build(**YEAR, direction=direction)


def test_report_narrative_of_a_built_register_outgoing_en(small_register):
    assert report_narrative(built(Direction.OUTGOING), language="en") == (
        "In 2023 foreign states refused 7 requests for legal assistance, 6 of them for political "
        "reasons: Switzerland – 3, Bulgaria, Latvia and Liechtenstein – 1 each. They refused 2 "
        "extradition requests, 1 of them for political reasons, decided to extradite 2 persons, "
        "and fulfilled 3 requests for legal assistance."
    )


def test_report_narrative_of_a_built_register_outgoing_ru(small_register):
    assert report_narrative(built(Direction.OUTGOING), language="ru") == (
        "В 2023 году иностранные государства отказали в исполнении 7 запросов о правовой "
        "помощи, из них 6 — по политическим мотивам: Швейцария — 3, Болгария, Латвия и "
        "Лихтенштейн — по 1. Они отказали в удовлетворении 2 запросов о выдаче, из них 1 — по "
        "политическим мотивам, приняли решения о выдаче 2 лиц и исполнили 3 запроса о правовой "
        "помощи."
    )


def test_report_narrative_of_a_built_register_incoming_en(small_register):
    assert report_narrative(built(Direction.INCOMING), language="en") == (
        "In 2023 we refused 3 requests for legal assistance from foreign states, 1 of them for "
        "political reasons: Belarus – 1. We executed 1 request for legal assistance."
    )


def test_report_narrative_of_a_built_register_incoming_ru(small_register):
    assert report_narrative(built(Direction.INCOMING), language="ru") == (
        "В 2023 году иностранным государствам отказано в исполнении 3 запросов о правовой "
        "помощи, из них 1 — по политическим мотивам: Беларусь — 1. Исполнен 1 запрос о "
        "правовой помощи."
    )


@pytest.mark.parametrize(
    ("count", "refused", "persons", "fulfilled"),
    [
        (1, "1 запроса", "1 лица", "исполнили 1 запрос"),
        (2, "2 запросов", "2 лиц", "исполнили 2 запроса"),
        (5, "5 запросов", "5 лиц", "исполнили 5 запросов"),
        (11, "11 запросов", "11 лиц", "исполнили 11 запросов"),
        (21, "21 запроса", "21 лица", "исполнили 21 запрос"),
    ],
)
def test_narrative_write_russian_plural_forms_outgoing(count, refused, persons, fulfilled):
    text = narrative_write(
        report(mla_refused=count, mla_executed=count, ext_refused=count, ext_granted_persons=count),
        language="ru",
        country_names={},
    )
    assert f"отказали в исполнении {refused} о правовой помощи." in text
    assert f"отказали в удовлетворении {refused} о выдаче," in text
    assert f"приняли решения о выдаче {persons} и" in text
    assert f"{fulfilled} о правовой помощи." in text


@pytest.mark.parametrize(
    ("count", "executed"),
    [
        (1, "Исполнен 1 запрос"),
        (2, "Исполнено 2 запроса"),
        (5, "Исполнено 5 запросов"),
        (11, "Исполнено 11 запросов"),
        (21, "Исполнен 21 запрос"),
    ],
)
def test_narrative_write_russian_plural_forms_incoming(count, executed):
    text = narrative_write(
        report(Direction.INCOMING, mla_executed=count), language="ru", country_names={}
    )
    assert text.endswith(f"{executed} о правовой помощи.")


@pytest.mark.parametrize(
    ("count", "phrase"), [(1, "1 request for"), (2, "2 requests for"), (21, "21 requests for")]
)
def test_narrative_write_english_plural_forms(count, phrase):
    text = narrative_write(report(mla_refused=count), language="en", country_names={})
    assert f"refused {phrase} legal assistance." in text


def test_narrative_write_of_nothing_says_so():
    assert narrative_write(report(), language="en", country_names={}) == (
        "In 2023 foreign states refused no requests for legal assistance."
    )
    assert narrative_write(report(), language="ru", country_names={}) == (
        "В 2023 году иностранные государства не отказали ни в одном запросе о правовой помощи."
    )


def test_narrative_write_leaves_out_a_zero_political_share():
    text = narrative_write(
        report(mla_refused=3, ext_refused=2, mla_executed=1), language="en", country_names={}
    )
    assert text == (
        "In 2023 foreign states refused 3 requests for legal assistance. "
        "They refused 2 extradition requests and fulfilled 1 request for legal assistance."
    )
    assert "0 of them" not in text


def test_narrative_write_closes_the_political_share_before_a_second_action():
    figures = {"ext_refused": 4, "ext_refused_political": 1, "ext_granted_persons": 3}
    assert narrative_write(report(**figures), language="en", country_names={}).endswith(
        "They refused 4 extradition requests, 1 of them for political reasons, "
        "and decided to extradite 3 persons."
    )
    assert narrative_write(report(**figures), language="ru", country_names={}).endswith(
        "Они отказали в удовлетворении 4 запросов о выдаче, из них 1 — по политическим "
        "мотивам, и приняли решения о выдаче 3 лиц."
    )


def test_narrative_write_when_every_refusal_was_political():
    figures = {"mla_refused": 2, "mla_refused_political": 2, "ext_refused": 1}
    figures |= {"ext_refused_political": 1, "mla_refused_political_by_country": {"CH": 2}}
    text = narrative_write(report(**figures), language="en", country_names={"CH": "Switzerland"})
    assert text == (
        "In 2023 foreign states refused 2 requests for legal assistance, all of them for "
        "political reasons: Switzerland – 2. They refused 1 extradition request, for political "
        "reasons."
    )


def test_narrative_write_groups_equal_counts_and_orders_by_count_then_name():
    counts = {"FR": 2, "AT": 1, "DE": 2, "CH": 5, "BE": 1, "AM": 1}
    names = {
        "FR": "France",
        "AT": "Austria",
        "DE": "Germany",
        "CH": "Switzerland",
        "BE": "Belgium",
        "AM": "Armenia",
    }
    text = narrative_write(
        report(mla_refused=12, mla_refused_political=12, mla_refused_political_by_country=counts),
        language="en",
        country_names=names,
    )
    assert text.endswith(
        ": Switzerland – 5, France and Germany – 2 each, Armenia, Austria and Belgium – 1 each."
    )


def test_narrative_write_period_other_than_a_calendar_year():
    figures = report(mla_refused=1)
    quarter = Report(
        period_from=date(2023, 3, 1),
        period_to=date(2023, 6, 30),
        direction=figures.direction,
        mla=figures.mla,
        extradition=figures.extradition,
    )
    assert narrative_write(quarter, language="en", country_names={}).startswith(
        "From 1 March 2023 to 30 June 2023 foreign states refused 1 request"
    )
    assert narrative_write(quarter, language="ru", country_names={}).startswith(
        "С 1 марта 2023 г. по 30 июня 2023 г. иностранные государства отказали в исполнении "
        "1 запроса"
    )


def test_narrative_write_period_of_several_whole_years():
    several = Report(
        period_from=date(2021, 1, 1),
        period_to=date(2023, 12, 31),
        direction=Direction.OUTGOING,
        mla=MlaFigures(),
        extradition=ExtraditionFigures(),
    )
    assert narrative_write(several, language="ru", country_names={}).startswith("В 2021–2023 годах")
    assert narrative_write(several, language="en", country_names={}).startswith("In 2021–2023")


def test_narrative_write_groups_digits_of_large_counts_in_each_language():
    figures = report(mla_refused=9746, mla_refused_political=2143, ext_granted_persons=12464)
    english = narrative_write(figures, language="en", country_names={})
    russian = narrative_write(figures, language="ru", country_names={})
    assert "refused 9,746 requests for legal assistance, 2,143 of them" in english
    assert "decided to extradite 12,464 persons" in english
    assert "9\xa0746 запросов о правовой помощи, из них 2\xa0143" in russian
