"""The register export page: a form, a job of the background worker, then the file's link."""

from pathlib import Path

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.intake.export import register_export
from rogatory.intake.models import RegisterJob
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

EXPORT = reverse("web:export")


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _login(client, role: str = Role.VIEWER, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def _export(client, run_tasks, **data) -> RegisterJob:
    with run_tasks():
        response = client.post(EXPORT, {"format": "csv", "direction": "", **data})
    assert response.status_code == 302, response.content
    job = RegisterJob.objects.get(kind=RegisterJob.Kind.EXPORT)
    assert response.url == reverse("web:export_job", args=[job.pk])
    return job


def _download(client, job: RegisterJob):
    return client.get(reverse("web:export_download", args=[job.pk]))


def test_export_page_needs_sign_in(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_register_list_links_to_the_export(client):
    _login(client)
    html = client.get(reverse("web:request_list")).content.decode()
    assert f'href="{EXPORT}"' in html


def test_export_by_a_viewer_holds_their_units_requests_only(client, run_tasks, tmp_path):
    mine, other = UnitFactory(code="mine"), UnitFactory(code="other")
    make_request(reference="MINE-1", unit=mine)
    make_request(reference="OTHER-1", unit=other)
    _login(client, Role.VIEWER, units=[mine])

    job = _export(client, run_tasks)
    page = client.get(reverse("web:export_job", args=[job.pk])).content.decode()
    assert "1 request written" in page
    assert reverse("web:export_download", args=[job.pk]) in page

    response = _download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".csv" in response["Content-Disposition"]
    expected = tmp_path / "expected.csv"
    register_export(path=expected, unit_ids=[mine.pk])
    assert b"".join(response.streaming_content) == expected.read_bytes()


def test_export_of_one_direction_as_xlsx(client, run_tasks):
    make_request(reference="OUT-1")
    make_request(reference="IN-1", direction="incoming")
    _login(client, Role.SUPERVISOR)

    job = _export(client, run_tasks, format="xlsx", direction="incoming")

    assert job.parameters == {"format": "xlsx", "direction": "incoming"}
    assert job.result == {"requests": 1}
    response = _download(client, job)
    assert "-incoming.xlsx" in response["Content-Disposition"]


def test_export_page_shows_exporting_and_asks_again_until_done(client):
    _login(client)
    client.post(EXPORT, {"format": "csv"})
    job = RegisterJob.objects.get()
    assert job.status == RegisterJob.Status.QUEUED

    html = client.get(reverse("web:export_job", args=[job.pk])).content.decode()
    assert "Exporting the register…" in html
    assert 'hx-trigger="every 2s"' in html
    assert reverse("web:export_download", args=[job.pk]) not in html


def test_export_with_an_unknown_format_is_a_form_error(client):
    _login(client)
    response = client.post(EXPORT, {"format": "pdf"})
    assert response.status_code == 200
    assert response.context["form"].errors["format"]
    assert not RegisterJob.objects.exists()


def test_export_of_another_user_is_not_found(client, run_tasks):
    _login(client, Role.SUPERVISOR)
    job = _export(client, run_tasks)
    _login(client, Role.ADMINISTRATOR)

    assert client.get(reverse("web:export_job", args=[job.pk])).status_code == 404
    assert _download(client, job).status_code == 404


def test_export_page_lists_only_the_users_own_exports(client, run_tasks):
    _login(client)
    job = _export(client, run_tasks)
    RegisterJob.objects.create(kind=RegisterJob.Kind.EXPORT, requested_by=UserFactory())

    jobs = list(client.get(EXPORT).context["jobs"])
    assert jobs == [job]


def test_download_of_a_swept_export_says_so(client, run_tasks):
    _login(client)
    job = _export(client, run_tasks)
    RegisterJob.objects.filter(pk=job.pk).update(file_name="")

    response = _download(client, job)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "no longer on the server" in page
    assert "deleted from the server 24 hours after" in page


def test_import_job_address_does_not_show_an_export(client, run_tasks):
    _login(client, Role.CLERK)
    job = _export(client, run_tasks)
    assert client.get(reverse("web:import_job", args=[job.pk])).status_code == 404
