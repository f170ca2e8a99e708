"""Backups: one archive holding a consistent snapshot of the register, and restoring it.

`backup_create` writes a gzip-compressed tar archive:

    manifest.json                           first: what the archive holds, with checksums
    database/<app>.<model>.jsonl            one file a table, in dependency order
    storage/<storage name>                  every document's file, under its storage name

Each table file holds one JSON array a row, its values in the order of the manifest's columns,
rows in primary-key order. Values are written the same way whatever the database (moments in
ISO 8601 with their offset, decimals as text, binary as base64), so that a backup of SQLite
restores into PostgreSQL and back.

The snapshot is read in one transaction that sees one moment: REPEATABLE READ on PostgreSQL, a
deferred read transaction on SQLite (whose write-ahead log gives it a snapshot). Documents are
files with generated names that are never changed or deleted, so the files the snapshot's rows
name exist after the transaction ends. The archive is written as FILE.partial and renamed at
the end, so a backup that fails never leaves a file that looks complete.

`backup_restore` checks the whole archive before it changes anything, then replaces the
database's tables and writes the documents in one transaction: a restore that fails changes
nothing. The audit trail is restored as it was, and the restore itself is its next record.
"""

import base64
import datetime as dt
import decimal
import functools
import gzip
import hashlib
import importlib
import io
import json
import logging
import os
import re
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.utils import validate_file_name
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from packaging.version import InvalidVersion, Version

import rogatory
from rogatory.audit.models import AuditChainHead, AuditRecord
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.bulk import insert_rows
from rogatory.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

FORMAT = "rogatory-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_DATABASE_DIR = "database/"
_STORAGE_DIR = "storage/"
_CHUNK = 1 << 20
_ROWS_CHUNK = 2000
# Gzip's middle level: the tables shrink about tenfold, at a fraction of level 9's time.
_COMPRESS_LEVEL = 6
# A manifest names every document; a million of them make about 200 MB.
_MANIFEST_LIMIT = 1 << 30

# Tables of the installation rather than of the register: sessions (whose users a restore
# replaces), sign-in attempts of django-axes, and the background tasks' queue and results.
_EXCLUDED_APPS = frozenset({"sessions", "axes", "django_tasks_database"})
# What `rogatory init` writes to an empty database's audit trail.
_INIT_ACTIONS = frozenset({"reference_load", "unit_create"})
_DOCUMENT_MODEL = "register.document"


class BackupError(ApplicationError):
    """A backup that could not be written; no archive was left behind."""


