"""Downloading a document attached to a request."""

from django.http import FileResponse, HttpRequest
from ninja import Router

from rogatory.register.selectors import request_get
from rogatory.register.services import document_fetch

from ..schemas import ERRORS, Id

router = Router(tags=["requests"])

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
    fetched = document_fetch(actor=request.auth, request=found, document_id=document_id)
    response = FileResponse(
        fetched.file,
        as_attachment=True,
        filename=fetched.document.original_name,
        content_type=fetched.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
