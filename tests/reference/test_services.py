"""Tests for loading the shipped reference data (`rogatory init`) and matching country names."""

import csv
import io
from datetime import date
from importlib import resources

import pycountry
import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from rogatory.reference.models import (
    Country,
    CountryGroup,
    GroundArticle,
    OffenceCategory,
    RefusalGround,
    Treaty,
)
from rogatory.reference.selectors import country_lookup
from rogatory.reference.services import reference_load
from rogatory.register.models import Outcome
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

EU = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}  # fmt: skip
COUNCIL_OF_EUROPE = EU | {
    "AL", "AD", "AM", "AZ", "BA", "GE", "IS", "LI", "MD", "MC", "ME", "MK", "NO", "SM",
    "RS", "CH", "TR", "UA", "GB",
}  # fmt: skip
POLITICAL_GROUNDS = {
    "political_offence",
    "political_persecution",
    "sovereignty_security_ordre_public",
}


def _init() -> str:
    out = io.StringIO()
    call_command("init", stdout=out)
    return out.getvalue()


def _members(group: str) -> set[str]:
    return set(CountryGroup.objects.get(code=group).countries.values_list("code", flat=True))


def _parties(treaty: str) -> set[str]:
    return set(Treaty.objects.get(code=treaty).parties.values_list("code", flat=True))


def _shipped_grounds() -> list[dict[str, str]]:
    data = resources.files("rogatory.reference").joinpath("data", "refusal-grounds.csv")
    with data.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _reference_rows() -> dict[str, list[dict]]:
    """Return every reference row with its many-to-many links, to compare two loads."""
    return {
        "countries": [
            {
                **model_to_dict(country, exclude=["groups"]),
                "groups": sorted(country.groups.values_list("code", flat=True)),
            }
            for country in Country.objects.order_by("code")
        ],
        "groups": [model_to_dict(group) for group in CountryGroup.objects.order_by("code")],
        "treaties": [
            {
                **model_to_dict(treaty, exclude=["parties"]),
                "parties": sorted(treaty.parties.values_list("code", flat=True)),
            }
            for treaty in Treaty.objects.order_by("code")
        ],
        "grounds": [model_to_dict(ground) for ground in RefusalGround.objects.order_by("code")],
        "articles": list(
            GroundArticle.objects.order_by("ground", "treaty").values(
                "id", "ground", "treaty", "article"
            )
        ),
        "categories": [model_to_dict(row) for row in OffenceCategory.objects.order_by("code")],
    }


# --- countries -------------------------------------------------------------------------------


def test_init_loads_every_iso_3166_country():
    _init()

    codes = set(Country.objects.values_list("code", flat=True))
    assert codes == {entry.alpha_2 for entry in pycountry.countries}
    assert len(codes) == 249


def test_init_names_every_country_in_english_and_russian():
    _init()

    assert not Country.objects.filter(name_en="").exists()
    assert not Country.objects.filter(name_ru="").exists()


@pytest.mark.parametrize(
    ("code", "alpha_3", "english", "russian"),
    [
        ("CH", "CHE", "Switzerland", "Швейцария"),
        ("US", "USA", "United States", "США"),
        ("RU", "RUS", "Russia", "Россия"),
        ("LI", "LIE", "Liechtenstein", "Лихтенштейн"),
        ("BA", "BIH", "Bosnia and Herzegovina", "Босния и Герцеговина"),
        ("CD", "COD", "Democratic Republic of the Congo", "Демократическая Республика Конго"),
        ("CG", "COG", "Republic of the Congo", "Республика Конго"),
    ],
)
def test_init_names_country(code, alpha_3, english, russian):
    _init()

    country = Country.objects.get(code=code)
    assert (country.alpha_3, country.name_en, country.name_ru) == (alpha_3, english, russian)
    assert (country.name_in("en"), country.name_in("ru")) == (english, russian)


