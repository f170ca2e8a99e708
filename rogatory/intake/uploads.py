"""Register files uploaded for a two-step import, kept on the server between check and confirm.

Each upload lives in its own private directory, `MEDIA_ROOT/imports/<token>/`, under its
original (cleaned) name, so that the import's audit record names the file the user chose and
its suffix still tells a damaged XLSX from a CSV. Callers remember the token, never a path: a
token that is not one this module could have made finds nothing.
"""

import hashlib
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from rogatory.core.exceptions import NotFoundError, StorageError, ValidationError
from rogatory.core.formats import format_megabytes

_DIRECTORY = "imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Uploads nobody confirmed or cancelled (a closed tab, an expired session) are swept after this.
_ABANDONED_AFTER_SECONDS = 24 * 3600
_FALLBACK_NAME = "register"


@dataclass(frozen=True)
class StoredUpload:
    """A register file kept for a later step, found again by its token."""

    token: str
    path: Path
    sha256: str
    size: int


def upload_store(*, chunks: Iterable[bytes], original_name: str, max_bytes: int) -> StoredUpload:
    """Write an uploaded file to a new private directory and return its token and digest."""
    upload_sweep()
    token = secrets.token_urlsafe(32)
    directory = _root() / token
    path = directory / _clean_name(original_name)
    digest = hashlib.sha256()
    size = 0
    try:
        _root().mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.mkdir(mode=0o700)
        with path.open("xb") as stream:
            path.chmod(0o600)
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(
                        _(
                            "The file %(name)s is larger than %(limit)s, the most an upload may have."
                        )
                        % {"name": path.name, "limit": format_megabytes(max_bytes)},
                        extra={"field": "file"},
                    )
                digest.update(chunk)
                stream.write(chunk)
    except OSError as error:
        # A full disk or a failed write: say so, naming the file, and keep nothing of it.
        shutil.rmtree(directory, ignore_errors=True)
        raise StorageError.of(error, name=path.name) from error
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return StoredUpload(token=token, path=path, sha256=digest.hexdigest(), size=size)


def upload_get(*, token: str, sha256: str) -> StoredUpload:
    """Return the upload kept under `token`, or raise NotFoundError if it is gone or changed."""
    path = _file_of(token)
    if path is None:
        raise NotFoundError(_("The uploaded file is no longer on the server; upload it again."))
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise NotFoundError(_("The uploaded file has changed on the server; upload it again."))
    return StoredUpload(token=token, path=path, sha256=sha256, size=path.stat().st_size)


def upload_delete(*, token: str) -> None:
    """Delete the upload kept under `token`, if there is one."""
    if _TOKEN.fullmatch(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


def upload_sweep(*, older_than_seconds: int = _ABANDONED_AFTER_SECONDS) -> int:
    """Delete uploads left longer than `older_than_seconds`; return how many were deleted."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    deleted = 0
    for directory in root.iterdir():
        try:
            if _TOKEN.fullmatch(directory.name) and directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
                deleted += 1
        except FileNotFoundError:  # swept by another process meanwhile
            continue
    return deleted


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / _DIRECTORY


def _file_of(token: str) -> Path | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    directory = _root() / token
    files = [path for path in directory.iterdir() if path.is_file()] if directory.is_dir() else []
    return files[0] if len(files) == 1 else None


def _clean_name(original_name: str) -> str:
    name = Path(original_name.replace("\\", "/")).name
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # Django refuses names such as "" or ".."
        name = ""
    if not name or name.startswith("."):
        name = _FALLBACK_NAME + Path(name).suffix
    # Keep the suffix: it tells the reader an XLSX that will not open from a CSV.
    stem, suffix = Path(name).stem, Path(name).suffix[:10]
    return f"{stem[: 120 - len(suffix)]}{suffix}"
