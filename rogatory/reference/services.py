"""Reference data: loading what ships with Rogatory, and the edits an office makes to it.

Rows edited here carry `edited_at`; loading the shipped data again leaves their editable
fields alone, so that `rogatory init` never undoes an office's own classification.
"""

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources

import pycountry
from babel import Locale
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_record
from rogatory.core.exceptions import ValidationError

from .models import Country, CountryGroup, GroundArticle, OffenceCategory, RefusalGround, Treaty

# What the edit services below may change, and `reference_load` therefore keeps once edited.
REFUSAL_GROUND_EDITABLE_FIELDS = ("label_en", "label_ru", "counts_as_political")
TREATY_EDITABLE_FIELDS = ("name_en", "name_ru", "short_name", "covers_mla", "covers_extradition")

TREATY_CODE_PATTERN = re.compile(r"[A-Z0-9-]{2,40}")

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
    _load_country_requirements()
    _load_groups()
    _load_treaties()
    _load_refusal_grounds()
    _load_offence_categories()
    _load_deadline_rules()
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


def _load_country_requirements() -> None:
    """Fill in each country's channel and language of translation where they are still empty.

    Only empty values are written, so that an office's own choice survives `rogatory init`.
    """
    shipped = _read_json("country-requirements.json")["countries"]
    for field in ("channel", "translation_language"):
        codes_by_value: dict[str, list[str]] = {}
        for code, values in shipped.items():
            if values.get(field):
                codes_by_value.setdefault(values[field], []).append(code)
        for value, codes in codes_by_value.items():
            Country.objects.filter(code__in=codes, **{field: ""}).update(**{field: value})


def _load_groups() -> None:
    for group in _read_json("country-groups.json"):
        row, _created = CountryGroup.objects.update_or_create(
            code=group["code"],
            defaults={"name_en": group["name_en"], "name_ru": group["name_ru"]},
        )
        row.countries.set(group["members"])


def _keep_edited(defaults: dict, editable: Iterable[str], *, edited: bool) -> dict:
    """Return the shipped values to write: all of them, or only the uneditable ones."""
    if not edited:
        return defaults
    return {field: value for field, value in defaults.items() if field not in editable}


