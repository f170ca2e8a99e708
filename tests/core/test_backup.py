"""Backup and restore: round trips between SQLite and PostgreSQL, refusals, failures that change nothing.

The round trips run the `rogatory` commands as programs against installations of their own: an
SQLite file, or a PostgreSQL database created on the local server and dropped afterwards,
whatever database the suite itself runs on. The other tests call the services on the test
database.
"""

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from rogatory.audit.models import AuditChainHead, AuditRecord
from rogatory.audit.selectors import audit_chain_verify
from rogatory.core import backup
from rogatory.core.backup import BackupError, RestoreRefused, backup_create, backup_restore
from rogatory.register import services
from rogatory.register.models import Document, Request
from tests.register.factories import make_request

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
SERVER = os.environ.get("ROGATORY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

# --- Installations of their own, driven through the `rogatory` command ----------------------


@dataclass
class Installation:
    """A database and a media folder, and the `rogatory` command pointed at them."""

    vendor: str
    url: str
    home: Path

    @property
    def media(self) -> Path:
        return self.home / "media"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rogatory.settings",
            "ROGATORY_DATABASE_URL": self.url,
            "ROGATORY_MEDIA_DIR": str(self.media),
        }

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "rogatory"), *args],
            env=self.env(),
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"rogatory {' '.join(args)}: {result.stderr}"
        return result.stdout

    def python(self, script: Path, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(script), *args],
            env=self.env(),
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{script.name} {' '.join(args)}: {result.stderr}"
        return result.stdout


class Installations:
    """Make installations on SQLite or PostgreSQL; drop the PostgreSQL databases at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.databases: list[str] = []

    def new(self, vendor: str) -> Installation:
        name = f"rogatory_backup_{uuid.uuid4().hex[:12]}"
        home = self.folder / name
        home.mkdir()
        if vendor == "sqlite":
            return Installation(vendor, f"sqlite:///{home / 'rogatory.sqlite3'}", home)
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return Installation(vendor, f"{SERVER}/{name}", home)

    def drop(self) -> None:
        if not self.databases:
            return
        with _admin() as admin:
            for name in self.databases:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at {SERVER}: {error}")


@pytest.fixture(scope="module")
def installations(tmp_path_factory) -> Iterator[Installations]:
    made = Installations(tmp_path_factory.mktemp("installations"))
    yield made
    made.drop()


@dataclass
class Source:
    """A prepared register, its backup, and what a restore of it must bring back."""

    installation: Installation
    archive: Path
    digest: str
    token_file: Path
    described: dict
    report: str


VENDORS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=VENDORS)
def source(request, installations, shared_dir) -> Source:
    """The acceptance register and a register's other contents, backed up with `rogatory backup`."""
    installation = installations.new(request.param)
    installation.ok("init")
    installation.ok("import", str(shared_dir / "data" / "seed-2023.csv"), "--no-progress")
    token_file = installation.home / "token.txt"
    installation.python(HERE / "backup_register.py", "fill", str(token_file))
    archive = installation.home / "register.tar.gz"
    output = installation.ok("backup", str(archive))
    digest = output.rsplit("SHA-256: ", 1)[1].strip()
    return Source(
        installation=installation,
        archive=archive,
        digest=digest,
        token_file=token_file,
        described=json.loads(
            installation.python(HERE / "backup_register.py", "describe", str(token_file))
        ),
        report=installation.ok("report", "--year", "2023", "--format", "json"),
    )