def test_init_names_countries_without_cldr_abbreviations():
    _init()

    abbreviated = [
        country.code
        for country in Country.objects.all()
        if any(mark in country.name_en for mark in ("&", " - ", "St. ", " SAR "))
        or " - " in country.name_ru
    ]
    assert abbreviated == []


@pytest.mark.parametrize(
    ("code", "russian"),
    [("MH", "Маршалловы Острова"), ("SB", "Соломоновы Острова"), ("SC", "Сейшельские Острова")],
)
def test_init_names_island_states_in_full_in_russian(code, russian):
    _init()

    assert Country.objects.get(code=code).name_ru == russian


# --- groups ----------------------------------------------------------------------------------


def test_init_loads_european_union():
    _init()

    assert _members("EU") == EU
    assert len(EU) == 27


def test_init_loads_council_of_europe():
    _init()

    assert _members("COE") == COUNCIL_OF_EUROPE
    assert len(COUNCIL_OF_EUROPE) == 46
    assert "RU" not in COUNCIL_OF_EUROPE


def test_init_loads_commonwealth_of_independent_states():
    _init()

    members = _members("CIS")
    assert {"RU", "BY", "KZ", "KG", "TJ", "UZ", "AM", "AZ"} <= members
    assert not members & {"GE", "UA"}


def test_init_names_groups_in_both_languages():
    _init()

    group = CountryGroup.objects.get(code="COE")
    assert (group.name_en, group.name_ru) == ("Council of Europe", "Совет Европы")


# --- treaties --------------------------------------------------------------------------------


def test_init_loads_every_legal_basis():
    _init()

    assert {
        "ECMA-1959",
        "ECE-1957",
        "MINSK-1993",
        "UNTOC",
        "UNCAC",
        "EIO-2014",
        "RECIPROCITY",
    } <= set(Treaty.objects.values_list("code", flat=True))


def test_init_loads_mutual_assistance_convention_parties():
    _init()

    treaty = Treaty.objects.get(code="ECMA-1959")
    assert (treaty.adopted_on, treaty.covers_mla, treaty.covers_extradition) == (
        date(1959, 4, 20),
        True,
        False,
    )
    assert _parties("ECMA-1959") == COUNCIL_OF_EUROPE | {"CL", "IL", "KR", "RU"}


def test_init_loads_extradition_convention_parties():
    _init()

    treaty = Treaty.objects.get(code="ECE-1957")
    assert (treaty.adopted_on, treaty.covers_mla, treaty.covers_extradition) == (
        date(1957, 12, 13),
        False,
        True,
    )
    # Chile acceded on 3 March 2025 (in force 1 June 2025).
    assert _parties("ECE-1957") == COUNCIL_OF_EUROPE | {"CL", "IL", "KR", "RU", "ZA"}


def test_init_loads_minsk_convention_parties():
    _init()

    assert _parties("MINSK-1993") == {
        "AM", "AZ", "BY", "GE", "KG", "KZ", "MD", "RU", "TJ", "TM", "UZ",
    }  # fmt: skip


def test_init_loads_eio_directive_for_eu_without_denmark_and_ireland():
    _init()

    assert _parties("EIO-2014") == EU - {"DK", "IE"}


@pytest.mark.parametrize("code", ["UNTOC", "UNCAC", "RECIPROCITY"])
def test_init_leaves_open_legal_bases_without_listed_parties(code):
    _init()

    assert _parties(code) == set()


# --- refusal grounds and offence categories --------------------------------------------------


def test_init_loads_the_19_refusal_grounds_in_order():
    _init()

    shipped = [row["code"] for row in _shipped_grounds()]
    assert list(RefusalGround.objects.values_list("code", flat=True)) == shipped
    assert len(shipped) == 19


def test_init_loads_refusal_grounds_political_by_default():
    _init()

    political = set(
        RefusalGround.objects.filter(counts_as_political=True).values_list("code", flat=True)
    )
    assert political == POLITICAL_GROUNDS
    assert political == {
        row["code"] for row in _shipped_grounds() if row["counts_as_political"] == "yes"
    }