class RestoreRefused(ApplicationError):
    """A restore that was refused or failed; the installation is as it was."""


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    path: Path
    manifest_sha256: str
    rows: int
    documents: int
    size: int
    audit_chain_head: dict[str, Any] | None


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put back."""

    manifest_sha256: str
    rogatory_version: str
    created_at: str
    rows: int
    documents: int
    replaced: bool
    # Files of the replaced register that the restored one does not name, left in the storage
    # because deleting them failed.
    orphans_left: tuple[str, ...] = ()


# --- Which tables, in which order --------------------------------------------------------------


def backup_models() -> list[type[Model]]:
    """Return the models whose tables a backup holds, each after the models it refers to."""
    models = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in _EXCLUDED_APPS
    }
    ordered: list[type[Model]] = []
    placed: set[str] = set()
    remaining = dict(sorted(models.items()))
    while remaining:
        ready = [
            label
            for label, model in remaining.items()
            if all(
                dependency in placed or dependency == label or dependency not in models
                for dependency in _references(model)
            )
        ]
        # A cycle of foreign keys: both backends check them at commit, so any order loads.
        for label in ready or [next(iter(remaining))]:
            ordered.append(remaining.pop(label))
            placed.add(label)
    return ordered


def _references(model: type[Model]) -> set[str]:
    return {
        field.related_model._meta.label_lower
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    }


def _columns(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _member(model: type[Model]) -> str:
    return f"{_DATABASE_DIR}{model._meta.label_lower}.jsonl"


# --- Values, the same on every database ----------------------------------------------------------


def _kind(field: Field) -> str:
    target = field.target_field if field.is_relation else field
    return target.get_internal_type()


def _encoder(field: Field) -> Callable[[Any], Any] | None:
    """Return how a value of `field` is written to JSON, or None when it is written as it is."""
    kind = _kind(field)
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return lambda value: None if value is None else value.isoformat()
    if kind in ("DecimalField", "UUIDField"):
        return lambda value: None if value is None else str(value)
    if kind == "DurationField":
        return lambda value: None if value is None else value // dt.timedelta(microseconds=1)
    if kind == "BinaryField":
        return lambda value: None if value is None else base64.b64encode(bytes(value)).decode()
    return None


def _decoder(field: Field) -> Callable[[Any], Any] | None:
    """Return how a value `_encoder` wrote is read back, or None when it is used as it is."""
    kind = _kind(field)
    parse: Callable[[Any], Any]
    if kind == "DateTimeField":
        parse = dt.datetime.fromisoformat
    elif kind == "DateField":
        parse = dt.date.fromisoformat
    elif kind == "TimeField":
        parse = dt.time.fromisoformat
    elif kind == "DecimalField":
        parse = decimal.Decimal
    elif kind == "UUIDField":
        parse = uuid.UUID
    elif kind == "DurationField":
        parse = functools.partial(dt.timedelta, 0, 0)
    elif kind == "BinaryField":
        parse = base64.b64decode
    else:
        return None
    return lambda value: None if value is None else parse(value)


# --- Writing a backup --------------------------------------------------------------------------


@dataclass
class _Snapshot:
    tables: list[dict[str, Any]] = field(default_factory=list)
    # Every table file written so far: its name in the archive, its file and its digest.
    files: list[tuple[str, Path, str, int]] = field(default_factory=list)
    # (storage name, SHA-256, size) of every document the snapshot holds.
    documents: list[tuple[str, str, int]] = field(default_factory=list)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    audit_chain_head: dict[str, Any] | None = None


def backup_create(
    *, path: Path, actor: AbstractBaseUser | None = None, force: bool = False
) -> BackupResult:
    """Write a consistent snapshot of the database and the documents to the archive `path`.

    Refuses to replace an existing `path` unless `force`. The backup is recorded in the audit
    trail once the archive is complete.
    """
    path = Path(path)
    if path.is_dir():
        raise BackupError(_("%(path)s is a directory; name the file to write.") % {"path": path})
    if path.exists() and not force:
        raise BackupError(
            _("%(path)s already exists; choose another name, or use --force to replace it.")
            % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupError(
            _("The directory %(directory)s does not exist.") % {"directory": path.parent}
        )
    partial = path.with_name(path.name + ".partial")
    created_at = timezone.now()
    try:
        # Beside the archive rather than in /tmp, which is often small and in memory.
        with tempfile.TemporaryDirectory(prefix=".rogatory-backup-", dir=path.parent) as folder:
            snapshot = _snapshot_read(Path(folder))
            manifest = _manifest(snapshot, created_at=created_at)
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            _archive_write(partial, manifest_bytes, snapshot, created_at=created_at)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    rows = sum(table["rows"] for table in snapshot.tables)
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="backup_create",
                object_type="backup",
                object_id=digest[:16],
                after={
                    "file": path.name,
                    "manifest_sha256": digest,
                    "rows": rows,
                    "documents": len(snapshot.documents),
                    "audit_chain_head": snapshot.audit_chain_head,
                },
            )
            # Inside the transaction: if the archive cannot take its name, nothing is recorded.
            os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(
        path=path,
        manifest_sha256=digest,
        rows=rows,
        documents=len(snapshot.documents),
        size=path.stat().st_size,
        audit_chain_head=snapshot.audit_chain_head,
    )


def _snapshot_read(folder: Path) -> _Snapshot:
    """Write every table to a file in `folder`, all as of one moment."""
    snapshot = _Snapshot()
    with _one_moment():
        recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
        for app, name in sorted(recorder.applied_migrations()):
            snapshot.migrations.setdefault(app, []).append(name)
        head = AuditChainHead.objects.filter(pk=AuditChainHead.ONLY).first()
        if head is not None:
            snapshot.audit_chain_head = {"sequence": head.sequence, "hash": head.hash}
        for model in backup_models():
            snapshot.tables.append(_table_write(model, folder, snapshot))
    return snapshot


@contextmanager
def _one_moment() -> Iterator[None]:
    """Open a read-only transaction whose every query sees the database as of its first one.

    Inside a transaction already open (a test's), that transaction is the snapshot.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    outer = connection.in_atomic_block
    mode = getattr(connection, "transaction_mode", None)
    if not outer and connection.vendor == "sqlite":
        # The project begins transactions IMMEDIATE, which takes the write lock and would hold
        # every clerk up while the backup runs. A deferred one only reads, and write-ahead
        # logging shows it the database as of its first read.
        connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic():
            if not outer and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = mode


def _table_write(model: type[Model], folder: Path, snapshot: _Snapshot) -> dict[str, Any]:
    """Write the rows of `model` to a file in `folder`, in primary-key order; describe it."""
    fields = list(model._meta.concrete_fields)
    columns = [field.attname for field in fields]
    encoders = [(index, encode) for index, f in enumerate(fields) if (encode := _encoder(f))]
    member = _member(model)
    file_path = folder / member.removeprefix(_DATABASE_DIR)
    digest, size, rows = hashlib.sha256(), 0, 0
    is_document = model._meta.label_lower == _DOCUMENT_MODEL
    if is_document:
        wanted = [columns.index(name) for name in ("storage_name", "sha256", "size")]
    query = model._base_manager.order_by("pk").values_list(*columns)
    with file_path.open("wb") as stream:
        for row in query.iterator(chunk_size=_ROWS_CHUNK):
            if encoders:
                row = list(row)
                for index, encode in encoders:
                    row[index] = encode(row[index])
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            stream.write(line)
            digest.update(line)
            size += len(line)
            rows += 1
            if is_document:
                snapshot.documents.append(tuple(row[index] for index in wanted))
    snapshot.files.append((member, file_path, digest.hexdigest(), size))
    return {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "member": member,
        "columns": columns,
        "rows": rows,
    }


def _manifest(snapshot: _Snapshot, *, created_at: dt.datetime) -> dict[str, Any]:
    members = {
        name: {"sha256": digest, "size": size} for name, _path, digest, size in snapshot.files
    }
    for storage_name, sha256, size in snapshot.documents:
        members[_STORAGE_DIR + storage_name] = {"sha256": sha256, "size": size}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rogatory_version": rogatory.__version__,
        "created_at": created_at.isoformat(),
        "database_vendor": connections[DEFAULT_DB_ALIAS].vendor,
        "migrations": snapshot.migrations,
        "audit_chain_head": snapshot.audit_chain_head,
        "tables": snapshot.tables,
        "documents": len(snapshot.documents),
        "members": members,
    }


