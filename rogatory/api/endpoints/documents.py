"""Downloading a document attached to a request."""

import logging
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from rogatory.audit.services import audit_view
from rogatory.core.exceptions import NotFoundError
from rogatory.register.models import Document
from rogatory.register.selectors import request_document, request_get

from ..schemas import ERRORS, Id

router = Router(tags=["requests"])
logger = logging.getLogger(__name__)

_FILE_RESPONSE = {
    200: {
        "description": "The file, as an attachment.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/requests/{request_id}/documents/{document_id}",
    response=ERRORS,
    url_name="document_download",
    summary="Download a document",
    operation_id="document_download",
    openapi_extra={"responses": _FILE_RESPONSE},
)
def document_download(request: HttpRequest, request_id: Id, document_id: Id) -> FileResponse:
    """Stream a document's file to a user who may see its request; the download is audited."""
    found = request_get(user=request.auth, request_id=request_id)
    document = request_document(request=found, document_id=document_id)
    path = _stored_path(document)
    audit_view(
        actor=request.auth,
        object_type="document",
        object_id=document.pk,
        what={"request": found.pk, "sha256": document.sha256},
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )


def _stored_path(document: Document) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / document.storage_name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        # The register says there is a file and the disk disagrees: an operator must look.
        logger.error("Document %s: its file %s is missing.", document.pk, path)
        raise NotFoundError(_("The file of this document is missing; tell an administrator."))
    return path