@pytest.mark.parametrize("target_vendor", VENDORS)
def test_round_trip_restores_the_same_register_documents_and_audit_trail(
    source, target_vendor, installations
):
    target = installations.new(target_vendor)
    target.ok("init")

    output = target.ok("restore", str(source.archive))

    assert source.digest in output
    described = json.loads(
        target.python(HERE / "backup_register.py", "describe", str(source.token_file))
    )
    expected = source.described
    # Row for row: the source wrote its backup's audit record, the target its restore's.
    assert described["counts"] == expected["counts"]
    assert described["reports"] == expected["reports"]
    assert target.ok("report", "--year", "2023", "--format", "json") == source.report
    assert described["documents"] == expected["documents"]
    assert all(sums["stored"] == sums["register"] for sums in described["documents"].values())
    assert len(described["documents"]) == 2
    assert described["persons"] == expected["persons"]
    assert described["authenticators"] == expected["authenticators"]
    assert described["token_user"] == "backup-clerk"
    assert described["audit"] == {"intact": True, "records": expected["audit"]["records"]}
    assert described["last_audit"] == ["backup_restore", source.digest]
    assert "Audit trail intact" in target.ok("audit", "verify")
    # New rows take keys after the restored ones (PostgreSQL's sequences were moved on).
    target.ok("token", "create", "backup-clerk", "--name", "after the restore")
    new = target.home / "new.csv"
    new.write_text(
        "reference,direction,kind,country,sent_on,status\n"
        "AFTER-RESTORE-1,outgoing,mla,CH,2024-01-05,pending\n"
    )
    assert "1 created" in target.ok("import", str(new), "--no-progress")


@pytest.mark.parametrize("vendor", VENDORS)
def test_backup_sees_one_moment_while_clerks_write(vendor, installations, shared_dir):
    installation = installations.new(vendor)
    installation.ok("init")
    installation.ok("import", str(shared_dir / "data" / "seed-2023.csv"), "--no-progress")

    seen = json.loads(
        installation.python(HERE / "backup_concurrent.py", str(installation.home / "b.tar.gz"))
    )

    assert seen["writer_finished"]
    # The request written during the backup is in the database and not in the backup, and the
    # backup's chain head covers exactly the audit records it holds.
    assert seen["database_requests"] == seen["backup_requests"] + 1
    assert seen["backup_head"] == seen["backup_audit_records"]
    assert seen["database_head"] >= seen["backup_head"] + 2


def test_restore_command_refuses_a_backup_of_a_newer_rogatory(installations, tmp_path):
    installation = installations.new("sqlite")
    installation.ok("init")
    installation.ok("backup", str(tmp_path / "b.tar.gz"))
    _rewrite(
        tmp_path / "b.tar.gz", manifest=lambda manifest: {**manifest, "rogatory_version": "99.0"}
    )

    result = installation.run("restore", str(tmp_path / "b.tar.gz"))

    assert result.returncode == 1
    assert "made by Rogatory 99.0, which is newer than this Rogatory" in result.stderr


