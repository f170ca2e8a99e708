"""Importing a register file (format v1) by upload: a dry run by default, or for real."""

import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from rogatory.core.formats import format_megabytes
from rogatory.intake.services import register_import

from ..errors import UploadTooLargeError
from ..lookups import unit_by_code_or_none
from ..schemas import ERRORS, ErrorOut, text

router = Router(tags=["register"])

# What may stay of an uploaded file's name: it names the file in the audit trail.
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ]")


class ImportIn(Schema):
    """How to import: a dry run (the default) only checks; `unit` takes the new requests."""

    dry_run: bool = True
    unit: text(40) = Field("", description="Unit code; default: the default unit.")


class ImportOut(Schema):
    """What the import did, or would do in a dry run."""

    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def refuse_oversized(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a body larger than the upload limit before Django reads any of it."""

    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # The limit is on the file; the multipart framing around it takes a little more.
        if length > settings.ROGATORY_MAX_UPLOAD_BYTES + 64 * 1024:
            from ..api import api  # here, because that module imports this one

            return api.on_exception(request, upload_too_large())
        return run(request, *args, **kwargs)

    return checked


def upload_too_large() -> UploadTooLargeError:
    """Return the error of a file larger than ROGATORY_MAX_UPLOAD_BYTES."""
    return UploadTooLargeError(
        _("The file is larger than the %(limit)s an upload may have.")
        % {"limit": format_megabytes(settings.ROGATORY_MAX_UPLOAD_BYTES)},
        extra={"field": "file"},
    )


def _safe_name(name: str | None) -> str:
    base = _UNSAFE_NAME_CHARACTERS.sub("_", Path(name or "").name)[-100:].lstrip(".")
    return base or "register"


@router.post(
    "/imports",
    response={200: ImportOut, **ERRORS, 413: ErrorOut},
    operation_id="register_import",
    summary="Import a register file",
)
@decorate_view(refuse_oversized)
def register_import_endpoint(
    request: HttpRequest,
    file: File[UploadedFile],
    options: Form[ImportIn],
) -> dict:
    """Check a CSV or XLSX register file and, unless `dry_run`, import it: all rows or none."""
    if file.size > settings.ROGATORY_MAX_UPLOAD_BYTES:
        raise upload_too_large()
    target = unit_by_code_or_none(options.unit)
    with tempfile.TemporaryDirectory(prefix="rogatory-import-") as folder:
        path = Path(folder) / _safe_name(file.name)
        with path.open("xb") as stored:
            for chunk in file.chunks():
                stored.write(chunk)
        result = register_import(
            actor=request.auth, path=path, dry_run=options.dry_run, unit=target
        )
    return asdict(result)