def test_init_loads_refusal_ground_treaty_articles():
    _init()

    articles = dict(
        GroundArticle.objects.filter(ground="political_offence").values_list("treaty", "article")
    )
    assert articles == {"ECMA-1959": "2(a)", "ECE-1957": "3(1)", "UNCAC": "44(4) limits"}


def test_init_loads_refusal_ground_minsk_and_eio_articles():
    _init()

    articles = dict(
        GroundArticle.objects.filter(ground="own_national").values_list("treaty", "article")
    )
    assert articles == {
        "ECE-1957": "6",
        "UNTOC": "16(10)",
        "UNCAC": "44(11)",
        "MINSK-1993": "57(1)(a)",
    }


def test_init_loads_refusal_ground_labels_in_both_languages():
    _init()

    ground = RefusalGround.objects.get(code="dual_criminality")
    assert ground.label_in("en") == "Act is not an offence under the law of the requested state"
    assert ground.label_in("ru").startswith("Деяние не является преступлением")


def test_init_loads_eleven_iccs_categories():
    _init()

    codes = list(OffenceCategory.objects.values_list("code", flat=True))
    assert codes == [f"{number:02d}" for number in range(1, 12)]
    assert not OffenceCategory.objects.filter(name_ru="").exists()


# --- running it again ------------------------------------------------------------------------


def test_init_reports_what_it_loaded():
    output = _init()

    assert "249 countries" in output
    assert "19 refusal grounds" in output
    assert "11 offence categories" in output


def test_init_twice_changes_nothing():
    _init()
    first = _reference_rows()

    _init()

    assert _reference_rows() == first


def test_init_restores_edited_reference_data():
    Country.objects.filter(code="CH").update(name_en="Helvetia")
    RefusalGround.objects.filter(code="dual_criminality").update(counts_as_political=True)
    CountryGroup.objects.get(code="EU").countries.remove("FR")

    _init()

    assert Country.objects.get(code="CH").name_en == "Switzerland"
    assert RefusalGround.objects.get(code="dual_criminality").counts_as_political is False
    assert "FR" in _members("EU")


def test_init_never_touches_requests():
    request = make_request(
        kind="extradition", outcome=Outcome.REFUSED, grounds=("political_offence", "own_national")
    )
    events = list(request.events.values())
    grounds = set(request.grounds.values_list("code", flat=True))

    _init()

    after = type(request).objects.get(pk=request.pk)
    assert model_to_dict(after, exclude=["grounds"]) == model_to_dict(request, exclude=["grounds"])
    assert after.updated_at == request.updated_at
    assert list(after.events.values()) == events
    assert set(after.grounds.values_list("code", flat=True)) == grounds


def test_reference_load_counts_what_is_loaded():
    counts = reference_load()

    assert (counts.countries, counts.refusal_grounds, counts.offence_categories) == (249, 19, 11)
    assert counts.treaties == Treaty.objects.count()
    assert counts.groups == CountryGroup.objects.count()


# --- country_lookup --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("CH", "CH"),
        ("ch", "CH"),
        ("Ch", "CH"),
        ("CHE", "CH"),
        ("che", "CH"),
        ("Switzerland", "CH"),
        ("switzerland", "CH"),
        ("Swiss Confederation", "CH"),
        ("United States", "US"),
        ("united states", "US"),
        ("UNITED STATES", "US"),
        ("United States of America", "US"),
        ("usa", "US"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Bolivia", "BO"),
        ("Bolivia, Plurinational State of", "BO"),
    ],
)
def test_country_lookup_accepts_spelling(spelling, code):
    assert country_lookup()[spelling.casefold()] == code


def test_country_lookup_maps_every_country_name_and_code_to_itself():
    lookup = country_lookup()

    wrong = {
        spelling: (code, lookup.get(spelling.casefold()))
        for code, alpha_3, name_en in Country.objects.values_list("code", "alpha_3", "name_en")
        for spelling in (code, alpha_3, name_en)
        if lookup.get(spelling.casefold()) != code
    }
    assert wrong == {}