def _load_treaties() -> None:
    edited = set(Treaty.objects.filter(edited_at__isnull=False).values_list("code", flat=True))
    for treaty in _read_json("treaties.json"):
        row, _created = Treaty.objects.update_or_create(
            code=treaty["code"],
            defaults=_keep_edited(
                {
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
                TREATY_EDITABLE_FIELDS,
                edited=treaty["code"] in edited,
            ),
        )
        # `null` parties means the treaty is open to all and its parties are not listed.
        if treaty["parties"] is not None and treaty["code"] not in edited:
            row.parties.set(treaty["parties"])


def _load_refusal_grounds() -> None:
    edited = set(
        RefusalGround.objects.filter(edited_at__isnull=False).values_list("code", flat=True)
    )
    for position, ground in enumerate(_read_csv("refusal-grounds.csv"), start=1):
        # The order and the treaty articles still follow the shipped file: they are not
        # editable here, and a corrected article should reach every office.
        row, _created = RefusalGround.objects.update_or_create(
            code=ground["code"],
            defaults=_keep_edited(
                {
                    "label_en": ground["label_en"],
                    "label_ru": ground["label_ru"],
                    "counts_as_political": ground["counts_as_political"] == "yes",
                    "position": position,
                },
                REFUSAL_GROUND_EDITABLE_FIELDS,
                edited=ground["code"] in edited,
            ),
        )
        for column, treaty_code in GROUND_ARTICLE_COLUMNS.items():
            article = ground[column].strip()
            if article:
                GroundArticle.objects.update_or_create(
                    ground=row, treaty_id=treaty_code, defaults={"article": article}
                )
            else:
                GroundArticle.objects.filter(ground=row, treaty_id=treaty_code).delete()


def _load_deadline_rules() -> None:
    # Imported here: the deadlines app builds on reference data, not the other way round.
    from rogatory.deadlines.services import deadline_rules_load

    deadline_rules_load()


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


# --- edits by supervisors and administrators ---------------------------------------------------


def _refusal_ground_snapshot(ground: RefusalGround) -> dict:
    return {field: getattr(ground, field) for field in REFUSAL_GROUND_EDITABLE_FIELDS}


def _treaty_snapshot(treaty: Treaty) -> dict:
    return {
        "kind": treaty.kind,
        **{field: getattr(treaty, field) for field in TREATY_EDITABLE_FIELDS},
        "adopted_on": treaty.adopted_on.isoformat() if treaty.adopted_on else None,
        "parties": sorted(treaty.parties.values_list("code", flat=True)),
    }


def _save_edit(record: RefusalGround | Treaty, changes: dict) -> None:
    """Save a supervisor's `changes` to a shipped record and mark it edited.

    A record marked edited keeps its editable fields when the shipped data is loaded again.
    """
    for field, value in changes.items():
        setattr(record, field, value)
    record.edited_at = timezone.now()
    record.save(update_fields=[*changes, "edited_at"])


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Return `value` stripped, or raise ValidationError naming `field` if empty or too long."""
    value = value.strip()
    if required and not value:
        raise ValidationError(_("Fill in “%(field)s”.") % {"field": label}, extra={"field": field})
    if len(value) > max_length:
        raise ValidationError(
            _("“%(field)s” is too long: use at most %(count)d characters.")
            % {"field": label, "count": max_length},
            extra={"field": field},
        )
    return value


def _treaty_names(*, name_en: str, name_ru: str, short_name: str) -> dict[str, str]:
    return {
        "name_en": _text(name_en, field="name_en", label=_("English name"), max_length=200),
        "name_ru": _text(name_ru, field="name_ru", label=_("Russian name"), max_length=200),
        "short_name": _text(
            short_name, field="short_name", label=_("Short name"), max_length=80, required=False
        ),
    }


def _check_coverage(*, covers_mla: bool, covers_extradition: bool) -> None:
    if not (covers_mla or covers_extradition):
        raise ValidationError(
            _("A treaty must cover legal assistance, extradition or both."),
            extra={"field": "covers_mla"},
        )


def _check_parties(*, kind: str, parties: list[Country]) -> None:
    # The other party to a bilateral treaty is always our own state, which is not listed.
    if kind == Treaty.Kind.BILATERAL and len(parties) != 1:
        raise ValidationError(
            _("A bilateral treaty has exactly one other party; choose one country."),
            extra={"field": "parties"},
        )


def treaty_code_validate(*, code: str) -> None:
    """Raise ValidationError unless `code` is well formed and no treaty has it yet."""
    if not TREATY_CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            _(
                "A treaty code is 2 to 40 capital Latin letters, digits and hyphens, "
                "such as “BILAT-CH-2005”."
            ),
            extra={"field": "code"},
        )
    if Treaty.objects.filter(code=code).exists():
        raise ValidationError(
            _("There is already a treaty with the code “%(code)s”.") % {"code": code},
            extra={"field": "code"},
        )


@transaction.atomic
def refusal_ground_update(
    *,
    actor: User | None,
    ground: RefusalGround,
    label_en: str,
    label_ru: str,
    counts_as_political: bool,
) -> RefusalGround:
    """Change a refusal ground's labels and whether it counts as political by default.

    Decisions already recorded keep the political classification stored with them; the new
    default applies to refusals recorded from now on.
    """
    authorize(actor, Action.EDIT_REFERENCE)
    changes = {
        "label_en": _text(label_en, field="label_en", label=_("English label"), max_length=300),
        "label_ru": _text(label_ru, field="label_ru", label=_("Russian label"), max_length=300),
        "counts_as_political": counts_as_political,
    }
    before = _refusal_ground_snapshot(ground)
    if changes == before:
        return ground
    _save_edit(ground, changes)
    audit_record(
        actor=actor,
        action="refusal_ground_update",
        object_type="refusal_ground",
        object_id=ground.code,
        before=before,
        after=_refusal_ground_snapshot(ground),
    )
    return ground


@transaction.atomic
def treaty_update(
    *,
    actor: User | None,
    treaty: Treaty,
    name_en: str,
    name_ru: str,
    short_name: str,
    covers_mla: bool,
    covers_extradition: bool,
    parties: list[Country],
) -> Treaty:
    """Change a treaty's names, what it covers, and the states party to it with us."""
    authorize(actor, Action.EDIT_REFERENCE)
    changes = {
        **_treaty_names(name_en=name_en, name_ru=name_ru, short_name=short_name),
        "covers_mla": covers_mla,
        "covers_extradition": covers_extradition,
    }
    _check_coverage(covers_mla=covers_mla, covers_extradition=covers_extradition)
    parties = list(parties)
    _check_parties(kind=treaty.kind, parties=parties)
    before = _treaty_snapshot(treaty)
    unchanged = all(before[field] == value for field, value in changes.items())
    if unchanged and before["parties"] == sorted(country.code for country in parties):
        return treaty
    _save_edit(treaty, changes)
    treaty.parties.set(parties)
    audit_record(
        actor=actor,
        action="treaty_update",
        object_type="treaty",
        object_id=treaty.code,
        before=before,
        after=_treaty_snapshot(treaty),
    )
    return treaty


@transaction.atomic
def treaty_create(
    *,
    actor: User | None,
    code: str,
    kind: str,
    name_en: str,
    name_ru: str,
    short_name: str = "",
    adopted_on: date | None = None,
    covers_mla: bool,
    covers_extradition: bool,
    parties: list[Country],
) -> Treaty:
    """Add a legal basis the shipped data lacks, typically a bilateral treaty with one state."""
    authorize(actor, Action.EDIT_REFERENCE)
    code = code.strip()
    treaty_code_validate(code=code)
    if kind not in Treaty.Kind.values:
        raise ValidationError(
            _("“%(kind)s” is not a kind of treaty; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Treaty.Kind.values)},
            extra={"field": "kind"},
        )
    names = _treaty_names(name_en=name_en, name_ru=name_ru, short_name=short_name)
    _check_coverage(covers_mla=covers_mla, covers_extradition=covers_extradition)
    parties = list(parties)
    _check_parties(kind=kind, parties=parties)
    treaty = Treaty.objects.create(
        code=code,
        kind=kind,
        **names,
        adopted_on=adopted_on,
        covers_mla=covers_mla,
        covers_extradition=covers_extradition,
        # A treaty added here is the office's own: a shipped treaty with the same code, in a
        # later release, must not overwrite it.
        edited_at=timezone.now(),
    )
    treaty.parties.set(parties)
    audit_record(
        actor=actor,
        action="treaty_create",
        object_type="treaty",
        object_id=treaty.code,
        after=_treaty_snapshot(treaty),
    )
    return treaty
