"""The import page: check a register file, see every wrong row, then confirm."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Kind, Request
from rogatory.web.views.analytics import _PENDING_IMPORT
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

IMPORT = reverse("web:import")
CONFIRM = reverse("web:import_confirm")
CANCEL = reverse("web:import_cancel")
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


def _csv(rows: list[str], name: str = "register.csv") -> SimpleUploadedFile:
    content = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def _upload(client, upload, unit=None, user=None):
    if unit is None:
        unit = (user.units.first() if user else None) or UnitFactory(code="central")
    return client.post(IMPORT, {"file": upload, "unit": unit.pk})


def _kept(media: Path) -> list[Path]:
    root = media / "imports"
    return sorted(path for path in root.glob("*/*")) if root.is_dir() else []


def _login(client, role: str = Role.CLERK, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


# --- Who may import ---------------------------------------------------------------------------


def test_import_page_anonymous_is_sent_to_sign_in(client):
    for url in (IMPORT,):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))
    for url in (CONFIRM, CANCEL):
        response = client.post(url)
        assert response.status_code == 302
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


@pytest.mark.parametrize("url", [IMPORT, CONFIRM, CANCEL])
def test_import_steps_refused_to_viewer(client, media, url):
    _login(client, Role.VIEWER)
    response = client.post(url, {"file": _csv(GOOD_ROWS), "token": "x" * 43})
    assert response.status_code == 403
    assert not Request.objects.filter(reference__startswith="W-").exists()
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
def test_import_into_unit_by_role_and_unit(client, media, role, own_unit, allowed):
    mine, other = UnitFactory(code="mine"), UnitFactory(code="other")
    user = _login(client, role, units=[mine])
    target = mine if own_unit else other
    response = _upload(client, _csv(GOOD_ROWS), unit=target)
    if allowed:
        assert response.status_code == 302, response.content
        response = client.post(CONFIRM, {"token": client.session[_PENDING_IMPORT]["token"]})
        assert response.status_code == 302
        assert set(
            Request.objects.filter(reference__startswith="W-").values_list("unit__code", flat=True)
        ) == {target.code}
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["unit"]
        assert _PENDING_IMPORT not in client.session
        assert _kept(media) == []
    assert user.pk


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


def test_import_check_names_every_wrong_row_and_writes_nothing(client, media):
    user = _login(client)
    requests, audit = Request.objects.count(), AuditRecord.objects.count()
    response = _upload(client, _csv(BAD_ROWS), user=user)
    assert response.status_code == 200, response.content
    errors = [(error.row, error.column) for error in response.context["errors"]]
    assert errors == [(3, "country"), (5, "direction"), (6, "sent_on")]
    page = response.content.decode()
    assert "3 errors in 3 rows; nothing was imported." in page
    for message in ("Atlantis", "sideways", "2024-13-01"):
        assert message in page
    assert (Request.objects.count(), AuditRecord.objects.count()) == (requests, audit)
    assert _PENDING_IMPORT not in client.session
    assert _kept(media) == []


def test_import_check_lists_thousands_of_errors(client):
    user = _login(client)
    rows = [f"W-{number},outgoing,mla,Atlantis,2024-02-01,pending,," for number in range(1500)]
    response = _upload(client, _csv(rows), user=user)
    assert len(response.context["errors"]) == 1500
    assert response.content.decode().count("<code>country</code>") == 1500


def test_import_check_shows_what_would_happen_and_writes_nothing(client, media):
    make_request(reference="W-2", country="DE", opened_on=None)
    user = _login(client)
    requests = Request.objects.count()
    response = _upload(client, _csv(GOOD_ROWS), user=user)
    assert response.status_code == 302
    pending = client.session[_PENDING_IMPORT]
    assert (pending["rows"], pending["created"], pending["updated"], pending["unchanged"]) == (
        2,
        1,
        1,
        0,
    )
    assert Request.objects.count() == requests
    assert [path.name for path in _kept(media)] == ["register.csv"]
    assert _kept(media)[0].parent.name == pending["token"]

    page = client.get(IMPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "register.csv is ready to import" in html
    assert "Confirm import" in html
    assert pending["token"] in html
    assert str(_kept(media)[0]) not in html


def test_import_check_of_non_utf8_bytes_is_a_form_error(client, media):
    user = _login(client)
    upload = SimpleUploadedFile(
        "register.csv", (HEADER + "\nW-1,outgoing,mla,Z\xfcrich\n").encode("latin-1")
    )
    response = _upload(client, upload, user=user)
    assert response.status_code == 200
    assert "not UTF-8" in " ".join(response.context["form"].errors["file"])
    assert _kept(media) == []


def test_import_check_of_an_xlsx_that_is_not_a_zip_is_a_form_error(client, media):
    user = _login(client)
    upload = SimpleUploadedFile("register.xlsx", b"this is no workbook")
    response = _upload(client, upload, user=user)
    assert response.status_code == 200
    assert "not a valid XLSX workbook" in " ".join(response.context["form"].errors["file"])
    assert _kept(media) == []


def test_import_check_of_an_empty_file_is_a_form_error(client, media):
    user = _login(client)
    response = _upload(client, SimpleUploadedFile("register.csv", b""), user=user)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert _kept(media) == []


def test_import_check_of_a_header_only_file_imports_nothing(client):
    user = _login(client)
    response = _upload(client, SimpleUploadedFile("register.csv", b"\xef\xbb\xbf\n\n"), user=user)
    assert response.status_code == 200
    assert "header row" in " ".join(response.context["form"].errors["file"])


def test_import_check_of_a_file_over_the_limit_is_a_form_error(client, media, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 20
    user = _login(client)
    response = _upload(client, _csv(GOOD_ROWS), user=user)
    assert response.status_code == 200
    assert "larger than" in " ".join(response.context["form"].errors["file"])
    assert _kept(media) == []


def test_import_check_of_an_xlsx_register(client):
    user = _login(client)
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(GOOD_ROWS[0].split(","))
    stream = io.BytesIO()
    workbook.save(stream)
    response = _upload(client, SimpleUploadedFile("register.xlsx", stream.getvalue()), user=user)
    assert response.status_code == 302
    assert client.session[_PENDING_IMPORT]["created"] == 1


def test_import_check_refuses_rows_changing_another_units_request(client):
    other = UnitFactory(code="other")
    make_request(reference="W-1", unit=other)
    user = _login(client)
    response = _upload(client, _csv(GOOD_ROWS), user=user)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(error.row, error.column) for error in errors] == [(2, "reference")]
    assert "unit you do not work in" in errors[0].message


def test_import_new_check_supersedes_the_one_waiting(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS, name="first.csv"), user=user)
    first = client.session[_PENDING_IMPORT]["token"]
    _upload(client, _csv(GOOD_ROWS, name="second.csv"), user=user)
    assert client.session[_PENDING_IMPORT]["token"] != first
    assert [path.name for path in _kept(media)] == ["second.csv"]


def test_import_upload_keeps_a_clean_name_inside_its_own_directory(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS, name="../../etc/passwd.csv"), user=user)
    (kept,) = _kept(media)
    assert kept.name == "passwd.csv"
    assert kept.parent.parent == media / "imports"


# --- Step 2: the confirmation -----------------------------------------------------------------


def test_import_confirm_writes_and_deletes_the_file(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    token = client.session[_PENDING_IMPORT]["token"]
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert response.status_code == 200
    assert "Imported register.csv: 2 rows, 2 created, 0 updated, 0 unchanged." in (
        response.content.decode()
    )
    assert Request.objects.filter(reference__in=["W-1", "W-2"]).count() == 2
    assert Request.objects.get(reference="W-2").status == "refused"
    audit = AuditRecord.objects.filter(action="register_import").order_by("-sequence").first()
    assert audit.actor == user
    assert audit.after["file"] == "register.csv"
    assert _kept(media) == []
    assert _PENDING_IMPORT not in client.session


def test_import_confirm_twice_imports_once(client):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    token = client.session[_PENDING_IMPORT]["token"]
    client.post(CONFIRM, {"token": token})
    audits = AuditRecord.objects.filter(action="register_import").count()
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert "There is no checked file to import" in response.content.decode()
    assert AuditRecord.objects.filter(action="register_import").count() == audits


def test_import_confirm_with_a_made_up_token_is_refused(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    response = client.post(CONFIRM, {"token": "A" * 43}, follow=True)
    assert "There is no checked file to import" in response.content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()
    # The real check still waits for its own confirmation.
    assert len(_kept(media)) == 1


def test_import_confirm_with_another_users_token_is_refused(client, media):
    owner = UserFactory(role=Role.CLERK)
    client.force_login(owner)
    _upload(client, _csv(GOOD_ROWS), user=owner)
    token = client.session[_PENDING_IMPORT]["token"]
    client.logout()
    _login(client, Role.SUPERVISOR)
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert "There is no checked file to import" in response.content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()
    assert len(_kept(media)) == 1


def test_import_confirm_with_a_tampered_session_path_finds_nothing(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    session = client.session
    session[_PENDING_IMPORT] = {**session[_PENDING_IMPORT], "token": "../../../etc"}
    session.save()
    response = client.post(CONFIRM, {"token": "../../../etc"}, follow=True)
    assert "no longer on the server" in response.content.decode()
    assert not Request.objects.filter(reference__startswith="W-").exists()


def test_import_confirm_of_a_file_changed_meanwhile_is_refused(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    (kept,) = _kept(media)
    kept.write_text(HEADER + "\nX-1,outgoing,mla,CH,2024-02-01,pending,,\n")
    response = client.post(
        CONFIRM, {"token": client.session[_PENDING_IMPORT]["token"]}, follow=True
    )
    assert "has changed on the server" in response.content.decode()
    assert not Request.objects.filter(reference__in=["W-1", "X-1"]).exists()
    assert _kept(media) == []


def test_import_confirm_shows_rows_the_register_now_refuses(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    # Someone registers W-1 as an extradition request between the check and the confirmation.
    make_request(reference="W-1", kind=Kind.EXTRADITION)
    response = client.post(CONFIRM, {"token": client.session[_PENDING_IMPORT]["token"]})
    assert response.status_code == 200
    assert [(error.row, error.column) for error in response.context["errors"]] == [(2, "kind")]
    assert "The register changed after the file was checked" in response.content.decode()
    assert not Request.objects.filter(reference="W-2").exists()
    assert _kept(media) == []


def test_import_cancel_deletes_the_file(client, media):
    user = _login(client)
    _upload(client, _csv(GOOD_ROWS), user=user)
    response = client.post(CANCEL, follow=True)
    assert "nothing was written" in response.content.decode()
    assert _kept(media) == []
    assert _PENDING_IMPORT not in client.session
    assert not Request.objects.filter(reference__startswith="W-").exists()


def test_import_confirm_needs_post(client):
    _login(client)
    assert client.get(CONFIRM).status_code == 405
