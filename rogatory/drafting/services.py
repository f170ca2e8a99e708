"""Changes and generation for drafting: saving the letter, making its file, attaching it.

Only outgoing requests have a letter. Clerks and above of the request's unit write it; anyone
who may see the request may generate it (that is a read, recorded as one, since the letter
names persons). A letter can be regenerated after the request is sent, for a corrected copy.
"""

import io
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_chain_reserve, audit_record, audit_view
from rogatory.core.exceptions import ConflictError, ValidationError
from rogatory.register.models import Document, Request
from rogatory.register.services import document_attach

from .letters import (
    DOCX_CONTENT_TYPE,
    FORMATS,
    LANGUAGES,
    PDF_CONTENT_TYPE,
    LetterFile,
    letter_context,
    letter_docx,
    letter_filename,
    letter_pdf,
)
from .models import DRAFT_FIELDS, Draft, LetterLanguage
from .selectors import country_requirements, draft_applies, draft_check

Actor = AbstractBaseUser | None

# The longest text each short field takes; the long texts are limited only by reason.
_MAX_LENGTHS = {
    "authority_name": 300,
    "contact_name": 200,
    "contact_phone": 60,
    "contact_email": 254,
}
_LONG_TEXT = 20000


def draft_snapshot(draft: Draft) -> dict[str, Any]:
    """Return the letter's fields as the audit trail records them."""
    return {
        "request": draft.request_id,
        **{name: getattr(draft, name) for name in DRAFT_FIELDS},
        "version": draft.version,
    }


def _check_outgoing(request: Request) -> None:
    if not draft_applies(request=request):
        raise ValidationError(
            _("Only outgoing requests have a letter to draft; this one is incoming."),
            extra={"field": "request"},
        )


def _clean(name: str, value: Any) -> str:
    """Return the text of field `name` stripped, or raise ValidationError naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(
            _("“%(field)s” must be text.") % {"field": Draft._meta.get_field(name).verbose_name},
            extra={"field": name},
        )
    value = value.strip()
    limit = _MAX_LENGTHS.get(name, _LONG_TEXT)
    if len(value) > limit:
        raise ValidationError(
            _("“%(field)s” is too long: use at most %(count)d characters.")
            % {"field": Draft._meta.get_field(name).verbose_name, "count": limit},
            extra={"field": name},
        )
    if name == "contact_email" and value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValidationError(
                _("“%(value)s” is not an email address.") % {"value": value},
                extra={"field": name},
            ) from None
    if name == "language" and value not in LetterLanguage.values:
        raise ValidationError(
            _("The letter can be written in English or Russian, not “%(value)s”.")
            % {"value": value},
            extra={"field": name},
        )
    return value


@transaction.atomic
def draft_save(
    *,
    actor: Actor,
    request: Request,
    expected_version: int | None = None,
    **fields: Any,
) -> Draft:
    """Create or change the letter of an outgoing request; fields left out stay as they are.

    With `expected_version` (0 for a letter not yet started), refuse the change if someone
    saved the letter since the user read that version, so one edit cannot undo another.
    """
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields are not part of the letter: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    audit_chain_reserve()
    request = Request.objects.select_for_update().get(pk=request.pk)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    _check_outgoing(request)
    cleaned = {name: _clean(name, value) for name, value in fields.items()}
    draft = Draft.objects.select_for_update().filter(request=request).first()
    current = draft.version if draft is not None else 0
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            _(
                "Someone else saved this letter since you opened it (version %(current)d, you "
                "had %(expected)d). Reload it and make your change again."
            )
            % {"current": current, "expected": expected_version},
            extra={"field": "version", "version": current},
        )
    if draft is None:
        draft = Draft(request=request, version=0)
        before = None
    else:
        before = draft_snapshot(draft)
    for name, value in cleaned.items():
        setattr(draft, name, value)
    if before is not None and draft_snapshot(draft) == before:
        return draft
    draft.version += 1
    draft.updated_by = actor if actor is not None and actor.is_authenticated else None
    draft.save()
    audit_record(
        actor=actor,
        action="draft_save",
        object_type="draft",
        object_id=draft.pk,
        before=before,
        after=draft_snapshot(draft),
    )
    return draft


def draft_render(
    *,
    actor: Actor,
    request: Request,
    format: str,
    language: str,
    today: date | None = None,
) -> LetterFile:
    """Generate the letter of `request` as DOCX or PDF, in English or Russian.

    Nothing is generated while an element is missing: the ValidationError lists every one.
    `request` comes from `request_get`, which has checked the user may see it. The letter
    names the persons concerned, so generating it is recorded as a view of them.
    """
    authorize(actor, Action.READ, unit_id=request.unit_id)
    _check_outgoing(request)
    if format not in FORMATS:
        raise ValidationError(
            _("The letter can be made as DOCX or PDF, not “%(value)s”.") % {"value": format},
            extra={"field": "format"},
        )
    if language not in LANGUAGES:
        raise ValidationError(
            _("The letter can be written in English or Russian, not “%(value)s”.")
            % {"value": language},
            extra={"field": "language"},
        )
    draft = Draft.objects.filter(request=request).first()
    missing = draft_check(request=request, draft=draft)
    if missing:
        raise ValidationError(
            _("The letter is not complete; fill in: %(elements)s.")
            % {"elements": "; ".join(element.label for element in missing)},
            extra={"missing": [element.label for element in missing]},
        )
    context = letter_context(
        request=request,
        draft=draft,
        requirements=country_requirements(request=request),
        language=language,
        today=today or timezone.localdate(),
    )
    if format == "docx":
        content = letter_docx(context, kind=request.kind, language=language)
        content_type = DOCX_CONTENT_TYPE
    else:
        content = letter_pdf(context, language=language)
        content_type = PDF_CONTENT_TYPE
    audit_view(
        actor=actor,
        object_type="draft_letter",
        object_id=draft.pk,
        what={
            "request": request.pk,
            "version": draft.version,
            "format": format,
            "language": language,
        },
    )
    return LetterFile(
        content=content,
        filename=letter_filename(request=request, draft=draft, language=language, format=format),
        content_type=content_type,
    )


def draft_attach(
    *,
    actor: Actor,
    request: Request,
    format: str,
    language: str,
    today: date | None = None,
) -> Document:
    """Generate the letter and keep it with the request as a document of kind "request"."""
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    letter = draft_render(
        actor=actor, request=request, format=format, language=language, today=today
    )
    version = Draft.objects.filter(request=request).values_list("version", flat=True).first()
    title = _("Request letter, version %(version)s (%(language)s, %(format)s)") % {
        "version": version,
        "language": language.upper(),
        "format": format.upper(),
    }
    return document_attach(
        actor=actor,
        request=request,
        kind=Document.Kind.REQUEST,
        title=title,
        original_name=letter.filename,
        content=io.BytesIO(letter.content),
        content_type=letter.content_type,
    )
