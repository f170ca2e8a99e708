"""Recording an event on a version of the request someone has changed since: 409, nothing kept.

The client names the version it read in the body (`version`) or as `If-Match` (the `ETag` of
its read). The parallel tests run API clients in threads against `rogatory serve` on a
PostgreSQL database of their own.
"""

import threading
import uuid
from datetime import date

import pytest
import requests

from rogatory.register.models import Request
from tests.benchmarks.scripts import benchmark_script

from .conftest import API, assert_error

soak = benchmark_script("soak")


def _post(client, request: Request, *, headers: dict | None = None, **payload):
    return client.post(
        f"{API}/requests/{request.pk}/events",
        {"type": "acknowledged", "occurred_on": "2023-04-01", **payload},
        content_type="application/json",
        headers=headers or {},
    )


def _events(request: Request) -> int:
    return request.events.count()


# --- One client at a time ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_read_of_a_request_gives_its_version_as_etag(clerk_client, own_request):
    response = clerk_client.get(f"{API}/requests/{own_request.pk}")

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{own_request.version}"'


@pytest.mark.django_db
def test_the_etag_sent_back_as_if_match_records_and_gives_the_new_version(
    clerk_client, own_request
):
    etag = clerk_client.get(f"{API}/requests/{own_request.pk}")["ETag"]

    response = _post(clerk_client, own_request, headers={"If-Match": etag})

    assert response.status_code == 201, response.content
    assert response["ETag"] == f'"{own_request.version + 1}"'
    assert response.json()["request"]["version"] == own_request.version + 1


@pytest.mark.django_db
def test_a_stale_if_match_is_a_conflict_that_names_the_latest_event(clerk_client, own_request):
    stale = clerk_client.get(f"{API}/requests/{own_request.pk}")["ETag"]
    assert _post(clerk_client, own_request).status_code == 201
    events = _events(own_request)

    response = _post(
        clerk_client, own_request, type="supplementary_requested", headers={"If-Match": stale}
    )

    body = assert_error(response, 409, field="version")
    assert "Someone else changed this request since you read it" in body["detail"]
    assert "“receipt acknowledged” of 2023-04-01" in body["detail"]
    assert _events(own_request) == events


@pytest.mark.django_db
def test_a_stale_version_in_the_body_is_a_conflict(clerk_client, own_request):
    stale = own_request.version
    assert _post(clerk_client, own_request).status_code == 201

    response = _post(clerk_client, own_request, version=stale)

    assert_error(response, 409, field="version")
    assert _events(own_request) == 3


@pytest.mark.django_db
def test_the_same_post_sent_twice_on_one_version_is_recorded_once(clerk_client, own_request):
    version = own_request.version

    first = _post(clerk_client, own_request, version=version, note="sent twice")
    second = _post(clerk_client, own_request, version=version, note="sent twice")

    assert first.status_code == 201, first.content
    assert_error(second, 409, field="version")
    assert own_request.events.filter(note="sent twice").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("form", ['W/"{v}"', "{v}", ' "{v}" '])
def test_if_match_may_be_weak_or_bare(clerk_client, own_request, form):
    response = _post(
        clerk_client, own_request, headers={"If-Match": form.format(v=own_request.version)}
    )

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_if_match_star_records_on_any_version(clerk_client, own_request):
    assert _post(clerk_client, own_request).status_code == 201

    response = _post(clerk_client, own_request, headers={"If-Match": "*"})

    assert response.status_code == 201, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", '"1", "2"', '"-1"', "1.5"])
def test_an_if_match_that_is_not_one_version_is_refused(clerk_client, own_request, value):
    response = _post(clerk_client, own_request, headers={"If-Match": value})

    assert_error(response, 422, field="If-Match")
    assert _events(own_request) == 2


@pytest.mark.django_db
def test_a_version_in_the_body_and_another_in_if_match_is_refused(clerk_client, own_request):
    response = _post(
        clerk_client,
        own_request,
        version=own_request.version,
        headers={"If-Match": f'"{own_request.version + 1}"'},
    )

    assert_error(response, 422, field="version")
    assert _events(own_request) == 2


@pytest.mark.django_db
def test_a_change_of_details_gives_the_new_version_as_etag(clerk_client, own_request):
    response = clerk_client.patch(
        f"{API}/requests/{own_request.pk}",
        {"notes": "New notes", "version": own_request.version},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{own_request.version + 1}"'


@pytest.mark.django_db
def test_the_openapi_document_describes_if_match_and_the_conflict(client):
    document = client.get(f"{API}/openapi.json").json()
    operation = document["paths"]["/api/v1/requests/{request_id}/events"]["post"]

    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert "If-Match" in headers
    assert "ETag" in headers["If-Match"]["description"]
    assert "409" in operation["responses"]
    assert "If-Match" in operation["description"]


# --- Clients in parallel, over HTTP, on PostgreSQL --------------------------------------------

CLIENTS = 8


@pytest.fixture(scope="module")
def server():
    """Serve a PostgreSQL database of this module's own with `rogatory serve`."""
    databases = benchmark_script("databases")
    if not databases.postgres_answers():
        pytest.skip(f"PostgreSQL does not answer at {databases.POSTGRES_URL}")
    with (
        soak.scratch_database("rogatory_test_event_conflicts") as url,
        soak.soak_server(url, workers=4) as running,
    ):
        yield running


def _parallel_posts(server, request_id: int, *, headers: list[dict]) -> list[requests.Response]:
    """POST one event per entry of `headers`, each from its own client, all at one moment."""
    start = threading.Barrier(len(headers))
    answers: list = [None] * len(headers)

    def post(number: int) -> None:
        with soak.api_session(server) as session:
            start.wait()
            answers[number] = session.post(
                f"{server.base}/api/v1/requests/{request_id}/events",
                json={
                    "type": "acknowledged",
                    "occurred_on": date.today().isoformat(),
                    "note": f"client {number}",
                },
                headers=headers[number],
                timeout=120,
            )

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _read(server, request_id: int) -> requests.Response:
    with soak.api_session(server) as session:
        answer = session.get(f"{server.base}/api/v1/requests/{request_id}", timeout=120)
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.postgres
def test_parallel_clients_on_one_version_get_one_201_and_the_rest_409(server):
    (request_id,) = soak.targets_create(server, count=1, run=uuid.uuid4().hex[:8])
    etag = _read(server, request_id).headers["ETag"]

    answers = _parallel_posts(server, request_id, headers=[{"If-Match": etag}] * CLIENTS)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1), [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert "Someone else changed this request" in answer.json()["detail"]
    (created,) = [a.json()["event"]["id"] for a in answers if a.status_code == 201]
    after = _read(server, request_id)
    history = [e for e in after.json()["events"] if e["type"] == "acknowledged"]
    assert [event["id"] for event in history] == [created]
    assert after.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'


@pytest.mark.postgres
def test_parallel_clients_without_a_version_all_record_one_after_another(server):
    (request_id,) = soak.targets_create(server, count=1, run=uuid.uuid4().hex[:8])
    version = _read(server, request_id).json()["version"]

    answers = _parallel_posts(server, request_id, headers=[{}] * CLIENTS)

    assert [answer.status_code for answer in answers] == [201] * CLIENTS
    after = _read(server, request_id).json()
    notes = sorted(e["note"] for e in after["events"] if e["type"] == "acknowledged")
    assert notes == sorted(f"client {number}" for number in range(CLIENTS))
    assert after["version"] == version + CLIENTS
    assert after["status"] == "acknowledged"
