"""Signing in through the browser."""

import re

from playwright.sync_api import expect

from rogatory.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in


def test_sign_in_page_names_its_fields(page):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()


def test_sign_in_with_a_wrong_password_is_refused(page):
    UserFactory(username="clara", role=Role.CLERK)

    sign_in_attempt = page.goto("/login/")
    assert sign_in_attempt.ok
    page.get_by_label("User name").fill("clara")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_leads_to_the_dashboard(page):
    UserFactory(username="clara", role=Role.CLERK)

    sign_in(page, "clara")

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Dashboard")).to_have_attribute(
        "aria-current", "page"
    )
