"""The client's address, directly or behind trusted reverse proxies."""

import pytest
from django.test import RequestFactory

from rogatory.core.clients import client_address


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_peer_is_the_client_and_forwarded_for_is_ignored(settings):
    settings.ROGATORY_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "count", "client"),
    [
        ("198.51.100.7", 1, "198.51.100.7"),
        # The client may send its own X-Forwarded-For; only what our proxy added counts.
        ("6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),
        ("6.6.6.6, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
    ],
)
def test_behind_proxies_the_address_our_outermost_proxy_saw_is_the_client(
    settings, forwarded, count, client
):
    settings.ROGATORY_PROXY_COUNT = count
    assert client_address(_request("10.0.0.1", forwarded)) == client


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "<script>"])
def test_a_missing_or_forged_forwarded_address_is_not_taken(settings, forwarded):
    settings.ROGATORY_PROXY_COUNT = 1
    assert client_address(_request("10.0.0.1", forwarded)) in ("10.0.0.1", "")