# --- Services on the test database ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def register(db, media) -> Request:
    """A request with two documents, one of them binary."""
    request = make_request(kind="extradition", outcome="granted", decided_on=date(2023, 5, 1))
    for name, content in (
        ("request.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 40),
        ("note.txt", "Заметка\n".encode() * 20),
    ):
        services.document_attach(
            actor=None,
            request=request,
            kind=Document.Kind.OTHER,
            title=name,
            original_name=name,
            content_type="application/octet-stream",
            content=io.BytesIO(content),
        )
    return request


@pytest.fixture
def archive(register, tmp_path) -> Path:
    path = tmp_path / "backup.tar.gz"
    backup_create(path=path)
    return path


def _manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as opened:
        return json.load(opened.extractfile(backup.MANIFEST))


def _rewrite(path: Path, *, manifest=None, member=None, drop: str = "", add=None) -> None:
    """Write the archive again with its manifest or one member changed, or a member dropped."""
    with tarfile.open(path, "r:gz") as opened:
        members = [(info, opened.extractfile(info).read()) for info in opened.getmembers()]
    with tarfile.open(path, "w:gz") as rewritten:
        for info, content in [*members, *(add or [])]:
            if info.name == drop:
                continue
            if info.name == backup.MANIFEST and manifest is not None:
                content = json.dumps(manifest(json.loads(content))).encode()
            if member is not None and info.name == member[0]:
                content = member[1](content)
            info.size = len(content)
            rewritten.addfile(info, io.BytesIO(content))


def _state() -> tuple:
    """What a refused or failed restore must leave as it was."""
    return (
        list(Request.objects.order_by("pk").values_list("pk", "reference", "version")),
        list(AuditRecord.objects.order_by("sequence").values_list("sequence", "hash")),
        list(Document.objects.order_by("pk").values_list("pk", "storage_name")),
    )


def _stored_files(media: Path) -> dict[str, str]:
    return {
        str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


def test_backup_holds_the_manifest_first_with_every_checksum(archive, register):
    with tarfile.open(archive, "r:gz") as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile(backup.MANIFEST))
        for name, expected in manifest["members"].items():
            content = opened.extractfile(name).read()
            assert hashlib.sha256(content).hexdigest() == expected["sha256"], name
            assert len(content) == expected["size"]

    assert names[0] == backup.MANIFEST
    assert sorted(names[1:]) == sorted(manifest["members"])
    assert manifest["rogatory_version"] == __import__("rogatory").__version__
    assert manifest["database_vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["register"]
    head = AuditChainHead.objects.get()
    assert manifest["audit_chain_head"]["sequence"] == head.sequence - 1  # then the backup's own
    rows = {table["model"]: table["rows"] for table in manifest["tables"]}
    assert rows["register.request"] == Request.objects.count()
    assert "sessions.session" not in rows
    documents = [name for name in names if name.startswith("storage/")]
    assert sorted(documents) == sorted(
        f"storage/{name}" for name in register.documents.values_list("storage_name", flat=True)
    )


def test_backup_file_is_readable_by_its_owner_only(archive):
    assert archive.stat().st_mode & 0o077 == 0


def test_backup_is_recorded_in_the_audit_trail(archive):
    record = AuditRecord.objects.order_by("-sequence").first()

    assert record.action == "backup_create"
    with tarfile.open(archive, "r:gz") as opened:
        digest = hashlib.sha256(opened.extractfile(backup.MANIFEST).read()).hexdigest()
    assert record.after["manifest_sha256"] == digest
    assert audit_chain_verify().intact


def test_backup_refuses_to_replace_a_file_unless_forced(archive):
    before = archive.read_bytes()

    with pytest.raises(CommandError, match="already exists") as refused:
        call_command("backup", str(archive), stdout=io.StringIO())

    assert refused.value.returncode == 1
    assert archive.read_bytes() == before
    call_command("backup", str(archive), "--force", stdout=io.StringIO())
    assert archive.read_bytes() != before


def test_backup_with_a_document_missing_leaves_no_file_and_names_the_document(
    register, media, tmp_path
):
    missing = register.documents.order_by("pk").last().storage_name
    (media / missing).unlink()
    path = tmp_path / "backup.tar.gz"

    with pytest.raises(BackupError, match=f"document {missing} is missing"):
        backup_create(path=path)

    assert sorted(tmp_path.iterdir()) == [media]
    assert not AuditRecord.objects.filter(action="backup_create").exists()


def test_backup_of_a_document_changed_in_storage_is_refused(register, media, tmp_path):
    changed = register.documents.order_by("pk").first().storage_name
    content = bytearray((media / changed).read_bytes())
    content[100] ^= 0xFF
    (media / changed).write_bytes(bytes(content))

    with pytest.raises(BackupError, match=f"document {changed} is not the file"):
        backup_create(path=tmp_path / "backup.tar.gz")

    assert not (tmp_path / "backup.tar.gz").exists()
    assert not (tmp_path / "backup.tar.gz.partial").exists()


def test_restore_refuses_a_non_empty_installation_and_changes_nothing(archive, media):
    make_request(reference="WRITTEN-AFTER-THE-BACKUP")
    before, files = _state(), _stored_files(media)

    with pytest.raises(CommandError, match="This installation is not empty") as refused:
        call_command("restore", str(archive), stdout=io.StringIO())

    assert refused.value.returncode == 1
    assert "requests" in str(refused.value) and "--force" in str(refused.value)
    assert _state() == before
    assert _stored_files(media) == files


def test_an_installation_after_init_counts_as_empty(db):
    assert backup.installation_emptiness() == []
    make_request()
    assert backup.installation_emptiness() != []


def test_restore_with_force_replaces_the_installation(archive, media, register):
    manifest = _manifest(archive)
    files = _stored_files(media)
    later = make_request(reference="WRITTEN-AFTER-THE-BACKUP")
    services.document_attach(
        actor=None,
        request=later,
        kind=Document.Kind.OTHER,
        title="later",
        original_name="later.txt",
        content_type="text/plain",
        content=io.BytesIO(b"written after the backup\n"),
    )

    Session.objects.create(
        session_key="a" * 32, session_data="{}", expire_date=timezone.now() + timedelta(hours=1)
    )

    out = io.StringIO()
    call_command("restore", str(archive), "--force", stdout=out)

    assert "Restored" in out.getvalue()
    assert not Request.objects.filter(reference="WRITTEN-AFTER-THE-BACKUP").exists()
    # A session would sign its holder in as whoever has that user id in the restored register.
    assert not Session.objects.exists()
    rows = {table["model"]: table["rows"] for table in manifest["tables"]}
    assert Request.objects.count() == rows["register.request"]
    assert Document.objects.count() == rows["register.document"]
    # The files of the replaced register that the restored one does not name are gone.
    assert _stored_files(media) == files
    restored = AuditRecord.objects.order_by("-sequence").first()
    assert restored.action == "backup_restore"
    assert restored.after["forced"] is True
    # The restore is the next link of the restored chain, and the whole chain verifies.
    assert restored.sequence == manifest["audit_chain_head"]["sequence"] + 1
    assert restored.previous_hash == manifest["audit_chain_head"]["hash"]
    assert audit_chain_verify().intact
    _assert_trail_append_only()


def _assert_trail_append_only() -> None:
    """Check the database itself still refuses to delete audit records."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")


def test_restore_writes_the_documents_the_storage_lacks(archive, media):
    files = _stored_files(media)
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()

    result = backup_restore(path=archive, force=True)

    assert result.documents == 2
    assert _stored_files(media) == files
    assert audit_chain_verify().intact


def _flip_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def _change_a_row(path: Path) -> None:
    _rewrite(
        path,
        member=(
            "database/register.request.jsonl",
            lambda content: content.replace(b'"outgoing"', b'"incoming"', 1),
        ),
    )


def _drop_a_document(path: Path) -> None:
    name = next(name for name in _manifest(path)["members"] if name.startswith("storage/"))
    _rewrite(path, drop=name)


def _traversal(path: Path) -> None:
    info = tarfile.TarInfo("storage/../../escaped.txt")

    def manifest(content: dict) -> dict:
        members = dict(content["members"])
        members[info.name] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
        return {**content, "members": members}

    _rewrite(path, manifest=manifest, add=[(info, b"x")])


def _unknown_migration(path: Path) -> None:
    def manifest(content: dict) -> dict:
        migrations = dict(content["migrations"])
        migrations["register"] = [*migrations["register"], "9999_from_the_future"]
        return {**content, "migrations": migrations}

    _rewrite(path, manifest=manifest)


def _extra_member(path: Path) -> None:
    _rewrite(path, add=[(tarfile.TarInfo("storage/documents/unlisted"), b"unlisted")])


def _not_gzip(path: Path) -> None:
    path.write_bytes(b"reference,direction\n" * 100)


def _truncated(path: Path) -> None:
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip_byte, "is not a Rogatory backup, or it is damaged|does not match its checksum"),
        (_change_a_row, "database/register.request.jsonl does not match its checksum"),
        (_drop_a_document, r"lacks files its manifest lists \(1\)"),
        (_traversal, "not a safe name"),
        (_unknown_migration, "that this Rogatory .* does not know"),
        (_extra_member, "which its manifest does not list"),
        (_not_gzip, "is not a Rogatory backup, or it is damaged"),
        (_truncated, "is not a Rogatory backup, or it is damaged"),
        (
            lambda path: _rewrite(path, manifest=lambda m: {**m, "rogatory_version": "99.0"}),
            "made by Rogatory 99.0, which is newer",
        ),
        (
            lambda path: _rewrite(path, manifest=lambda m: {**m, "format_version": 2}),
            "is in backup format 2",
        ),
        (lambda path: _rewrite(path, drop=backup.MANIFEST), "does not begin with manifest.json"),
    ],
    ids=[
        "flipped-byte",
        "changed-row",
        "missing-document",
        "path-traversal",
        "unknown-migration",
        "unlisted-member",
        "not-gzip",
        "truncated",
        "newer-version",
        "newer-format",
        "no-manifest",
    ],
)
def test_restore_refuses_a_damaged_archive_before_changing_anything(
    archive, media, damage, message
):
    damage(archive)
    make_request(reference="WRITTEN-AFTER-THE-BACKUP")
    before, files = _state(), _stored_files(media)

    with pytest.raises(RestoreRefused, match=message):
        backup_restore(path=archive, force=True)

    assert _state() == before
    assert _stored_files(media) == files
    assert not (media.parent / "escaped.txt").exists()


def test_restore_that_fails_halfway_deletes_the_files_it_wrote_and_changes_nothing(
    archive, media, register
):
    first, second = register.documents.order_by("pk").values_list("storage_name", flat=True)
    # The restore writes the first file, then finds another file under the second's name.
    (media / first).unlink()
    (media / second).write_bytes(b"another file under the same name")
    make_request(reference="WRITTEN-AFTER-THE-BACKUP")
    before, files = _state(), _stored_files(media)

    with pytest.raises(RestoreRefused, match=f"different file named {second}"):
        backup_restore(path=archive, force=True)

    assert _state() == before
    assert _stored_files(media) == files
    assert not (media / first).exists()


def test_restore_that_fails_in_the_database_changes_nothing_and_keeps_the_trail_append_only(
    archive, media, monkeypatch
):
    make_request(reference="WRITTEN-AFTER-THE-BACKUP")
    before = _state()
    loaded = []
    real = backup.insert_rows

    def insert_rows(model, columns, rows):
        if model is Request:
            raise DatabaseError("the disk is full")
        loaded.append(model)
        return real(model, columns, rows)

    monkeypatch.setattr(backup, "insert_rows", insert_rows)

    with pytest.raises(RestoreRefused, match="The restore failed and changed nothing: the disk"):
        backup_restore(path=archive, force=True)

    assert loaded, "the restore had begun loading tables"
    assert _state() == before
    # The triggers the restore dropped to empty the trail came back with the rollback.
    _assert_trail_append_only()
    assert audit_chain_verify().intact


def test_restore_of_a_file_that_is_not_there_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"), stdout=io.StringIO())


def test_gzip_is_what_the_archive_is_compressed_with(archive):
    with gzip.open(archive) as unpacked:
        assert unpacked.read(512)[:13] == backup.MANIFEST.encode()


# --- Documents in an S3 bucket ------------------------------------------------------------------

BUCKET = "rogatory-backup-test"


@pytest.fixture
def bucket(db, settings, monkeypatch):
    """Keep documents in a fresh in-memory bucket (moto); yield the S3 client."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "eu-central-1",
                    "location": "office",
                    "default_acl": "private",
                    "querystring_auth": False,
                    "file_overwrite": False,
                },
            },
        }
        yield client


