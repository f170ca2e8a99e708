"""Keeping an uploaded file: measured, checked and stored under a generated name, or nothing.

Request documents and engagement documents are kept the same way. `document_stored` streams the
upload to a local spool (an S3 upload may read a part twice when it retries, so the file is
measured on its way in, not while the storage reads it), refuses it as soon as it passes the size
limit or when its content is not a type Rogatory keeps, stores it, and hands back what was
stored. If anything fails before the caller's block is done (the database write of the record,
its audit record), the stored file is deleted again, so that no file lies in the storage that
no record names.
"""

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.core.exceptions import NotFoundError, StorageError

from .documents import (
    DOCUMENT_TYPES,
    document_name_clean,
    document_size_check,
    document_type_check,
)

logger = logging.getLogger(__name__)

# A file up to this size is measured in memory before it is stored; a larger one on disk.
SPOOL_BYTES = 1024 * 1024

# Types a browser may be told a download has: those an upload is checked to be. Anything else
# (a document stored before the checks) goes out as opaque bytes, so that an HTML or SVG file
# can never run as a page of Rogatory.
SAFE_DOWNLOAD_TYPES = frozenset(kind.content_type for kind in DOCUMENT_TYPES)


@dataclass(frozen=True)
class StoredFile:
    """A file kept in the storage: its cleaned original name and what was found of it."""

    name: str
    storage_name: str
    content_type: str
    size: int
    sha256: str


@contextmanager
def document_stored(*, folder: str, original_name: str, content: IO[bytes]) -> Iterator[StoredFile]:
    """Store `content` under `folder`, checked; delete it again if the block raises.

    Raises DocumentRefused (nothing stored) for a file too large or of a type not kept, and
    StorageError naming the file when the disk or the storage fails.
    """
    name = document_name_clean(original_name)
    limit = settings.ROGATORY_MAX_UPLOAD_BYTES
    wanted_name = f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    storage_name = ""
    digest = hashlib.sha256()
    size = 0
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spooled:
            for chunk in iter(lambda: content.read(1 << 16), b""):
                size += len(chunk)
                document_size_check(name=name, size=size, limit=limit)
                digest.update(chunk)
                spooled.write(chunk)
            found = document_type_check(file=spooled, name=name)
            spooled.seek(0)
            storage_name = default_storage.save(wanted_name, File(spooled, name=wanted_name))
        yield StoredFile(
            name=name,
            storage_name=storage_name,
            content_type=found.content_type,
            size=size,
            sha256=digest.hexdigest(),
        )
    except OSError as error:
        # A full disk, a failed write of the spool or of the storage: say so, naming the file.
        stored_file_discard(storage_name or wanted_name)
        raise StorageError.of(error, name=name) from error
    except BaseException:
        stored_file_discard(storage_name or wanted_name)
        raise


def stored_file_discard(name: str) -> None:
    """Delete a stored file that no record names; a failure here is logged, not raised."""
    # A file the register does not name would never be found again, nor ever deleted. If the
    # storage fails here too, the error that brought us here is the one to report.
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("Could not delete %s, which no document names.", name)


@dataclass(frozen=True)
class OpenedFile:
    """A stored file open for sending, with the type and the file name to send it under."""

    file: File
    content_type: str
    filename: str


def stored_file_open(
    *,
    storage_name: str,
    content_type: str,
    original_name: str,
    what: str,
    record_view: Callable[[], object],
) -> OpenedFile:
    """Open a stored file for sending, once `record_view` has audited the read.

    `what` names the record in the log when its file is missing. The caller closes the file (a
    FileResponse does when it has sent it).
    """
    try:
        file = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, SuspiciousOperation):
        # The register says there is a file and the storage disagrees: an operator must look.
        logger.error("%s: its file %s is missing.", what, storage_name)
        raise NotFoundError(
            _("The file of this document is missing; tell an administrator.")
        ) from None
    try:
        record_view()
    except BaseException:
        file.close()
        raise
    return OpenedFile(
        file=file,
        content_type=content_type
        if content_type in SAFE_DOWNLOAD_TYPES
        else ("application/octet-stream"),
        filename=document_name_clean(original_name),
    )