def _archive_write(
    partial: Path, manifest: bytes, snapshot: _Snapshot, *, created_at: dt.datetime
) -> None:
    # Readable by its owner alone: the archive holds personal data and password hashes.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with (
        open(descriptor, "wb") as raw,
        tarfile.open(fileobj=raw, mode="w:gz", compresslevel=_COMPRESS_LEVEL) as archive,
    ):
        moment = int(created_at.timestamp())
        archive.addfile(_member_info(MANIFEST, len(manifest), moment), io.BytesIO(manifest))
        for name, file_path, _digest, size in snapshot.files:
            with file_path.open("rb") as stream:
                archive.addfile(_member_info(name, size, moment), stream)
            file_path.unlink()
        for storage_name, sha256, size in snapshot.documents:
            _document_add(archive, storage_name, sha256, size, moment)
        archive.close()
        raw.flush()
        os.fsync(raw.fileno())


def _member_info(name: str, size: int, moment: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, moment, 0o600
    return info


def _document_add(
    archive: tarfile.TarFile, storage_name: str, sha256: str, size: int, moment: int
) -> None:
    """Copy a document's file into the archive, checking it is the file the register names."""
    try:
        stream = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation):
        raise BackupError(
            _(
                "The file of document %(name)s is missing from the storage, so no backup was "
                "written. Restore the file, or ask a developer to look at this document."
            )
            % {"name": storage_name}
        ) from None
    with stream:
        reader = _HashingReader(stream)
        try:
            archive.addfile(_member_info(_STORAGE_DIR + storage_name, size, moment), reader)
        except OSError as error:
            if "unexpected end of data" not in str(error):
                raise
            reader.exhausted_early = True
        if reader.exhausted_early or reader.read(1) or reader.digest() != sha256:
            raise BackupError(
                _(
                    "The file of document %(name)s is not the file the register holds (its size "
                    "or SHA-256 differs), so no backup was written."
                )
                % {"name": storage_name}
            )


