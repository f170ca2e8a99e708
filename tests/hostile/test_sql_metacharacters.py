"""SQL metacharacters in every search box, filter, sort order, id and cursor: never a 500.

Each list page and API list endpoint is given quotes, comment markers, LIKE wildcards,
backslashes, NUL, UNION SELECT and very long strings in every parameter it reads; ids in paths
get the same. The answer is a page, a form error or a 4xx, never a server error, and searches
stay exact: a reference holding ' and % is found by exactly that text, and a search for % or _
matches only what holds that character (LIKE wildcards are escaped), on SQLite and PostgreSQL.
"""

from html import escape
from urllib.parse import quote

import pytest
from django.test import Client

from rogatory.accounts.models import Role
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .tally import tally

pytestmark = pytest.mark.django_db

MODULE = "SQL metacharacters"

PAYLOADS = [
    "'",
    '"',
    ";",
    "--",
    "/*",
    "*/",
    "%",
    "_",
    "\\",
    "\\%",
    "%%",
    "\x00",
    "a\x00b",
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE register_request; --",
    "1; SELECT pg_sleep(0)",
    "' UNION SELECT username, password FROM accounts_user --",
    "1 UNION SELECT NULL, NULL --",
    "') OR ('x'='x",
    "%' AND 1=1 AND '%'='",
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "NaN",
    "[]",
    "{}",
    "\u202e",
    "😀",
    "x" * 10_000,
    "'" * 5_000,
]

# The references the searches must tell apart.
REFERENCES = [
    "O'Brien-50%",
    "PLAIN-1",
    "UNDER_SCORE",
    "BACK\\SLASH",
    'QUO"TE',
    "SEMI;COLON--",
]

WEB_LIST_PARAMETERS = {
    "/requests/": [
        "search",
        "direction",
        "kind",
        "status",
        "opened_from",
        "opened_to",
        "political",
        "unit",
        "sort",
        "cursor",
        "country",
        "ground",
    ],
    "/countries/": ["q", "all"],
    "/audit/": ["action", "user", "object_type", "day", "before"],
}
# Pages that compute figures take a while each: they get the payloads most likely to hurt.
WEB_FIGURE_PARAMETERS = {
    "/reports/": ["year", "from", "to", "direction", "as_of", "lang"],
    "/statement/": ["year", "lang", "as_of"],
    "/": ["year", "period"],
}
FIGURE_PAYLOADS = ["'", "%", "\x00", "' OR 1=1 --", "1 UNION SELECT NULL, NULL --", "x" * 10_000]
API_LIST_PARAMETERS = {
    "/api/v1/requests": [
        "direction",
        "kind",
        "country",
        "status",
        "opened_from",
        "opened_to",
        "ground",
        "political",
        "unit",
        "search",
        "sort",
        "cursor",
        "limit",
    ],
    "/api/v1/examples": ["status"],
}
API_FIGURE_PARAMETERS = {
    "/api/v1/report": ["year", "from", "to", "direction", "as_of"],
    "/api/v1/partners": ["year", "direction", "as_of"],
    "/api/v1/statement": ["year", "lang", "as_of"],
}
WEB_PATHS = [
    "/requests/{}/",
    "/requests/{}/audit/",
    "/requests/{}/documents/{}/",
    "/requests/{}/example/",
    "/countries/{}/",
    "/reference/grounds/{}/",
    "/reference/grounds/{}/edit/",
    "/reference/treaties/{}/edit/",
    "/reports/download/{}/",
    "/import/jobs/{}/",
    "/exports/{}/",
    "/users/{}/",
]
API_PATHS = [
    "/api/v1/requests/{}",
    "/api/v1/requests/{}/documents/{}",
    "/api/v1/partners/{}",
]


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supervisor():
    unit = UnitFactory(code="central", name="Central authority")
    for reference in REFERENCES:
        make_request(unit=unit, reference=reference)
    return UserFactory(role=Role.SUPERVISOR, units=[unit])


@pytest.fixture
def web(supervisor) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


@pytest.fixture
def api_client(supervisor) -> Client:
    from rogatory.accounts.services import token_create

    secret = token_create(actor=None, user=supervisor, name="sql").secret
    return Client(headers={"authorization": f"Bearer {secret}"})


