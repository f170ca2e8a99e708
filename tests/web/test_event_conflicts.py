"""Two clerks recording on one request page at the same moment: one is recorded, one is told.

Every event form carries the version of the request the page showed. A form submitted on a
version someone has changed since comes back with what was typed, the request as it now is,
and the current version, so that submitting it again records it. The parallel test signs two
clients in to `rogatory serve` on a PostgreSQL database of its own.
"""

import html as html_lib
import re
import threading
import uuid
from datetime import date

import pytest
import requests
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register.models import Event, Request
from rogatory.register.services import request_record_acknowledged
from tests.accounts.factories import UserFactory
from tests.benchmarks.scripts import benchmark_script
from tests.register.factories import make_request

soak = benchmark_script("soak")
CONFLICT = "Someone else changed this request since you read it"


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _event_url(request: Request, event_type: str) -> str:
    return reverse("web:request_event", args=[request.pk, event_type])


def _version_in(html: str, event_type: str) -> int:
    """Return the version the page's form for `event_type` carries."""
    match = re.search(rf'name="{event_type}-version" value="(\d+)"', html)
    assert match, f"no {event_type}-version field in the page"
    return int(match.group(1))


def _note_typed(html: str, event_type: str) -> str:
    match = re.search(rf'<textarea name="{event_type}-note"[^>]*>\s*(.*?)</textarea>', html, re.S)
    assert match, f"no {event_type}-note field in the page"
    return html_lib.unescape(match.group(1))


def _acknowledge(client, request: Request, *, version: int, note: str, **headers):
    return client.post(
        _event_url(request, "acknowledged"),
        {
            "acknowledged-occurred_on": "2023-04-01",
            "acknowledged-note": note,
            "acknowledged-version": str(version),
        },
        **headers,
    )


# --- One client at a time ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_event_form_carries_the_version_the_page_shows(client, clerk_in):
    request = make_request()

    html = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()

    offered = re.findall(r'action="/requests/\d+/events/([a-z_]+)/"', html)
    assert offered
    for event_type in offered:
        assert _version_in(html, event_type) == request.version


@pytest.mark.django_db
def test_a_form_on_a_stale_version_comes_back_with_the_input_and_the_current_version(
    client, clerk_in
):
    request = make_request()
    stale = request.version
    request_record_acknowledged(actor=None, request=request, acknowledged_on=date(2023, 3, 20))

    response = _acknowledge(client, request, version=stale, note="Reply by fax <b>today</b>")

    page = response.content.decode()
    assert response.status_code == 200, page
    assert CONFLICT in page
    assert "submit again if your event still applies" in page
    assert _note_typed(page, "acknowledged") == "Reply by fax <b>today</b>"
    assert "<b>today</b>" not in page
    assert _version_in(page, "acknowledged") == stale + 1
    assert re.search(r'<details class="event-form" open>\s*<summary>Receipt acknowledged', page)
    # The history already shows what the other clerk recorded.
    assert re.findall(r'<li class="event event-([a-z_]+)">', page) == [
        "registered",
        "sent",
        "acknowledged",
    ]
    assert request.events.filter(note__startswith="Reply by fax").count() == 0


@pytest.mark.django_db
def test_the_form_that_came_back_records_when_submitted_again(client, clerk_in):
    request = make_request()
    stale = request.version
    request_record_acknowledged(actor=None, request=request, acknowledged_on=date(2023, 3, 20))
    page = _acknowledge(client, request, version=stale, note="Reply").content.decode()

    again = _acknowledge(client, request, version=_version_in(page, "acknowledged"), note="Reply")

    assert again.status_code == 302, again.content
    assert request.events.filter(note="Reply").count() == 1


@pytest.mark.django_db
def test_the_same_form_submitted_twice_is_recorded_once(client, clerk_in):
    request = make_request()

    first = _acknowledge(client, request, version=request.version, note="Double click")
    second = _acknowledge(client, request, version=request.version, note="Double click")

    assert first.status_code == 302, first.content
    assert second.status_code == 200
    assert CONFLICT in second.content.decode()
    assert request.events.filter(note="Double click").count() == 1