class _HashingReader:
    """A file that hashes what is read from it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.exhausted_early = False

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.sha256.update(chunk)
        return chunk

    def digest(self) -> str:
        return self.sha256.hexdigest()


# --- Checking an archive -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedBackup:
    """An archive read in full and found whole: its manifest, and the manifest's SHA-256."""

    manifest: dict[str, Any]
    digest: str
    # Storage name -> SHA-256 of the documents the archive holds.
    documents: dict[str, str]


def backup_check(path: Path) -> CheckedBackup:
    """Read the whole archive and check it against its manifest and this installation."""
    path = Path(path)
    if not path.is_file():
        raise RestoreRefused(_("%(path)s is not a file.") % {"path": path})
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            manifest, digest = _manifest_read(archive)
            _compatibility_check(manifest)
            documents = _members_check(archive, manifest)
            # To the end of the compressed stream, whose checksum gzip checks there.
            while archive.fileobj.read(_CHUNK):
                pass
    except _DAMAGE as error:
        raise RestoreRefused(
            _("%(path)s is not a Rogatory backup, or it is damaged: %(error)s")
            % {"path": path, "error": error}
        ) from None
    return CheckedBackup(manifest=manifest, digest=digest, documents=documents)


# What reading a damaged or foreign archive raises: gzip's own errors are OSErrors.
_DAMAGE = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Yield the archive's members after those already read, forgetting each once read.

    TarFile keeps every member it has read; an archive of a million documents would fill the
    memory with them.
    """
    while (info := archive.next()) is not None:
        archive.members.clear()
        yield info


def _manifest_read(archive: tarfile.TarFile) -> tuple[dict[str, Any], str]:
    first = archive.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise RestoreRefused(
            _("The archive does not begin with %(manifest)s, so it is not a Rogatory backup.")
            % {"manifest": MANIFEST}
        )
    if first.size > _MANIFEST_LIMIT:
        raise RestoreRefused(_("The archive's manifest is too large to be a Rogatory backup."))
    content = archive.extractfile(first).read()
    try:
        manifest = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RestoreRefused(
            _("The archive's manifest is not valid JSON: %(error)s") % {"error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreRefused(_("The archive's manifest is not that of a Rogatory backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(
            _(
                "The archive is in backup format %(found)s; this Rogatory reads format "
                "%(known)s. Restore it with the Rogatory that wrote it (%(version)s)."
            )
            % {
                "found": manifest.get("format_version"),
                "known": FORMAT_VERSION,
                "version": manifest.get("rogatory_version"),
            }
        )
    for key, kind in (
        ("rogatory_version", str),
        ("created_at", str),
        ("migrations", dict),
        ("tables", list),
        ("members", dict),
    ):
        if not isinstance(manifest.get(key), kind):
            raise RestoreRefused(
                _("The archive's manifest lacks “%(key)s”, or it is malformed.") % {"key": key}
            )
    return manifest, hashlib.sha256(content).hexdigest()


def _compatibility_check(manifest: dict[str, Any]) -> None:
    """Refuse a backup this installation cannot hold exactly as it was."""
    theirs, ours = manifest["rogatory_version"], rogatory.__version__
    try:
        newer = Version(theirs) > Version(ours)
    except InvalidVersion:
        newer = True
    if newer:
        raise RestoreRefused(
            _(
                "The backup was made by Rogatory %(theirs)s, which is newer than this Rogatory "
                "(%(ours)s). Upgrade Rogatory to %(theirs)s or later, then restore it."
            )
            % {"theirs": theirs, "ours": ours}
        )
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RestoreRefused(
            _("This database is not set up, or not up to date: run `rogatory init`, then restore.")
        )
    models = backup_models()
    apps_held = {model._meta.app_label for model in models}
    known = set(executor.loader.disk_migrations)
    applied = executor.loader.applied_migrations
    for app in sorted(apps_held):
        backup_side = set(manifest["migrations"].get(app, []))
        here = {name for label, name in applied if label == app}
        if backup_side - {name for label, name in known if label == app}:
            raise RestoreRefused(
                _(
                    "The backup's database has changes (migrations of “%(app)s”) that this "
                    "Rogatory (%(ours)s) does not know: it was made by a newer one (%(theirs)s). "
                    "Upgrade Rogatory, then restore it."
                )
                % {"app": app, "ours": ours, "theirs": theirs}
            )
        if backup_side != here:
            raise RestoreRefused(
                _(
                    "The backup was made by Rogatory %(theirs)s, whose database differs from "
                    "this one's (%(ours)s, migrations of “%(app)s”). Restore it with Rogatory "
                    "%(theirs)s into an empty installation, then upgrade that installation with "
                    "`rogatory init`."
                )
                % {"app": app, "ours": ours, "theirs": theirs}
            )
    described = {table.get("model"): table for table in manifest["tables"]}
    expected = {model._meta.label_lower: model for model in models}
    if set(described) != set(expected):
        raise RestoreRefused(
            _(
                "The backup's tables differ from this installation's (%(tables)s); restore it "
                "with the Rogatory that wrote it (%(theirs)s)."
            )
            % {"tables": ", ".join(sorted(set(described) ^ set(expected))), "theirs": theirs}
        )
    for label, model in expected.items():
        table = described[label]
        if table.get("columns") != _columns(model) or table.get("member") != _member(model):
            raise RestoreRefused(
                _(
                    "The backup's table %(table)s has other columns than this installation's; "
                    "restore it with the Rogatory that wrote it (%(theirs)s)."
                )
                % {"table": model._meta.db_table, "theirs": theirs}
            )
        if not isinstance(table.get("rows"), int):
            raise RestoreRefused(
                _("The archive's manifest lacks “%(key)s”, or it is malformed.") % {"key": "rows"}
            )


def _members_check(archive: tarfile.TarFile, manifest: dict[str, Any]) -> dict[str, str]:
    """Check every member against the manifest; return the documents the archive holds."""
    members: dict[str, Any] = manifest["members"]
    tables = {table["member"]: table for table in manifest["tables"]}
    documents_member = _member(apps.get_model(_DOCUMENT_MODEL))
    documents: dict[str, str] = {}
    seen: set[str] = set()
    for info in _members(archive):
        name = info.name
        expected = members.get(name)
        if expected is None or name in seen:
            raise RestoreRefused(
                _("The archive holds %(member)s, which its manifest does not list (once).")
                % {"member": name}
            )
        if not info.isfile():
            raise RestoreRefused(
                _("The archive's member %(member)s is not a plain file.") % {"member": name}
            )
        seen.add(name)
        stream = _VerifiedMember(archive, info, expected)
        if name in tables:
            rows = 0
            for line in stream:
                rows += 1
                if name == documents_member:
                    storage_name, sha256 = _document_of(line, tables[name]["columns"])
                    documents[storage_name] = sha256
            if rows != tables[name]["rows"]:
                raise RestoreRefused(
                    _(
                        "The archive's member %(member)s holds another number of rows "
                        "(%(found)s) than its manifest says (%(expected)s)."
                    )
                    % {"member": name, "found": rows, "expected": tables[name]["rows"]}
                )
        elif name.startswith(_STORAGE_DIR):
            _storage_name_check(name.removeprefix(_STORAGE_DIR))
            while stream.read(_CHUNK):
                pass
        else:
            raise RestoreRefused(
                _("The archive holds %(member)s, which its manifest does not list (once).")
                % {"member": name}
            )
    missing = sorted(set(members) - seen)
    if missing:
        raise RestoreRefused(
            _("The archive lacks files its manifest lists (%(count)s), first %(member)s.")
            % {"count": len(missing), "member": missing[0]}
        )
    stored = {name.removeprefix(_STORAGE_DIR) for name in seen if name.startswith(_STORAGE_DIR)}
    if stored != set(documents):
        name = sorted(stored ^ set(documents))[0]
        raise RestoreRefused(
            _("The archive's documents and its files differ, first at %(name)s.") % {"name": name}
        )
    for storage_name, sha256 in documents.items():
        if members[_STORAGE_DIR + storage_name]["sha256"] != sha256:
            raise RestoreRefused(
                _("The archive's file %(name)s is not the one its document names.")
                % {"name": storage_name}
            )
    return documents


def _document_of(line: bytes, columns: list[str]) -> tuple[str, str]:
    row = json.loads(line)
    storage_name = row[columns.index("storage_name")]
    _storage_name_check(storage_name)
    return storage_name, row[columns.index("sha256")]


_STORAGE_NAME = re.compile(r"[A-Za-z0-9._/-]+")


def _storage_name_check(name: str) -> None:
    """Refuse a storage name that could write outside the storage."""
    try:
        validate_file_name(name, allow_relative_path=True)
        ok = bool(_STORAGE_NAME.fullmatch(name)) and not name.startswith("/")
    except SuspiciousFileOperation:
        ok = False
    if not ok or any(part in ("", ".", "..") for part in name.split("/")):
        raise RestoreRefused(
            _("The archive names a document file “%(name)s”, which is not a safe name.")
            % {"name": name}
        )


class _VerifiedMember:
    """Iterate over or read a member, checking its size and SHA-256 when it ends."""

    def __init__(self, archive: tarfile.TarFile, info: tarfile.TarInfo, expected: dict) -> None:
        self.name = info.name
        self.stream = archive.extractfile(info)
        self.expected = expected
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.done = False

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        if not chunk or size < 0:
            self._finish()
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        for line in self.stream:
            self.sha256.update(line)
            self.size += len(line)
            yield line
        self._finish()

    def _finish(self) -> None:
        if self.done:
            return
        self.done = True
        if self.size != self.expected.get("size") or (
            self.sha256.hexdigest() != self.expected.get("sha256")
        ):
            raise RestoreRefused(
                _(
                    "The archive's member %(member)s does not match its checksum in the "
                    "manifest: the archive is damaged or was changed."
                )
                % {"member": self.name}
            )


# --- Restoring ---------------------------------------------------------------------------------


def installation_emptiness() -> list[str]:
    """Return what makes this installation more than `rogatory init` leaves; empty when nothing.

    An installation is empty when it has no users, no requests, no units but the default one
    and no audit records but those `rogatory init` writes (reference data loaded, the default
    unit created, both by the system).
    """
    from rogatory.accounts.models import Unit, User
    from rogatory.accounts.services import DEFAULT_UNIT_CODE
    from rogatory.register.models import Request

    found = []
    if (count := User.objects.count()) > 0:
        found.append(ngettext("%(count)s user", "%(count)s users", count) % {"count": count})
    if (count := Request.objects.count()) > 0:
        found.append(ngettext("%(count)s request", "%(count)s requests", count) % {"count": count})
    if (count := Unit.objects.exclude(code=DEFAULT_UNIT_CODE).count()) > 0:
        found.append(ngettext("%(count)s unit", "%(count)s units", count) % {"count": count})
    beyond_init = AuditRecord.objects.exclude(actor__isnull=True, action__in=_INIT_ACTIONS)
    if (count := beyond_init.count()) > 0:
        found.append(
            ngettext("%(count)s audit record", "%(count)s audit records", count) % {"count": count}
        )
    return found


def backup_restore(
    *, path: Path, actor: AbstractBaseUser | None = None, force: bool = False
) -> RestoreResult:
    """Restore the archive `path` into this installation, all of it or nothing.

    The installation must be empty (see `installation_emptiness`) unless `force`, which
    replaces whatever it holds.
    """
    from rogatory.statistics.cache import figures_cache_forget

    checked = backup_check(path)
    manifest = checked.manifest
    written: list[str] = []
    replaced_documents: set[str] = set()
    try:
        with transaction.atomic():
            # Every writer extends the audit chain, so holding its lock keeps them all waiting.
            audit_chain_reserve()
            found = installation_emptiness()
            if found and not force:
                raise RestoreRefused(
                    _(
                        "This installation is not empty (%(found)s), so nothing was restored. "
                        "Restore into an empty installation (a new database after `rogatory "
                        "init`), or use --force to replace everything it holds."
                    )
                    % {"found": ", ".join(found)}
                )
            replaced_documents = _documents_named()
            _tables_empty()
            rows = _tables_load(path, manifest)
            _documents_write(path, checked.documents, written)
            _audit_chain_check(manifest)
            audit_record(
                actor=actor,
                action="backup_restore",
                object_type="backup",
                object_id=checked.digest[:16],
                after={
                    "file": Path(path).name,
                    "manifest_sha256": checked.digest,
                    "rogatory_version": manifest["rogatory_version"],
                    "created_at": manifest["created_at"],
                    "database_vendor": manifest.get("database_vendor"),
                    "audit_chain_head": manifest.get("audit_chain_head"),
                    "rows": rows,
                    "documents": len(checked.documents),
                    "forced": bool(found),
                },
            )
    except BaseException as error:
        for name in written:
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("Could not delete %s, written by a failed restore.", name)
        if isinstance(error, DatabaseError):
            raise RestoreRefused(
                _("The restore failed and changed nothing: %(error)s") % {"error": error}
            ) from error
        raise
    figures_cache_forget()
    # This process remembers content types by id, and the restore may have renumbered them.
    ContentType.objects.clear_cache()
    orphans = _documents_forget(replaced_documents - set(checked.documents))
    return RestoreResult(
        manifest_sha256=checked.digest,
        rogatory_version=manifest["rogatory_version"],
        created_at=manifest["created_at"],
        rows=rows,
        documents=len(checked.documents),
        replaced=bool(found),
        orphans_left=orphans,
    )


def _documents_named() -> set[str]:
    model = apps.get_model(_DOCUMENT_MODEL)
    return set(model._base_manager.values_list("storage_name", flat=True))


def _append_only_migration():
    return importlib.import_module("rogatory.audit.migrations.0002_append_only")


def _tables_empty() -> None:
    """Delete every row of the tables a backup holds, and the sessions and queued tasks."""
    connection = connections[DEFAULT_DB_ALIAS]
    triggers = _append_only_migration()
    tables = [model._meta.db_table for model in reversed(backup_models())]
    # Sessions would sign people in as whoever has their user id in the restored register;
    # queued tasks name jobs of the register being replaced.
    tables += [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ("sessions", "django_tasks_database")
    ]
    with connection.cursor() as cursor:
        # The audit trail's triggers refuse every DELETE; they are back before this commits.
        for statement in triggers.DROP[connection.vendor]:
            cursor.execute(statement)
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _tables_load(path: Path, manifest: dict[str, Any]) -> int:
    """Insert every table's rows from the archive, then give the sequences their next values."""
    connection = connections[DEFAULT_DB_ALIAS]
    members = manifest["members"]
    models = {model._meta.label_lower: model for model in backup_models()}
    tables = {table["member"]: models[table["model"]] for table in manifest["tables"]}
    rows = 0
    with tarfile.open(path, mode="r:gz") as archive:
        for info in _members(archive):
            model = tables.get(info.name)
            if model is None:
                continue
            stream = _VerifiedMember(archive, info, members[info.name])
            rows += insert_rows(model, _columns(model), _rows_decoded(model, stream))
    triggers = _append_only_migration()
    with connection.cursor() as cursor:
        for statement in triggers.CREATE[connection.vendor]:
            cursor.execute(statement)
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            # The planner would otherwise take the restored tables for as empty as they were
            # (see intake.services._statistics_refresh); inside the transaction, ANALYZE counts
            # its own rows.
            quoted = ", ".join(
                connection.ops.quote_name(model._meta.db_table) for model in models.values()
            )
            cursor.execute(f"ANALYZE {quoted}")
    return rows


