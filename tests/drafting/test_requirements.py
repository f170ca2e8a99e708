"""The requested state's requirements: channel, language of translation, legal basis in force."""

import pytest
from django.utils import translation

from rogatory.drafting.selectors import country_requirements, treaties_in_force
from rogatory.reference.models import Country, Treaty
from rogatory.reference.services import reference_load, treaty_create
from rogatory.register.models import Kind

from .helpers import outgoing_request

pytestmark = pytest.mark.django_db


def _codes(country: str, kind: str) -> list[str]:
    return [t.code for t in treaties_in_force(country=Country.objects.get(code=country), kind=kind)]


def test_shipped_defaults_give_channel_and_language_of_translation():
    switzerland = Country.objects.get(code="CH")
    assert (switzerland.channel, switzerland.translation_language) == ("central_authority", "de")
    kazakhstan = Country.objects.get(code="KZ")
    assert (kazakhstan.channel, kazakhstan.translation_language) == ("central_authority", "ru")
    united_states = Country.objects.get(code="US")
    assert (united_states.channel, united_states.translation_language) == ("diplomatic", "en")


def test_loading_again_keeps_an_office_s_own_channel_and_language():
    Country.objects.filter(code="CH").update(channel="direct", translation_language="fr")
    reference_load()
    switzerland = Country.objects.get(code="CH")
    assert (switzerland.channel, switzerland.translation_language) == ("direct", "fr")


def test_treaties_in_force_bind_both_states_and_cover_the_kind():
    # Switzerland and we are party to ECMA 1959 (legal assistance) and ECE 1957 (extradition);
    # UNTOC and UNCAC list no parties and are open to all.
    assert _codes("CH", Kind.MLA) == ["ECMA-1959", "UNCAC", "UNTOC"]
    assert _codes("CH", Kind.EXTRADITION) == ["ECE-1957", "UNCAC", "UNTOC"]
    assert _codes("KZ", Kind.MLA) == ["MINSK-1993", "UNCAC", "UNTOC"]
    # The EU's investigation order lists EU states only, not ours.
    assert "EIO-2014" not in _codes("DE", Kind.MLA)


def test_a_bilateral_treaty_binds_us_and_the_one_state_it_names():
    treaty_create(
        actor=None,
        code="BILAT-US-1999",
        kind=Treaty.Kind.BILATERAL,
        name_en="Treaty with the United States on legal assistance",
        name_ru="Договор с США о правовой помощи",
        covers_mla=True,
        covers_extradition=False,
        parties=[Country.objects.get(code="US")],
    )
    assert "BILAT-US-1999" in _codes("US", Kind.MLA)
    assert "BILAT-US-1999" not in _codes("US", Kind.EXTRADITION)
    assert "BILAT-US-1999" not in _codes("CA", Kind.MLA)


def test_requirements_of_a_request_whose_basis_is_in_force():
    requirements = country_requirements(
        request=outgoing_request(country="CH", legal_basis="ECMA-1959")
    )
    assert requirements.basis_in_force is True
    assert requirements.warning() == ""
    with translation.override("en"):
        assert requirements.channel_label() == "between central authorities"
        assert requirements.language_name() == "German"
    assert requirements.language_name("ru") == "немецкий"


def test_a_basis_not_in_force_is_warned_of_with_the_treaties_that_are():
    requirements = country_requirements(
        request=outgoing_request(country="CH", legal_basis="MINSK-1993")
    )
    assert requirements.basis_in_force is False
    with translation.override("en"):
        assert requirements.warning() == (
            "MINSK-1993 is not in force between our state and Switzerland for this kind of "
            "request; in force: ECMA-1959, UNCAC, UNTOC."
        )


def test_a_basis_covering_the_other_kind_only_is_not_in_force():
    request = outgoing_request(country="CH", legal_basis="ECE-1957")  # extradition only
    assert country_requirements(request=request).basis_in_force is False


def test_reciprocity_and_no_basis():
    requirements = country_requirements(request=outgoing_request(legal_basis="RECIPROCITY"))
    assert requirements.basis_in_force is None
    assert requirements.warning() == ""
    requirements = country_requirements(request=outgoing_request(legal_basis=None))
    with translation.override("en"):
        assert requirements.warning() == "No legal basis is chosen for this request."


def test_our_state_comes_from_the_setting(settings):
    settings.ROGATORY_OUR_STATE = "KZ"
    # For Kazakhstan as our state, Switzerland is bound to it by no listed convention.
    assert _codes("CH", Kind.MLA) == ["UNCAC", "UNTOC"]
    assert _codes("BY", Kind.MLA) == ["MINSK-1993", "UNCAC", "UNTOC"]


def test_an_unknown_channel_is_said_so():
    Country.objects.filter(code="CH").update(channel="")
    requirements = country_requirements(request=outgoing_request(country="CH"))
    with translation.override("en"):
        assert requirements.channel_label() == "not known: ask the central authority"
