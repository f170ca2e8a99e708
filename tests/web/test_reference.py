"""Tests for the reference data page: who may open it, and editing grounds and treaties."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.reference.models import RefusalGround, Treaty
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("web:reference", ()),
    ("web:reference_ground", ("dual_criminality",)),
    ("web:reference_ground_edit", ("dual_criminality",)),
    ("web:reference_treaty_edit", ("MINSK-1993",)),
    ("web:reference_treaty_add", ()),
]
GROUND_PREFIX = "ground-dual_criminality"


@pytest.fixture
def supervisor(client):
    user = UserFactory(username="sam.supervisor", role=Role.SUPERVISOR)
    client.force_login(user)
    return user


def _ground_data(**changes) -> dict[str, str]:
    values = {
        "label_en": "No dual criminality",
        "label_ru": "Нет двойной криминальности",
        "counts_as_political": "on",
        **changes,
    }
    return {
        f"{GROUND_PREFIX}-{field}": value for field, value in values.items() if value is not None
    }


def _treaty_data(**changes) -> dict:
    values = {
        "name_en": "Minsk Convention",
        "name_ru": "Минская конвенция",
        "short_name": "Minsk",
        "covers_mla": "on",
        "covers_extradition": "on",
        "parties": ["BY", "RU"],
        **changes,
    }
    return {field: value for field, value in values.items() if value is not None}


def _new_treaty_data(**changes) -> dict:
    values = {
        "code": "bilat-ch-2005",
        "country": "CH",
        "name_en": "Treaty with Switzerland on mutual legal assistance",
        "name_ru": "Договор со Швейцарией о взаимной правовой помощи",
        "short_name": "",
        "adopted_on": "2005-06-01",
        "covers_mla": "on",
        **changes,
    }
    return {field: value for field, value in values.items() if value is not None}


# --- who may open the pages --------------------------------------------------------------------


def test_reference_page_is_at_reference():
    assert reverse("web:reference") == "/reference/"


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_reference_pages_send_anonymous_users_to_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_reference_pages_are_forbidden_to(client, role, name, args):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse(name, args=args))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_reference_edit_is_forbidden_to(client, role):
    client.force_login(UserFactory(role=role))

    response = client.post(
        reverse("web:reference_ground_edit", args=["dual_criminality"]), _ground_data()
    )

    assert response.status_code == 403
    assert RefusalGround.objects.get(code="dual_criminality").edited_at is None


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_reference_pages_open_for(client, role, name, args):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse(name, args=args))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "name", ["web:reference_ground", "web:reference_ground_edit", "web:reference_treaty_edit"]
)
def test_reference_pages_of_unknown_codes_are_not_found(client, supervisor, name):
    response = client.get(reverse(name, args=["NO-SUCH-CODE"]))

    assert response.status_code == 404


# --- the page ----------------------------------------------------------------------------------


def test_reference_page_lists_grounds_and_treaties(client, supervisor):
    response = client.get(reverse("web:reference"))

    assert response.context["active"] == "reference"
    assert [ground.code for ground in response.context["grounds"]] == list(
        RefusalGround.objects.values_list("code", flat=True)
    )
    content = response.content.decode()
    assert "Act is not an offence under the law of the requested state" in content
    assert "ECMA-1959" in content
    assert reverse("web:reference_treaty_add") in content


def test_reference_page_counts_treaty_parties(client, supervisor):
    response = client.get(reverse("web:reference"))

    counts = {treaty.code: treaty.party_count for treaty in response.context["treaties"]}
    assert counts["MINSK-1993"] == 11
    assert counts["UNTOC"] == 0


def test_reference_page_says_political_default_affects_only_later_decisions(client, supervisor):
    response = client.get(reverse("web:reference"))

    assert "Changing it affects only refusals recorded afterwards" in response.content.decode()


def test_reference_page_shows_the_nav_item_as_current(client, supervisor):
    response = client.get(reverse("web:reference"))

    assert 'aria-current="page"' in response.content.decode()


# --- refusal grounds ---------------------------------------------------------------------------


def test_ground_edit_saves_and_returns_to_the_page(client, supervisor):
    url = reverse("web:reference_ground_edit", args=["dual_criminality"])

    response = client.post(url, _ground_data())

    assert response.status_code == 302
    assert response.url == f"{reverse('web:reference')}#ground-dual_criminality"
    ground = RefusalGround.objects.get(code="dual_criminality")
    assert (ground.label_en, ground.label_ru, ground.counts_as_political) == (
        "No dual criminality",
        "Нет двойной криминальности",
        True,
    )
    assert AuditRecord.objects.filter(
        action="refusal_ground_update", object_id="dual_criminality", actor=supervisor
    ).exists()
    page = client.get(response.url).content.decode()
    assert "No dual criminality" in page
    assert "The refusal ground was saved." in page


def test_ground_edit_form_shows_current_values(client, supervisor):
    response = client.get(reverse("web:reference_ground_edit", args=["dual_criminality"]))

    content = response.content.decode()
    assert "<html" in content
    assert 'value="Act is not an offence under the law of the requested state"' in content


def test_ground_edit_in_place_returns_only_the_form_row(client, supervisor):
    response = client.get(
        reverse("web:reference_ground_edit", args=["dual_criminality"]),
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<tr id="ground-dual_criminality"')
    assert "<html" not in content
    assert "hx-post" in content


def test_ground_edit_in_place_returns_the_saved_row(client, supervisor):
    response = client.post(
        reverse("web:reference_ground_edit", args=["dual_criminality"]),
        _ground_data(),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<tr id="ground-dual_criminality"')
    assert "No dual criminality" in content
    assert "Saved" in content
    assert "hx-post" not in content


def test_ground_row_gives_back_the_row(client, supervisor):
    response = client.get(reverse("web:reference_ground", args=["dual_criminality"]))

    assert response.content.decode().lstrip().startswith('<tr id="ground-dual_criminality"')


def test_ground_edit_failed_keeps_input_and_names_the_field(client, supervisor):
    response = client.post(
        reverse("web:reference_ground_edit", args=["dual_criminality"]),
        _ground_data(label_en="   ", label_ru="Мой ярлык"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["label_en"]
    content = response.content.decode()
    assert 'value="Мой ярлык"' in content
    assert "has-error" in content
    assert "Nothing was saved" in content
    assert RefusalGround.objects.get(code="dual_criminality").edited_at is None


def test_ground_edit_failed_in_place_keeps_the_form_row(client, supervisor):
    response = client.post(
        reverse("web:reference_ground_edit", args=["dual_criminality"]),
        _ground_data(label_ru=""),
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert "hx-post" in content
    assert 'value="No dual criminality"' in content
    assert "has-error" in content


def test_ground_edit_unticked_box_clears_political_default(client, supervisor):
    RefusalGround.objects.filter(code="political_offence").update(counts_as_political=True)
    prefix = "ground-political_offence"
    ground = RefusalGround.objects.get(code="political_offence")

    client.post(
        reverse("web:reference_ground_edit", args=["political_offence"]),
        {f"{prefix}-label_en": ground.label_en, f"{prefix}-label_ru": ground.label_ru},
    )

    assert RefusalGround.objects.get(code="political_offence").counts_as_political is False


# --- treaties ----------------------------------------------------------------------------------


def test_treaty_edit_saves_and_returns_to_the_page(client, supervisor):
    response = client.post(
        reverse("web:reference_treaty_edit", args=["MINSK-1993"]), _treaty_data()
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('web:reference')}#treaty-MINSK-1993"
    treaty = Treaty.objects.get(code="MINSK-1993")
    assert (treaty.name_en, treaty.short_name) == ("Minsk Convention", "Minsk")
    assert set(treaty.parties.values_list("code", flat=True)) == {"BY", "RU"}
    assert AuditRecord.objects.filter(action="treaty_update", object_id="MINSK-1993").exists()
    assert "Minsk Convention" in client.get(response.url).content.decode()


def test_treaty_edit_form_selects_current_parties(client, supervisor):
    response = client.get(reverse("web:reference_treaty_edit", args=["MINSK-1993"]))

    content = response.content.decode()
    assert '<option value="BY" selected>' in content
    assert '<option value="CH">' in content


def test_treaty_edit_lists_countries_by_name_in_the_users_language(client, supervisor):
    response = client.get(
        reverse("web:reference_treaty_edit", args=["MINSK-1993"]), headers={"Accept-Language": "ru"}
    )

    names = [name for _code, name in response.context["form"].fields["parties"].choices]
    assert "Швейцария" in names
    assert names.index("Австрия") < names.index("Бельгия") < names.index("Япония")


def test_treaty_edit_failed_keeps_input_and_names_each_field(client, supervisor):
    response = client.post(
        reverse("web:reference_treaty_edit", args=["MINSK-1993"]),
        _treaty_data(name_en="", short_name="Typed short name", parties=["BY", "ZZ"]),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name_en", "parties"}
    content = response.content.decode()
    assert 'value="Typed short name"' in content
    assert '<option value="BY" selected>' in content
    assert Treaty.objects.get(code="MINSK-1993").edited_at is None


def test_treaty_edit_service_error_lands_on_its_field(client, supervisor):
    response = client.post(
        reverse("web:reference_treaty_edit", args=["MINSK-1993"]),
        _treaty_data(covers_mla=None, covers_extradition=None),
    )

    assert response.context["form"].errors == {
        "covers_mla": ["A treaty must cover legal assistance, extradition or both."]
    }
    assert 'value="Minsk Convention"' in response.content.decode()


def test_treaty_add_creates_a_bilateral_treaty(client, supervisor):
    response = client.post(reverse("web:reference_treaty_add"), _new_treaty_data())

    assert response.status_code == 302
    assert response.url == f"{reverse('web:reference')}#treaty-BILAT-CH-2005"
    treaty = Treaty.objects.get(code="BILAT-CH-2005")
    assert treaty.kind == Treaty.Kind.BILATERAL
    assert list(treaty.parties.values_list("code", flat=True)) == ["CH"]
    assert (treaty.covers_mla, treaty.covers_extradition) == (True, False)
    assert AuditRecord.objects.filter(action="treaty_create", object_id="BILAT-CH-2005").exists()
    assert "BILAT-CH-2005" in client.get(response.url).content.decode()


def test_treaty_add_failed_keeps_input_and_names_each_field(client, supervisor):
    response = client.post(
        reverse("web:reference_treaty_add"),
        _new_treaty_data(country="", name_ru="", short_name="Typed", adopted_on="not a date"),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"country", "name_ru", "adopted_on"}
    content = response.content.decode()
    assert 'value="bilat-ch-2005"' in content
    assert 'value="Typed"' in content
    assert 'value="not a date"' in content
    assert not Treaty.objects.filter(code="BILAT-CH-2005").exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ECMA-1959", "There is already a treaty with the code “ECMA-1959”."),
        ("BILAT CH", "capital Latin letters, digits and hyphens"),
    ],
)
def test_treaty_add_rejects_code_on_its_field(client, supervisor, code, message):
    response = client.post(reverse("web:reference_treaty_add"), _new_treaty_data(code=code))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["code"]
    assert message in errors["code"][0]
    assert 'value="Treaty with Switzerland on mutual legal assistance"' in response.content.decode()


def test_treaty_add_names_a_wrong_code_together_with_other_wrong_fields(client, supervisor):
    response = client.post(
        reverse("web:reference_treaty_add"), _new_treaty_data(code="bad code", name_ru="")
    )

    assert set(response.context["form"].errors) == {"code", "name_ru"}
    assert 'value="bad code"' in response.content.decode()