def _rows_decoded(model: type[Model], lines: Iterator[bytes]) -> Iterator[list[Any]]:
    fields = list(model._meta.concrete_fields)
    decoders = [(index, decode) for index, f in enumerate(fields) if (decode := _decoder(f))]
    for line in lines:
        row = json.loads(line)
        for index, decode in decoders:
            row[index] = decode(row[index])
        yield row


def _documents_write(path: Path, documents: dict[str, str], written: list[str]) -> None:
    """Write every document's file to the storage under its own name, checking each."""
    with tarfile.open(path, mode="r:gz") as archive:
        for info in _members(archive):
            if not info.name.startswith(_STORAGE_DIR):
                continue
            name = info.name.removeprefix(_STORAGE_DIR)
            if default_storage.exists(name):
                if _stored_sha256(name) == documents[name]:
                    continue
                raise RestoreRefused(
                    _(
                        "The storage already holds a different file named %(name)s, so nothing "
                        "was restored. Move it away, then restore again."
                    )
                    % {"name": name}
                )
            with tempfile.SpooledTemporaryFile(max_size=_CHUNK * 8) as spooled:
                stream = archive.extractfile(info)
                digest = hashlib.sha256()
                for chunk in iter(lambda stream=stream: stream.read(_CHUNK), b""):
                    digest.update(chunk)
                    spooled.write(chunk)
                if digest.hexdigest() != documents[name]:
                    raise RestoreRefused(
                        _(
                            "The archive's member %(member)s does not match its checksum in the "
                            "manifest: the archive is damaged or was changed."
                        )
                        % {"member": info.name}
                    )
                spooled.seek(0)
                stored = default_storage.save(name, File(spooled, name=name))
            written.append(stored)
            if stored != name:
                raise RestoreRefused(
                    _("The storage would keep %(name)s under another name (%(stored)s).")
                    % {"name": name, "stored": stored}
                )


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _audit_chain_check(manifest: dict[str, Any]) -> None:
    """Check the restored chain ends where the backup said it did."""
    head = AuditChainHead.objects.filter(pk=AuditChainHead.ONLY).first()
    restored = None if head is None else {"sequence": head.sequence, "hash": head.hash}
    if restored != manifest.get("audit_chain_head"):
        raise RestoreRefused(
            _("The restored audit trail does not end where the backup's manifest says it does.")
        )


def _documents_forget(names: set[str]) -> tuple[str, ...]:
    """Delete the files of a replaced register that the restored one does not name."""
    left = []
    for name in sorted(names):
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s, which no restored document names.", name)
            left.append(name)
    return tuple(left)
