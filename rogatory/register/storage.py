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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from rogatory.core.exceptions import StorageError

from .documents import document_name_clean, document_size_check, document_type_check

logger = logging.getLogger(__name__)

# A file up to this size is measured in memory before it is stored; a larger one on disk.
SPOOL_BYTES = 1024 * 1024


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
