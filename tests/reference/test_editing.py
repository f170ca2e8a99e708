"""Tests for editing reference data: refusal grounds, treaties, and keeping edits on `init`."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import PermissionDeniedError, ValidationError
from rogatory.reference.models import Country, GroundArticle, RefusalGround, Treaty
from rogatory.reference.services import (
    reference_load,
    refusal_ground_update,
    treaty_create,
    treaty_update,
)
from rogatory.register.models import Kind, Outcome
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

EDITORS = [Role.SUPERVISOR, Role.ADMINISTRATOR]
NOT_EDITORS = [Role.VIEWER, Role.CLERK]


@pytest.fixture
def supervisor():
    return UserFactory(username="sam.supervisor", role=Role.SUPERVISOR)


def _ground(code: str = "dual_criminality") -> RefusalGround:
    return RefusalGround.objects.get(code=code)


def _treaty(code: str = "MINSK-1993") -> Treaty:
    return Treaty.objects.get(code=code)


def _countries(*codes: str) -> list[Country]:
    return list(Country.objects.filter(code__in=codes))


def _parties(treaty: Treaty) -> set[str]:
    return set(treaty.parties.values_list("code", flat=True))


def _update_ground(actor, ground: RefusalGround | None = None, **changes) -> RefusalGround:
    ground = ground or _ground()
    values = {
        "label_en": ground.label_en,
        "label_ru": ground.label_ru,
        "counts_as_political": ground.counts_as_political,
        **changes,
    }
    return refusal_ground_update(actor=actor, ground=ground, **values)


def _update_treaty(actor, treaty: Treaty | None = None, **changes) -> Treaty:
    treaty = treaty or _treaty()
    values = {
        "name_en": treaty.name_en,
        "name_ru": treaty.name_ru,
        "short_name": treaty.short_name,
        "covers_mla": treaty.covers_mla,
        "covers_extradition": treaty.covers_extradition,
        "parties": list(treaty.parties.all()),
        **changes,
    }
    return treaty_update(actor=actor, treaty=treaty, **values)


def _create_treaty(actor, **changes) -> Treaty:
    values = {
        "code": "BILAT-CH-2005",
        "kind": Treaty.Kind.BILATERAL,
        "name_en": "Treaty with Switzerland on mutual legal assistance in criminal matters",
        "name_ru": "Договор со Швейцарией о взаимной правовой помощи по уголовным делам",
        "short_name": "CH MLA treaty",
        "adopted_on": date(2005, 6, 1),
        "covers_mla": True,
        "covers_extradition": False,
        "parties": _countries("CH"),
        **changes,
    }
    return treaty_create(actor=actor, **values)


def _init() -> None:
    call_command("init", stdout=io.StringIO())


def _audits(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("sequence"))


# --- refusal_ground_update ---------------------------------------------------------------------


def test_refusal_ground_update_changes_labels_and_political_default(supervisor):
    _update_ground(
        supervisor,
        label_en="No dual criminality",
        label_ru="Нет двойной криминальности",
        counts_as_political=True,
    )

    ground = _ground()
    assert (ground.label_en, ground.label_ru, ground.counts_as_political) == (
        "No dual criminality",
        "Нет двойной криминальности",
        True,
    )
    assert ground.edited_at is not None


def test_refusal_ground_update_strips_labels(supervisor):
    _update_ground(supervisor, label_en="  No dual criminality  ")

    assert _ground().label_en == "No dual criminality"


@pytest.mark.parametrize("role", EDITORS)
def test_refusal_ground_update_allowed_for(role):
    _update_ground(UserFactory(role=role), counts_as_political=True)

    assert _ground().counts_as_political is True


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_refusal_ground_update_refused_for(role):
    with pytest.raises(PermissionDeniedError):
        _update_ground(UserFactory(role=role), counts_as_political=True)

    ground = _ground()
    assert (ground.counts_as_political, ground.edited_at) == (False, None)


def test_refusal_ground_update_audits_before_and_after(supervisor):
    original = _ground()

    _update_ground(supervisor, label_en="No dual criminality", counts_as_political=True)

    [record] = _audits("refusal_ground_update")
    assert (record.actor, record.object_type, record.object_id) == (
        supervisor,
        "refusal_ground",
        "dual_criminality",
    )
    assert record.before == {
        "label_en": original.label_en,
        "label_ru": original.label_ru,
        "counts_as_political": False,
    }
    assert record.after == {
        "label_en": "No dual criminality",
        "label_ru": original.label_ru,
        "counts_as_political": True,
    }


def test_refusal_ground_update_without_changes_writes_nothing(supervisor):
    _update_ground(supervisor)

    assert _ground().edited_at is None
    assert _audits("refusal_ground_update") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("label_en", "", "Fill in “English label”."),
        ("label_ru", "   ", "Fill in “Russian label”."),
        ("label_en", "x" * 301, "“English label” is too long: use at most 300 characters."),
    ],
)
def test_refusal_ground_update_rejects_label(supervisor, field, value, message):
    with pytest.raises(ValidationError) as raised:
        _update_ground(supervisor, **{field: value})

    assert raised.value.message == message
    assert raised.value.extra == {"field": field}
    assert _ground().edited_at is None
    assert _audits("refusal_ground_update") == []


def test_refusal_ground_update_leaves_the_ground_untouched_when_rejected(supervisor):
    ground = _ground()
    label = ground.label_en

    with pytest.raises(ValidationError):
        refusal_ground_update(
            actor=supervisor, ground=ground, label_en="New", label_ru="", counts_as_political=True
        )

    assert (ground.label_en, ground.counts_as_political) == (label, False)


def test_refusal_ground_update_keeps_recorded_decisions_political_flag(supervisor):
    before = make_request(kind=Kind.EXTRADITION, outcome=Outcome.REFUSED, grounds=("own_national",))

    _update_ground(supervisor, ground=_ground("own_national"), counts_as_political=True)
    after = make_request(kind=Kind.EXTRADITION, outcome=Outcome.REFUSED, grounds=("own_national",))

    before.refresh_from_db()
    assert before.political is False
    assert before.events.get(outcome=Outcome.REFUSED).political is False
    assert after.political is True


# --- treaty_update -----------------------------------------------------------------------------


def test_treaty_update_changes_names_coverage_and_parties(supervisor):
    _update_treaty(
        supervisor,
        name_en="Minsk Convention",
        name_ru="Минская конвенция",
        short_name="Minsk",
        covers_mla=True,
        covers_extradition=False,
        parties=_countries("BY", "KZ", "RU"),
    )

    treaty = _treaty()
    assert (treaty.name_en, treaty.name_ru, treaty.short_name) == (
        "Minsk Convention",
        "Минская конвенция",
        "Minsk",
    )
    assert (treaty.covers_mla, treaty.covers_extradition) == (True, False)
    assert _parties(treaty) == {"BY", "KZ", "RU"}
    assert treaty.edited_at is not None


@pytest.mark.parametrize("role", EDITORS)
def test_treaty_update_allowed_for(role):
    _update_treaty(UserFactory(role=role), short_name="Minsk")

    assert _treaty().short_name == "Minsk"


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_treaty_update_refused_for(role):
    with pytest.raises(PermissionDeniedError):
        _update_treaty(UserFactory(role=role), short_name="Minsk")

    assert _treaty().short_name == "Minsk 1993"


def test_treaty_update_audits_before_and_after(supervisor):
    parties = _parties(_treaty())

    _update_treaty(supervisor, short_name="Minsk", parties=_countries("BY", "RU"))

    [record] = _audits("treaty_update")
    assert (record.actor, record.object_type, record.object_id) == (
        supervisor,
        "treaty",
        "MINSK-1993",
    )
    assert record.before["short_name"] == "Minsk 1993"
    assert record.before["parties"] == sorted(parties)
    assert record.before["adopted_on"] == "1993-01-22"
    assert record.after["short_name"] == "Minsk"
    assert record.after["parties"] == ["BY", "RU"]


def test_treaty_update_of_parties_alone_is_an_edit(supervisor):
    _update_treaty(supervisor, parties=_countries("RU"))

    assert _treaty().edited_at is not None
    assert len(_audits("treaty_update")) == 1


def test_treaty_update_without_changes_writes_nothing(supervisor):
    _update_treaty(supervisor)

    assert _treaty().edited_at is None
    assert _audits("treaty_update") == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_en": ""}, "name_en", "Fill in “English name”."),
        ({"name_ru": " "}, "name_ru", "Fill in “Russian name”."),
        (
            {"short_name": "x" * 81},
            "short_name",
            "“Short name” is too long: use at most 80 characters.",
        ),
        (
            {"covers_mla": False, "covers_extradition": False},
            "covers_mla",
            "A treaty must cover legal assistance, extradition or both.",
        ),
    ],
)
def test_treaty_update_rejects(supervisor, changes, field, message):
    with pytest.raises(ValidationError) as raised:
        _update_treaty(supervisor, **changes)

    assert (raised.value.message, raised.value.extra) == (message, {"field": field})
    assert _treaty().edited_at is None


@pytest.mark.parametrize("parties", [(), ("CH", "LI")])
def test_treaty_update_keeps_a_bilateral_treaty_to_one_party(supervisor, parties):
    treaty = _create_treaty(supervisor)

    with pytest.raises(ValidationError) as raised:
        _update_treaty(supervisor, treaty=treaty, parties=_countries(*parties))

    assert raised.value.extra == {"field": "parties"}
    assert _parties(_treaty("BILAT-CH-2005")) == {"CH"}


def test_treaty_update_may_empty_the_parties_of_a_multilateral_treaty(supervisor):
    _update_treaty(supervisor, parties=[])

    assert _parties(_treaty()) == set()


# --- treaty_create -----------------------------------------------------------------------------


def test_treaty_create_adds_a_bilateral_treaty(supervisor):
    _create_treaty(supervisor)

    treaty = _treaty("BILAT-CH-2005")
    assert (treaty.kind, treaty.short_name, treaty.adopted_on) == (
        Treaty.Kind.BILATERAL,
        "CH MLA treaty",
        date(2005, 6, 1),
    )
    assert (treaty.covers_mla, treaty.covers_extradition) == (True, False)
    assert _parties(treaty) == {"CH"}
    assert treaty.edited_at is not None
    assert treaty in Country.objects.get(code="CH").treaties.all()


def test_treaty_create_audits_the_new_treaty(supervisor):
    _create_treaty(supervisor)

    [record] = _audits("treaty_create")
    assert (record.actor, record.object_type, record.object_id, record.before) == (
        supervisor,
        "treaty",
        "BILAT-CH-2005",
        None,
    )
    assert record.after == {
        "kind": "bilateral",
        "name_en": "Treaty with Switzerland on mutual legal assistance in criminal matters",
        "name_ru": "Договор со Швейцарией о взаимной правовой помощи по уголовным делам",
        "short_name": "CH MLA treaty",
        "covers_mla": True,
        "covers_extradition": False,
        "adopted_on": "2005-06-01",
        "parties": ["CH"],
    }


def test_treaty_create_defaults(supervisor):
    treaty = treaty_create(
        actor=supervisor,
        code="BILAT-US",
        kind=Treaty.Kind.BILATERAL,
        name_en="Extradition treaty with the United States",
        name_ru="Договор с США о выдаче",
        covers_mla=False,
        covers_extradition=True,
        parties=_countries("US"),
    )

    assert (treaty.short_name, treaty.adopted_on) == ("", None)


@pytest.mark.parametrize("role", EDITORS)
def test_treaty_create_allowed_for(role):
    _create_treaty(UserFactory(role=role))

    assert Treaty.objects.filter(code="BILAT-CH-2005").exists()


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_treaty_create_refused_for(role):
    with pytest.raises(PermissionDeniedError):
        _create_treaty(UserFactory(role=role))

    assert not Treaty.objects.filter(code="BILAT-CH-2005").exists()


@pytest.mark.parametrize("code", ["", "B", "bilat-ch", "BILAT CH", "BILAT_CH", "Б-1", "X" * 41])
def test_treaty_create_rejects_code(supervisor, code):
    with pytest.raises(ValidationError) as raised:
        _create_treaty(supervisor, code=code)

    assert raised.value.extra == {"field": "code"}
    assert "capital Latin letters, digits and hyphens" in raised.value.message


@pytest.mark.parametrize("code", ["CH", "X" * 40, "BILAT-2024-01"])
def test_treaty_create_accepts_code(supervisor, code):
    _create_treaty(supervisor, code=code)

    assert Treaty.objects.filter(code=code).exists()


@pytest.mark.parametrize("code", ["BILAT-CH-2005", "ECMA-1959"])
def test_treaty_create_rejects_a_code_in_use(supervisor, code):
    if code == "BILAT-CH-2005":
        _create_treaty(supervisor)

    with pytest.raises(ValidationError) as raised:
        _create_treaty(supervisor, code=code)

    assert raised.value.message == f"There is already a treaty with the code “{code}”."
    assert raised.value.extra == {"field": "code"}


def test_treaty_create_rejects_an_unknown_kind(supervisor):
    with pytest.raises(ValidationError) as raised:
        _create_treaty(supervisor, kind="friendship")

    assert raised.value.extra == {"field": "kind"}


@pytest.mark.parametrize("parties", [(), ("CH", "LI")])
def test_treaty_create_needs_one_party_for_a_bilateral_treaty(supervisor, parties):
    with pytest.raises(ValidationError) as raised:
        _create_treaty(supervisor, parties=_countries(*parties))

    assert raised.value.extra == {"field": "parties"}
    assert not Treaty.objects.filter(code="BILAT-CH-2005").exists()


def test_treaty_create_allows_a_multilateral_treaty_with_many_parties(supervisor):
    _create_treaty(
        supervisor, code="CETS-182", kind=Treaty.Kind.MULTILATERAL, parties=_countries("CH", "LI")
    )

    assert _parties(_treaty("CETS-182")) == {"CH", "LI"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name_en": ""}, "name_en"),
        ({"name_ru": ""}, "name_ru"),
        ({"covers_mla": False, "covers_extradition": False}, "covers_mla"),
    ],
)
def test_treaty_create_rejects(supervisor, changes, field):
    with pytest.raises(ValidationError) as raised:
        _create_treaty(supervisor, **changes)

    assert raised.value.extra == {"field": field}
    assert not Treaty.objects.filter(code="BILAT-CH-2005").exists()
    assert _audits("treaty_create") == []


# --- rogatory init keeps local edits -----------------------------------------------------------


def test_init_keeps_an_edited_refusal_ground(supervisor):
    _update_ground(supervisor, label_en="No dual criminality", counts_as_political=True)

    _init()

    ground = _ground()
    assert (ground.label_en, ground.counts_as_political) == ("No dual criminality", True)
    assert ground.edited_at is not None


def test_init_still_restores_unedited_refusal_grounds(supervisor):
    _update_ground(supervisor, counts_as_political=True)
    RefusalGround.objects.filter(code="own_national").update(counts_as_political=True)

    _init()

    assert _ground("own_national").counts_as_political is False


def test_init_still_updates_articles_and_order_of_an_edited_ground(supervisor):
    _update_ground(supervisor, counts_as_political=True)
    GroundArticle.objects.filter(ground="dual_criminality").delete()
    RefusalGround.objects.filter(code="dual_criminality").update(position=99)

    _init()

    assert GroundArticle.objects.filter(ground="dual_criminality").exists()
    assert _ground().position != 99


def test_init_recreates_a_missing_refusal_ground(supervisor):
    _update_ground(supervisor, counts_as_political=True)
    RefusalGround.objects.filter(code="own_national").delete()

    _init()

    assert _ground("own_national").counts_as_political is False
    assert _ground().counts_as_political is True


def test_init_keeps_an_edited_treaty(supervisor):
    _update_treaty(
        supervisor,
        name_en="Minsk Convention",
        short_name="Minsk",
        covers_extradition=False,
        parties=_countries("BY", "RU"),
    )

    _init()

    treaty = _treaty()
    assert (treaty.name_en, treaty.short_name, treaty.covers_extradition) == (
        "Minsk Convention",
        "Minsk",
        False,
    )
    assert _parties(treaty) == {"BY", "RU"}


def test_init_still_restores_unedited_treaties(supervisor):
    _update_treaty(supervisor, short_name="Minsk")
    Treaty.objects.filter(code="ECMA-1959").update(short_name="Strasbourg")
    _treaty("ECMA-1959").parties.remove("CH")

    _init()

    assert _treaty("ECMA-1959").short_name == "ECMA 1959"
    assert "CH" in _parties(_treaty("ECMA-1959"))


def test_init_keeps_a_created_treaty(supervisor):
    _create_treaty(supervisor)

    _init()

    treaty = _treaty("BILAT-CH-2005")
    assert treaty.short_name == "CH MLA treaty"
    assert _parties(treaty) == {"CH"}


def test_reference_load_twice_after_edits_changes_nothing(supervisor):
    _update_ground(supervisor, counts_as_political=True)
    _update_treaty(supervisor, parties=_countries("RU"))
    reference_load()
    grounds = list(RefusalGround.objects.values())
    treaties = list(Treaty.objects.values())

    reference_load()

    assert list(RefusalGround.objects.values()) == grounds
    assert list(Treaty.objects.values()) == treaties
    assert _parties(_treaty()) == {"RU"}
