"""The import page: check a register file, see every wrong row, then confirm.

Each step is a job of the background worker; here the jobs run as soon as the request that
queued them has answered, as a worker that is free would run them.
"""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.intake.models import RegisterJob
from rogatory.register.models import Kind, Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

IMPORT = reverse("web:import")
HEADER = "reference,direction,kind,country,sent_on,status,decided_on,refusal_grounds"
GOOD_ROWS = [
    "W-1,outgoing,mla,CH,2024-02-01,pending,,",
    "W-2,outgoing,mla,DE,2024-02-01,refused,2024-04-01,dual_criminality",
]
# Rows 3, 5 and 6 are wrong, each in a different column.
BAD_ROWS = [
    "W-1,outgoing,mla,CH,2024-02-01,pending,,",
    "W-2,outgoing,mla,Atlantis,2024-02-01,pending,,",
    "W-3,outgoing,mla,FR,2024-02-01,pending,,",
    "W-4,sideways,mla,CH,2024-02-01,pending,,",
    "W-5,outgoing,mla,DE,2024-13-01,pending,,",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def post(client, run_tasks):
    """Post as the signed-in user; the jobs the post queues run once it has answered."""

    def send(url: str, data: dict | None = None):
        with run_tasks():
            return client.post(url, data or {})

    return send


def _confirm_url(job: RegisterJob | int) -> str:
    return reverse("web:import_confirm", args=[getattr(job, "pk", job)])


def _cancel_url(job: RegisterJob | int) -> str:
    return reverse("web:import_cancel", args=[getattr(job, "pk", job)])


def _csv(rows: list[str], name: str = "register.csv") -> SimpleUploadedFile:
    content = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def _upload(post, upload, unit=None, user=None):
    if unit is None:
        unit = (user.units.first() if user else None) or UnitFactory(code="central")
    return post(IMPORT, {"file": upload, "unit": unit.pk})


def _job(response) -> RegisterJob:
    """Return the job a step's answer sends the user to."""
    assert response.status_code == 302, response.content
    job_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert response.url == reverse("web:import_job", args=[job_id])
    return RegisterJob.objects.get(pk=job_id)


def _page(client, job: RegisterJob):
    return client.get(reverse("web:import_job", args=[job.pk]))


def _kept(media: Path) -> list[Path]:
    root = media / "imports"
    return sorted(path for path in root.glob("*/*")) if root.is_dir() else []


def _login(client, role: str = Role.CLERK, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def _checked(client, post, rows=GOOD_ROWS, **kwargs) -> tuple[object, RegisterJob]:
    user = _login(client, **kwargs)
    return user, _job(_upload(post, _csv(rows), user=user))


# --- Who may import ---------------------------------------------------------------------------


def test_import_page_anonymous_is_sent_to_sign_in(client):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))
    for url in (_confirm_url(1), _cancel_url(1)):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))
    response = client.get(reverse("web:import_job", args=[1]))
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.VIEWER, 403),
        (Role.CLERK, 200),
        (Role.SUPERVISOR, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_import_page_by_role(client, role, status):
    _login(client, role)
    response = client.get(IMPORT)
    assert response.status_code == status, response.content


@pytest.mark.parametrize("url", [IMPORT, _confirm_url(1), _cancel_url(1)])
def test_import_steps_refused_to_viewer(client, post, media, url):
    _login(client, Role.VIEWER)
    response = post(url, {"file": _csv(GOOD_ROWS)})
    assert response.status_code == 403
    assert not Request.objects.filter(reference__startswith="W-").exists()
    assert not RegisterJob.objects.exists()
    assert _kept(media) == []


@pytest.mark.parametrize(
    ("role", "own_unit", "allowed"),
    [
        (Role.CLERK, True, True),
        (Role.CLERK, False, False),
        (Role.SUPERVISOR, True, True),
        (Role.SUPERVISOR, False, True),
        (Role.ADMINISTRATOR, False, True),
    ],
)
def test_import_into_unit_by_role_and_unit(client, post, media, role, own_unit, allowed):
    mine, other = UnitFactory(code="mine"), UnitFactory(code="other")
    _login(client, role, units=[mine])
    target = mine if own_unit else other
    response = _upload(post, _csv(GOOD_ROWS), unit=target)
    if allowed:
        check = _job(response)
        _job(post(_confirm_url(check)))
        assert set(
            Request.objects.filter(reference__startswith="W-").values_list("unit__code", flat=True)
        ) == {target.code}
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["unit"]
        assert not RegisterJob.objects.exists()
        assert _kept(media) == []


def test_import_unit_choices_are_the_clerks_own_units(client):
    mine = UnitFactory(code="mine")
    UnitFactory(code="other")
    _login(client, Role.CLERK, units=[mine])
    form = client.get(IMPORT).context["form"]
    assert list(form.fields["unit"].queryset) == [mine]
    assert form.fields["unit"].initial == mine.pk


def test_import_unit_choices_are_every_unit_for_a_supervisor(client):
    UnitFactory(code="mine")
    UnitFactory(code="other")
    _login(client, Role.SUPERVISOR)
    form = client.get(IMPORT).context["form"]
    assert {"mine", "other", "central"} <= {unit.code for unit in form.fields["unit"].queryset}


# --- Step 1: the check ------------------------------------------------------------------------


def test_import_check_names_every_wrong_row_and_writes_nothing(client, post, media):
    requests = Request.objects.count()
    audit = AuditRecord.objects.exclude(action="register_job_request").count()
    _user, check = _checked(client, post, BAD_ROWS)
    response = _page(client, check)
    assert response.status_code == 200, response.content
    errors = [(error.row, error.column) for error in response.context["errors"]]
    assert errors == [(3, "country"), (5, "direction"), (6, "sent_on")]
    page = response.content.decode()
    assert "register.csv cannot be imported" in page
    assert "3 errors in 3 rows; nothing was imported." in page
    for message in ("Atlantis", "sideways", "2024-13-01"):
        assert message in page
    assert "Confirm import" not in page
    assert Request.objects.count() == requests
    assert AuditRecord.objects.exclude(action="register_job_request").count() == audit
    assert _kept(media) == []


def test_import_check_lists_thousands_of_errors(client, post):
    rows = [f"W-{number},outgoing,mla,Atlantis,2024-02-01,pending,," for number in range(1500)]
    _user, check = _checked(client, post, rows)
    response = _page(client, check)
    assert len(response.context["errors"]) == 1500
    assert response.content.decode().count("<code>country</code>") == 1500


def test_import_check_shows_what_would_happen_and_writes_nothing(client, post, media):
    make_request(reference="W-2", country="DE", opened_on=None)
    requests = Request.objects.count()
    _user, check = _checked(client, post)
    assert check.status == RegisterJob.Status.DONE
    result = check.result
    assert (result["rows"], result["created"], result["updated"], result["unchanged"]) == (
        2,
        1,
        1,
        0,
    )
    assert Request.objects.count() == requests
    assert [path.name for path in _kept(media)] == ["register.csv"]
    assert _kept(media)[0].parent.name == check.parameters["token"]

    page = _page(client, check)
    assert page.status_code == 200
    html = page.content.decode()
    assert "register.csv is ready to import" in html
    assert "Confirm import" in html
    assert _confirm_url(check) in html
    assert check.parameters["token"] not in html
    assert str(_kept(media)[0]) not in html


def test_import_check_page_shows_checking_and_asks_again_until_it_has_run(client):
    user = _login(client)
    # No task runs here: the check waits for a worker.
    response = client.post(IMPORT, {"file": _csv(GOOD_ROWS), "unit": user.units.first().pk})
    check = _job(response)
    assert check.status == RegisterJob.Status.QUEUED

    page = _page(client, check).content.decode()
    assert "Checking register.csv…" in page
    assert 'hx-trigger="every 2s"' in page

    partial = client.get(
        reverse("web:import_job", args=[check.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<div id="register-job"')
    assert "<html" not in partial


def test_import_check_page_stops_asking_once_the_check_has_run(client, post):
    _user, check = _checked(client, post)
    partial = client.get(
        reverse("web:import_job", args=[check.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "register.csv is ready to import" in partial
    assert "hx-trigger" not in partial


def test_import_check_of_non_utf8_bytes_shows_the_readers_message(client, post, media):
    user = _login(client)
    upload = SimpleUploadedFile(
        "register.csv", (HEADER + "\nW-1,outgoing,mla,Z\xfcrich\n").encode("latin-1")
    )
    check = _job(_upload(post, upload, user=user))
    assert check.status == RegisterJob.Status.FAILED
    assert "not UTF-8" in _page(client, check).content.decode()
    assert _kept(media) == []


def test_import_check_of_an_xlsx_that_is_not_a_zip_shows_the_readers_message(client, post, media):
    user = _login(client)
    upload = SimpleUploadedFile("register.xlsx", b"this is no workbook")
    check = _job(_upload(post, upload, user=user))
    assert "not a valid XLSX workbook" in _page(client, check).content.decode()
    assert _kept(media) == []


def test_import_check_of_an_empty_file_is_a_form_error(client, post, media):
    user = _login(client)
    response = _upload(post, SimpleUploadedFile("register.csv", b""), user=user)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not RegisterJob.objects.exists()
    assert _kept(media) == []


def test_import_check_of_a_header_only_file_imports_nothing(client, post):
    user = _login(client)
    check = _job(_upload(post, SimpleUploadedFile("register.csv", b"\xef\xbb\xbf\n\n"), user=user))
    assert check.status == RegisterJob.Status.FAILED
    assert "header row" in check.error


def test_import_check_of_a_file_over_the_limit_is_a_form_error(client, post, media, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 20
    user = _login(client)
    response = _upload(post, _csv(GOOD_ROWS), user=user)
    assert response.status_code == 200
    assert "larger than" in " ".join(response.context["form"].errors["file"])
    assert _kept(media) == []


def test_import_check_of_an_xlsx_register(client, post):
    user = _login(client)
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(GOOD_ROWS[0].split(","))
    stream = io.BytesIO()
    workbook.save(stream)
    upload = SimpleUploadedFile("register.xlsx", stream.getvalue())
    check = _job(_upload(post, upload, user=user))
    assert check.result["created"] == 1


def test_import_check_refuses_rows_changing_another_units_request(client, post):
    make_request(reference="W-1", unit=UnitFactory(code="other"))
    _user, check = _checked(client, post)
    errors = _page(client, check).context["errors"]
    assert [(error.row, error.column) for error in errors] == [(2, "reference")]
    assert "unit you do not work in" in errors[0].message


def test_import_new_check_supersedes_the_one_waiting(client, post, media):
    user = _login(client)
    first = _job(_upload(post, _csv(GOOD_ROWS, name="first.csv"), user=user))
    second = _job(_upload(post, _csv(GOOD_ROWS, name="second.csv"), user=user))
    assert second.pk != first.pk
    assert [path.name for path in _kept(media)] == ["second.csv"]
    html = _page(client, first).content.decode()
    assert "Confirm import" not in html
    assert "can no longer be imported" in html


def test_import_upload_keeps_a_clean_name_inside_its_own_directory(client, post, media):
    user = _login(client)
    _upload(post, _csv(GOOD_ROWS, name="../../etc/passwd.csv"), user=user)
    (kept,) = _kept(media)
    assert kept.name == "passwd.csv"
    assert kept.parent.parent == media / "imports"


def test_import_page_lists_the_users_recent_checks_and_imports(client, post):
    user, check = _checked(client, post)
    other = UserFactory(role=Role.CLERK)
    RegisterJob.objects.create(
        kind=RegisterJob.Kind.IMPORT_CHECK, requested_by=other, parameters={"name": "theirs.csv"}
    )
    html = client.get(IMPORT).content.decode()
    assert reverse("web:import_job", args=[check.pk]) in html
    assert "theirs.csv" not in html
    assert user.pk


def test_import_job_of_another_user_is_not_found(client, post):
    _owner, check = _checked(client, post)
    _login(client, Role.SUPERVISOR)
    assert _page(client, check).status_code == 404


# --- Step 2: the confirmation -----------------------------------------------------------------


def test_import_confirm_writes_and_deletes_the_file(client, post, media):
    user, check = _checked(client, post)
    job = _job(post(_confirm_url(check)))
    assert job.kind == RegisterJob.Kind.IMPORT
    response = _page(client, job)
    assert response.status_code == 200
    html = response.content.decode()
    assert "register.csv is imported" in html
    assert "Imported register.csv: 2 rows, 2 created, 0 updated, 0 unchanged." in html
    assert Request.objects.filter(reference__in=["W-1", "W-2"]).count() == 2
    assert Request.objects.get(reference="W-2").status == "refused"
    audit = AuditRecord.objects.filter(action="register_import").order_by("-sequence").first()
    assert audit.actor == user
    assert audit.after["file"] == "register.csv"
    assert _kept(media) == []


def test_import_confirm_twice_imports_once(client, post):
    _user, check = _checked(client, post)
    post(_confirm_url(check))
    audits = AuditRecord.objects.filter(action="register_import").count()
    response = post(_confirm_url(check))
    assert response.url == IMPORT
    assert "There is no checked file to import" in client.get(IMPORT).content.decode()
    assert AuditRecord.objects.filter(action="register_import").count() == audits


def test_import_confirm_of_a_made_up_job_is_refused(client, post, media):
    _user, _check = _checked(client, post)
    post(_confirm_url(999_999))
    assert "There is no checked file to import" in client.get(IMPORT).content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()
    # The real check still waits for its own confirmation.
    assert len(_kept(media)) == 1


def test_import_confirm_of_another_users_check_is_refused(client, post, media):
    _owner, check = _checked(client, post)
    client.logout()
    _login(client, Role.SUPERVISOR)
    post(_confirm_url(check))
    assert "There is no checked file to import" in client.get(IMPORT).content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()
    assert len(_kept(media)) == 1


def test_import_confirm_with_a_tampered_upload_token_finds_nothing(client, post, media):
    _user, check = _checked(client, post)
    check.parameters = {**check.parameters, "token": "../../../etc"}
    check.save()
    job = _job(post(_confirm_url(check)))
    assert job.status == RegisterJob.Status.FAILED
    assert "no longer on the server" in _page(client, job).content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()


def test_import_confirm_of_a_file_changed_meanwhile_is_refused(client, post, media):
    _user, check = _checked(client, post)
    (kept,) = _kept(media)
    kept.write_text(HEADER + "\nX-1,outgoing,mla,CH,2024-02-01,pending,,\n")
    job = _job(post(_confirm_url(check)))
    assert "has changed on the server" in _page(client, job).content.decode()
    assert not Request.objects.filter(reference__in=["W-1", "X-1"]).exists()
    assert _kept(media) == []


def test_import_confirm_shows_rows_the_register_now_refuses(client, post, media):
    _user, check = _checked(client, post)
    # Someone registers W-1 as an extradition request between the check and the confirmation.
    make_request(reference="W-1", kind=Kind.EXTRADITION)
    job = _job(post(_confirm_url(check)))
    response = _page(client, job)
    assert response.status_code == 200
    assert [(error.row, error.column) for error in response.context["errors"]] == [(2, "kind")]
    assert "The register changed after the file was checked" in response.content.decode()
    assert not Request.objects.filter(reference="W-2").exists()
    assert _kept(media) == []


def test_import_cancel_deletes_the_file(client, post, media):
    _user, check = _checked(client, post)
    response = post(_cancel_url(check))
    assert response.url == IMPORT
    assert "nothing was written" in client.get(IMPORT).content.decode()
    assert _kept(media) == []
    assert not Request.objects.filter(reference__startswith="W-").exists()
    assert "Confirm import" not in _page(client, check).content.decode()


def test_import_confirm_needs_post(client, post):
    _user, check = _checked(client, post)
    assert client.get(_confirm_url(check)).status_code == 405
