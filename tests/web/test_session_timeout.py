"""A session ends after 30 idle minutes or 8 hours in all, and the sign-in page says why.

The middleware's clock is moved instead of waiting: `_now` is what it reads.
"""

import pytest
from django.urls import reverse

from rogatory.web import middleware
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("web:login")
DASHBOARD = reverse("web:dashboard")
API_REQUESTS = "/api/v1/requests"


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600


@pytest.fixture
def clock(monkeypatch, settings) -> _Clock:
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.ROGATORY_SESSION_IDLE_SECONDS = 30 * 60
    fake = _Clock()
    monkeypatch.setattr(middleware, "_now", fake)
    return fake


def _sign_in(client) -> None:
    user = UserFactory()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def _signed_out_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_used_within_the_idle_limit_stays_signed_in(client, clock):
    _sign_in(client)
    for _ in range(15):  # 15 × 29 minutes: 7 h 15 min, never idle for 30 minutes
        clock.advance(minutes=29)
        assert client.get(DASHBOARD).status_code == 200


def test_an_idle_session_is_signed_out_and_the_sign_in_page_says_why(client, clock):
    _sign_in(client)
    assert client.get(DASHBOARD).status_code == 200
    clock.advance(minutes=31)

    response = client.get(DASHBOARD)

    assert _signed_out_to_login(response)
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    # Signed out for good: the next request is not let in either.
    assert _signed_out_to_login(client.get(DASHBOARD))


def test_a_busy_session_ends_after_the_absolute_limit_and_says_why(client, clock):
    _sign_in(client)
    for _ in range(16):  # 16 × 29 minutes = 7 h 44 min, active all along
        clock.advance(minutes=29)
        assert client.get(DASHBOARD).status_code == 200
    clock.advance(minutes=17)  # 8 h 1 min after signing in

    response = client.get(DASHBOARD)

    assert _signed_out_to_login(response)
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had been signed in for 8 hours." in page


def test_the_idle_limit_is_a_setting(client, clock, settings):
    settings.ROGATORY_SESSION_IDLE_SECONDS = 5 * 60
    _sign_in(client)
    clock.advance(minutes=6)
    response = client.get(DASHBOARD)
    assert _signed_out_to_login(response)
    assert "after 5 minutes without activity" in client.get(LOGIN).content.decode()


def test_an_idle_session_no_longer_reaches_the_api(client, clock):
    _sign_in(client)
    assert client.get(API_REQUESTS).status_code == 200
    clock.advance(minutes=31)
    assert client.get(API_REQUESTS).status_code == 401


def test_a_part_of_a_page_asked_by_htmx_sends_the_whole_page_to_sign_in(client, clock):
    _sign_in(client)
    clock.advance(minutes=31)

    response = client.get(
        "/requests/?direction=incoming",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/requests/?kind=mla"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2Frequests%2F%3Fkind%3Dmla"
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