def _objects(client) -> dict[str, str]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: hashlib.sha256(
            client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        ).hexdigest()
        for item in listing
    }


def test_backup_and_restore_read_and_write_documents_through_the_storage_api(bucket, tmp_path):
    request = make_request()
    for content in (b"%PDF-1.7\n" + bytes(range(256)) * 50, b"plain text\n" * 10):
        services.document_attach(
            actor=None,
            request=request,
            kind=Document.Kind.OTHER,
            title="document",
            original_name="document.pdf" if content.startswith(b"%PDF") else "note.txt",
            content_type="application/octet-stream",
            content=io.BytesIO(content),
        )
    objects = _objects(bucket)
    path = tmp_path / "backup.tar.gz"

    assert backup_create(path=path).documents == 2
    for key in objects:
        bucket.delete_object(Bucket=BUCKET, Key=key)
    backup_restore(path=path, force=True)

    assert _objects(bucket) == objects
    assert sorted(f"office/{name}" for name in _stored_names()) == sorted(objects)


def _stored_names() -> list[str]:
    return list(Document.objects.values_list("storage_name", flat=True))


def test_backup_names_a_document_missing_from_the_bucket(bucket, tmp_path):
    request = make_request()
    document = services.document_attach(
        actor=None,
        request=request,
        kind=Document.Kind.OTHER,
        title="document",
        original_name="note.txt",
        content_type="text/plain",
        content=io.BytesIO(b"plain text\n"),
    )
    bucket.delete_object(Bucket=BUCKET, Key=f"office/{document.storage_name}")

    with pytest.raises(BackupError, match=f"document {document.storage_name} is missing"):
        backup_create(path=tmp_path / "backup.tar.gz")

    assert list(tmp_path.iterdir()) == []
