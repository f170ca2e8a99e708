"""The user administration page: who may open it, creating and editing users and units."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from rogatory.accounts.models import Role, Unit, User
from tests.accounts.factories import PASSWORD, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = reverse("web:user_list")
NEW_USER = reverse("web:user_create")
NEW_UNIT = reverse("web:unit_create")
GOOD_PASSWORD = "a long enough passphrase 9"


@pytest.fixture
def admin(client, central):
    user = UserFactory(username="ada", role=Role.ADMINISTRATOR, units=[central])
    client.force_login(user)
    return user


def _pages(someone: User) -> list[tuple[str, str]]:
    return [
        ("get", USERS),
        ("get", NEW_USER),
        ("get", reverse("web:user_edit", args=[someone.pk])),
        ("post", reverse("web:user_password", args=[someone.pk])),
        ("post", NEW_UNIT),
        ("post", reverse("web:user_two_factor_reset", args=[someone.pk])),
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR])
def test_users_pages_are_forbidden_below_administrator(client, role):
    someone = UserFactory()
    client.force_login(UserFactory(role=role))
    for method, url in _pages(someone):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert "You cannot open this page" in client.get(USERS).content.decode()


def test_users_pages_open_for_an_administrator(client, admin):
    for method, url in _pages(admin):
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200, response.content


def test_users_pages_send_anonymous_visitors_to_sign_in(client):
    someone = UserFactory()
    for method, url in _pages(someone):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("web:login"))


def test_users_navigation_appears_only_for_administrators(client, admin):
    assert f'href="{USERS}"' in client.get(reverse("web:account")).content.decode()
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    assert f'href="{USERS}"' not in client.get(reverse("web:account")).content.decode()


def test_user_list_shows_role_units_status_and_two_factor(client, admin, central):
    north = UnitFactory(code="north", name="Northern department")
    clerk = UserFactory(username="clara", role=Role.CLERK, units=[central, north])
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    UserFactory(username="gone", is_active=False)
    response = client.get(USERS)
    content = response.content.decode()
    assert response.status_code == 200, response.content
    for name in ("ada", "clara", "sam", "gone", "Northern department", "Switched off"):
        assert name in content
    users = {user.username: user for user in response.context["users"]}
    assert users["sam"].two_factor and not users["clara"].two_factor
    assert [unit.code for unit in users["clara"].units.all()] == [
        unit.code for unit in sorted([central, north], key=lambda unit: unit.name)
    ]
    assert clerk.pk in {user.pk for user in response.context["users"]}


def test_user_create_makes_a_user_who_can_sign_in(client, admin, central):
    response = client.post(
        NEW_USER,
        {
            "username": "new.clerk",
            "email": "new.clerk@example.org",
            "role": Role.CLERK,
            "units": [central.pk],
            "password": GOOD_PASSWORD,
        },
    )
    assert response.url == USERS
    user = User.objects.get(username="new.clerk")
    assert (user.email, user.role) == ("new.clerk@example.org", Role.CLERK)
    assert list(user.units.all()) == [central]
    assert "User “new.clerk” created." in client.get(USERS).content.decode()
    visitor = Client()
    signed_in = visitor.post(
        reverse("web:login"), {"username": "new.clerk", "password": GOOD_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert visitor.session["_auth_user_id"] == str(user.pk)


def test_user_create_with_a_weak_password_keeps_what_was_typed(client, admin, central):
    north = UnitFactory(code="north", name="Northern department")
    response = client.post(
        NEW_USER,
        {
            "username": "new.viewer",
            "email": "viewer@example.org",
            "role": Role.VIEWER,
            "units": [north.pk],
            "password": "short",
        },
    )
    assert response.status_code == 200, response.content
    content = response.content.decode()
    assert "too short" in content
    assert 'value="new.viewer"' in content
    assert 'value="viewer@example.org"' in content
    assert '<option value="viewer" selected>' in content
    assert f'name="units" value="{north.pk}" id="id_units_1" checked>' in content
    assert not User.objects.filter(username="new.viewer").exists()


def test_user_create_refuses_a_name_already_taken(client, admin):
    response = client.post(
        NEW_USER, {"username": "ada", "role": Role.VIEWER, "password": GOOD_PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["A user with this name already exists."]
    assert User.objects.filter(username="ada").count() == 1


def test_user_edit_changes_role_units_email_and_status(client, admin, central):
    north = UnitFactory(code="north", name="Northern department")
    clerk = UserFactory(username="clara", role=Role.CLERK, units=[central])
    url = reverse("web:user_edit", args=[clerk.pk])
    form = client.get(url).context["form"]
    assert form.initial["role"] == Role.CLERK
    response = client.post(
        url, {"email": "clara@example.org", "role": Role.SUPERVISOR, "units": [north.pk]}
    )
    assert response.url == USERS
    clerk.refresh_from_db()
    assert (clerk.role, clerk.email, clerk.is_active) == (
        Role.SUPERVISOR,
        "clara@example.org",
        False,
    )
    assert list(clerk.units.all()) == [north]


def test_user_edit_refuses_to_change_your_own_role(client, admin, central):
    url = reverse("web:user_edit", args=[admin.pk])
    response = client.post(
        url, {"role": Role.VIEWER, "units": [central.pk], "is_active": "on", "email": "x@y.org"}
    )
    assert response.status_code == 200, response.content
    content = response.content.decode()
    assert "You cannot change your own role." in content
    assert 'value="x@y.org"' in content
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


def test_user_edit_refuses_to_switch_yourself_off(client, admin, central):
    url = reverse("web:user_edit", args=[admin.pk])
    response = client.post(url, {"role": Role.ADMINISTRATOR, "units": [central.pk]})
    assert "You cannot deactivate yourself." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_user_edit_of_an_unknown_user_is_not_found(client, admin):
    assert client.get(reverse("web:user_edit", args=[999999])).status_code == 404


def test_administrator_sets_a_new_password(client, admin):
    clerk = UserFactory(username="clara")
    url = reverse("web:user_password", args=[clerk.pk])
    weak = client.post(url, {"password": "short"})
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    response = client.post(url, {"password": GOOD_PASSWORD})
    assert response.url == reverse("web:user_edit", args=[clerk.pk])
    clerk.refresh_from_db()
    assert clerk.check_password(GOOD_PASSWORD)


def test_administrator_turns_off_two_factor_for_a_user_who_lost_their_phone(client, admin):
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    url = reverse("web:user_two_factor_reset", args=[supervisor.pk])
    assert (
        reverse("web:user_two_factor_reset", args=[supervisor.pk])
        in client.get(reverse("web:user_edit", args=[supervisor.pk])).content.decode()
    )
    response = client.post(url)
    assert response.url == reverse("web:user_edit", args=[supervisor.pk])
    assert not TOTPDevice.objects.filter(user=supervisor).exists()


def test_only_administrators_turn_off_someone_elses_two_factor(client):
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    response = client.post(reverse("web:user_two_factor_reset", args=[supervisor.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=supervisor).exists()


def test_unit_create_adds_a_unit(client, admin):
    response = client.post(NEW_UNIT, {"name": "Extradition department", "code": ""})
    assert response.url == USERS
    unit = Unit.objects.get(name="Extradition department")
    assert unit.code == "extradition-department"
    assert "Extradition department" in client.get(USERS).content.decode()


def test_unit_create_refuses_a_code_in_use_and_keeps_the_name(client, admin, central):
    response = client.post(NEW_UNIT, {"name": "Second central", "code": "central"})
    assert response.status_code == 200, response.content
    content = response.content.decode()
    assert "A unit with the code “central” already exists." in content
    assert 'value="Second central"' in content
    assert not Unit.objects.filter(name="Second central").exists()


def test_error_pages_render(client, admin):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing here" in response.content.decode()
    # The 500 page is rendered with no request and no context at all.
    page = render_to_string("500.html")
    assert "Something went wrong" in page