def _no_server_error(response, where: str) -> None:
    tally(MODULE, "requests sent")
    assert response.status_code < 500, f"{where}: {response.status_code}"


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_web_list_parameters(web, payload):
    for page, parameters in WEB_LIST_PARAMETERS.items():
        for parameter in parameters:
            response = web.get(page, {parameter: payload})
            _no_server_error(response, f"{page}?{parameter}={payload[:30]!r}")
        # htmx asks for the results alone.
        response = web.get(page, {parameters[0]: payload}, headers={"HX-Request": "true"})
        _no_server_error(response, f"{page} (htmx)")


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_api_list_parameters(api_client, payload):
    for endpoint, parameters in API_LIST_PARAMETERS.items():
        for parameter in parameters:
            response = api_client.get(endpoint, {parameter: payload})
            _no_server_error(response, f"{endpoint}?{parameter}={payload[:30]!r}")


@pytest.mark.parametrize("payload", FIGURE_PAYLOADS, ids=range(len(FIGURE_PAYLOADS)))
def test_figure_parameters(web, api_client, payload):
    for page, parameters in WEB_FIGURE_PARAMETERS.items():
        for parameter in parameters:
            response = web.get(page, {parameter: payload})
            _no_server_error(response, f"{page}?{parameter}={payload[:30]!r}")
    for endpoint, parameters in API_FIGURE_PARAMETERS.items():
        for parameter in parameters:
            response = api_client.get(endpoint, {"year": 2023, parameter: payload})
            _no_server_error(response, f"{endpoint}?{parameter}={payload[:30]!r}")


_PATH_PAYLOADS = [payload for payload in PAYLOADS if "\x00" not in payload]


@pytest.mark.parametrize("payload", _PATH_PAYLOADS, ids=range(len(_PATH_PAYLOADS)))
def test_ids_and_codes_in_paths(web, api_client, payload):
    segment = quote(payload[:300], safe="")
    for template in WEB_PATHS:
        url = template.format(segment, segment)
        _no_server_error(web.get(url), url)
    for template in API_PATHS:
        url = template.format(segment, segment)
        _no_server_error(api_client.get(url), url)


@pytest.mark.parametrize("template", [*WEB_PATHS, *API_PATHS])
def test_nul_in_paths(web, api_client, template):
    client = api_client if template.startswith("/api/") else web
    for payload in ("\x00", "a\x00b", "\x00A", "C\x00"):
        segment = quote(payload, safe="")
        url = template.format(segment, segment)
        _no_server_error(client.get(url), url)


def _web_found(web: Client, search: str) -> set[str]:
    response = web.get("/requests/", {"search": search})
    assert response.status_code == 200, response.content
    # The search box shows the search back; the references are looked for in the rest.
    page = response.content.decode().replace(f'value="{escape(search)}"', "")
    return {reference for reference in REFERENCES if escape(reference) in page}


def _api_found(api_client: Client, search: str) -> set[str]:
    response = api_client.get("/api/v1/requests", {"search": search, "limit": 200})
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("O'Brien-50%", {"O'Brien-50%"}),
        ("'", {"O'Brien-50%"}),
        ("%", {"O'Brien-50%"}),
        ("50%", {"O'Brien-50%"}),
        ("_", {"UNDER_SCORE"}),
        ("D_R", set()),
        ("\\", {"BACK\\SLASH"}),
        ('"', {'QUO"TE'}),
        (";", {"SEMI;COLON--"}),
        ("--", {"SEMI;COLON--"}),
        ("' OR '1'='1", set()),
        ("%' OR '%'='", set()),
        ("plain-1", {"PLAIN-1"}),
    ],
)
def test_search_finds_exactly_what_holds_the_text(web, api_client, search, found):
    tally(MODULE, "exact searches")
    assert _api_found(api_client, search) == found
    assert _web_found(web, search) == found


def test_every_reference_is_listed_without_a_search(api_client):
    """The searches above tell something apart: all references are there to be found."""
    assert _api_found(api_client, "") == set(REFERENCES)
