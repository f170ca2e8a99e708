"""Documents attached to a request: attaching a file, and downloading it."""

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from rogatory.register.documents import DocumentTooLargeError
from rogatory.register.models import Document
from rogatory.register.selectors import request_get
from rogatory.register.services import document_attach, document_fetch

from ..errors import UploadTooLargeError
from ..schemas import ERRORS, DocumentKind, DocumentOut, ErrorOut, Id, text
from .imports import refuse_oversized

router = Router(tags=["requests"])

_FILE_RESPONSE = {
    200: {
        "description": "The file, as an attachment.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class DocumentIn(Schema):
    """What the file is; its type is read from its content, never from its name."""

    kind: DocumentKind = Document.Kind.OTHER
    title: text(300) = Field("", description="Default: the file's name.")


@router.post(
    "/requests/{request_id}/documents",
    response={201: DocumentOut, **ERRORS, 413: ErrorOut},
    url_name="document_upload",
    summary="Attach a document",
    operation_id="document_upload",
)
@decorate_view(refuse_oversized)
def document_upload(
    request: HttpRequest, request_id: Id, file: File[UploadedFile], details: Form[DocumentIn]
) -> Status:
    """Attach a PDF, Office, OpenDocument, image, CSV or text file to a request.

    A file larger than the upload limit is refused with 413; one whose content is not one of
    those types, or not the type its name says, with 422. Nothing is stored then.
    """
    found = request_get(user=request.auth, request_id=request_id)
    try:
        document = document_attach(
            actor=request.auth,
            request=found,
            kind=details.kind,
            title=details.title,
            original_name=file.name or "",
            content=file,
        )
    except DocumentTooLargeError as error:
        raise UploadTooLargeError(error.message, extra=error.extra) from None
    return Status(201, document)


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
        filename=fetched.filename,
        content_type=fetched.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
