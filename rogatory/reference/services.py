"""Loading the reference data shipped with Rogatory into the database."""

import csv
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources

import pycountry
from babel import Locale
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from rogatory.audit.services import audit_record

from .models import Country, CountryGroup, GroundArticle, OffenceCategory, RefusalGround, Treaty

# Columns of refusal-grounds.csv that give a ground's article in a treaty.
GROUND_ARTICLE_COLUMNS = {
    "ecma_1959": "ECMA-1959",
    "ece_1957": "ECE-1957",
    "untoc_2000": "UNTOC",
    "uncac_2003": "UNCAC",
    "minsk_1993": "MINSK-1993",
    "eio_2014_41": "EIO-2014",
}


@dataclass(frozen=True)
class ReferenceCounts:
    """How many rows of each kind of reference data are in the database after a load."""

    countries: int
    groups: int
    treaties: int
    refusal_grounds: int
    offence_categories: int


@transaction.atomic
def reference_load(*, actor: AbstractBaseUser | None = None) -> ReferenceCounts:
    """Create or update all shipped reference data; requests are never touched."""
    _load_countries()
    _load_groups()
    _load_treaties()
    _load_refusal_grounds()
    _load_offence_categories()
    counts = ReferenceCounts(
        countries=Country.objects.count(),
        groups=CountryGroup.objects.count(),
        treaties=Treaty.objects.count(),
        refusal_grounds=RefusalGround.objects.count(),
        offence_categories=OffenceCategory.objects.count(),
    )
    audit_record(
        actor=actor,
        action="reference_load",
        object_type="reference",
        object_id="all",
        after=counts.__dict__,
    )
    return counts


def _data(name: str):
    return resources.files("rogatory.reference").joinpath("data", name)


def _read_csv(name: str) -> list[dict[str, str]]:
    with _data(name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _read_json(name: str):
    with _data(name).open(encoding="utf-8") as stream:
        return json.load(stream)


def _load_countries() -> None:
    english, russian = Locale("en"), Locale("ru")
    overrides = _read_json("country-names.json")
    for entry in pycountry.countries:
        code = entry.alpha_2
        names = overrides.get(code, {})
        Country.objects.update_or_create(
            code=code,
            defaults={
                "alpha_3": entry.alpha_3,
                "name_en": names.get("en") or english.territories.get(code) or entry.name,
                "name_ru": names.get("ru") or russian.territories.get(code) or entry.name,
                "official_name": getattr(entry, "official_name", "") or entry.name,
            },
        )


def _load_groups() -> None:
    for group in _read_json("country-groups.json"):
        row, _created = CountryGroup.objects.update_or_create(
            code=group["code"],
            defaults={"name_en": group["name_en"], "name_ru": group["name_ru"]},
        )
        row.countries.set(group["members"])


def _load_treaties() -> None:
    for treaty in _read_json("treaties.json"):
        row, _created = Treaty.objects.update_or_create(
            code=treaty["code"],
            defaults={
                "kind": treaty["kind"],
                "short_name": treaty["short_name"],
                "name_en": treaty["name_en"],
                "name_ru": treaty["name_ru"],
                "adopted_on": date.fromisoformat(treaty["adopted_on"])
                if treaty["adopted_on"]
                else None,
                "covers_mla": treaty["covers_mla"],
                "covers_extradition": treaty["covers_extradition"],
            },
        )
        # `null` parties means the treaty is open to all and its parties are not listed.
        if treaty["parties"] is not None:
            row.parties.set(treaty["parties"])


def _load_refusal_grounds() -> None:
    for position, ground in enumerate(_read_csv("refusal-grounds.csv"), start=1):
        row, _created = RefusalGround.objects.update_or_create(
            code=ground["code"],
            defaults={
                "label_en": ground["label_en"],
                "label_ru": ground["label_ru"],
                "counts_as_political": ground["counts_as_political"] == "yes",
                "position": position,
            },
        )
        for column, treaty_code in GROUND_ARTICLE_COLUMNS.items():
            article = ground[column].strip()
            if article:
                GroundArticle.objects.update_or_create(
                    ground=row, treaty_id=treaty_code, defaults={"article": article}
                )
            else:
                GroundArticle.objects.filter(ground=row, treaty_id=treaty_code).delete()


def _load_offence_categories() -> None:
    for category in _read_csv("offence-categories.csv"):
        OffenceCategory.objects.update_or_create(
            code=category["code"],
            defaults={"name_en": category["name_en"], "name_ru": category["name_ru"]},
        )


def country_names(code: str) -> list[str]:
    """Return the English names a country is known by in pycountry (for matching input)."""
    entry = pycountry.countries.get(alpha_2=code)
    if entry is None:
        return []
    return [
        name
        for name in (
            entry.name,
            getattr(entry, "common_name", ""),
            getattr(entry, "official_name", ""),
        )
        if name
    ]