@pytest.mark.django_db
def test_a_conflict_with_htmx_swaps_in_the_card_with_the_message(client, clerk_in):
    request = make_request()
    stale = request.version
    request_record_acknowledged(actor=None, request=request, acknowledged_on=date(2023, 3, 20))

    response = _acknowledge(
        client,
        request,
        version=stale,
        note="By htmx",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="events",
    )

    card = response.content.decode()
    assert response.status_code == 200, card
    assert card.lstrip().startswith('<section id="events"')
    assert CONFLICT in card
    assert _note_typed(card, "acknowledged") == "By htmx"
    assert _version_in(card, "acknowledged") == stale + 1


@pytest.mark.django_db
def test_a_refusal_on_a_stale_version_keeps_its_grounds(client, clerk_in):
    request = make_request()
    stale = request.version
    request_record_acknowledged(actor=None, request=request, acknowledged_on=date(2023, 3, 20))

    response = client.post(
        _event_url(request, "decided"),
        {
            "decided-outcome": "refused",
            "decided-occurred_on": "2023-05-01",
            "decided-grounds": ["political_offence", "fiscal_offence"],
            "decided-version": str(stale),
        },
    )

    page = response.content.decode()
    assert CONFLICT in page
    assert re.search(r'value="political_offence"[^>]*checked', page)
    assert re.search(r'value="fiscal_offence"[^>]*checked', page)
    assert _version_in(page, "decided") == stale + 1
    assert not request.events.filter(type=Event.Type.DECIDED).exists()


# --- Two clients at one moment, over HTTP, on PostgreSQL --------------------------------------


@pytest.fixture(scope="module")
def server():
    """Serve a PostgreSQL database of this module's own with `rogatory serve`."""
    databases = benchmark_script("databases")
    if not databases.postgres_answers():
        pytest.skip(f"PostgreSQL does not answer at {databases.POSTGRES_URL}")
    with (
        soak.scratch_database("rogatory_test_web_conflicts") as url,
        soak.soak_server(url, workers=3) as running,
    ):
        yield running


def _browser(server) -> requests.Session:
    """Return a session signed in through the sign-in page, as a browser of its own."""
    load = benchmark_script("load")
    session = requests.Session()
    cookie = load.sign_in(server.base, username=load.USERNAME, password=load.PASSWORD)
    name, value = cookie.split("=", 1)
    session.cookies.set(name, value)
    return session


def _form_fields(page: str, event_type: str) -> dict[str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the page has no CSRF token"
    return {
        "csrfmiddlewaretoken": token.group(1),
        f"{event_type}-version": str(_version_in(page, event_type)),
    }


@pytest.mark.postgres
def test_two_clerks_submitting_one_form_at_once_one_is_recorded_one_is_told(server):
    (request_id,) = soak.targets_create(server, count=1, run=uuid.uuid4().hex[:8])
    url = f"{server.base}/requests/{request_id}/"
    browsers = [_browser(server), _browser(server)]
    pages = [browser.get(url, timeout=120).text for browser in browsers]
    start = threading.Barrier(2)
    answers: list = [None, None]

    def submit(number: int) -> None:
        fields = _form_fields(pages[number], "acknowledged")
        fields |= {
            "acknowledged-occurred_on": date.today().isoformat(),
            "acknowledged-note": f"Clerk {number} typed this",
        }
        start.wait()
        answers[number] = browsers[number].post(
            f"{url}events/acknowledged/",
            data=fields,
            headers={"Referer": url},
            allow_redirects=False,
            timeout=120,
        )

    threads = [threading.Thread(target=submit, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 302], [answer.text[:2000] for answer in answers]
    recorded = next(n for n, answer in enumerate(answers) if answer.status_code == 302)
    told = 1 - recorded
    page = answers[told].text
    assert CONFLICT in page
    assert _note_typed(page, "acknowledged") == f"Clerk {told} typed this"
    assert f"Clerk {recorded} typed this" in page  # the history shows the other's event
    # Submitting the form that came back records the second event after the first.
    again = browsers[told].post(
        f"{url}events/acknowledged/",
        data=_form_fields(page, "acknowledged")
        | {
            "acknowledged-occurred_on": date.today().isoformat(),
            "acknowledged-note": f"Clerk {told} typed this",
        },
        headers={"Referer": url},
        allow_redirects=False,
        timeout=120,
    )
    assert again.status_code == 302, again.text[:2000]
    with soak.api_session(server) as api:
        events = api.get(f"{server.base}/api/v1/requests/{request_id}", timeout=120).json()
    notes = [e["note"] for e in events["events"] if e["type"] == "acknowledged"]
    assert notes == [f"Clerk {recorded} typed this", f"Clerk {told} typed this"]
