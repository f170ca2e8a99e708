"""Proposing, editing, approving and withdrawing examples for the public statement.

Every change is one transaction with its audit record inside it. Locks are taken in the
register's order: the audit chain first, then the request's row, then the example's.
"""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.exceptions import ConflictError, ValidationError
from rogatory.register.models import Direction, Person, Request

from .models import CATEGORY_OUTCOMES, SUMMARY_MAX_LENGTH, Example

Actor = AbstractBaseUser | None

# Approving what goes out in the office's name is a supervisor's work; no action says exactly
# that, so it takes the one reference-data editing takes (least role: supervisor).
APPROVE_ACTION = Action.EDIT_REFERENCE

# Name parts shorter than this ("de", "Li") are too common in text to refuse a summary for.
_NAME_PART_MIN_LENGTH = 3
# A full date could be a date of birth; the statement names months, never days.
_FULL_DATE = re.compile(
    r"(?<!\d)(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?!\d)", re.UNICODE
)
# Six digits or more in a row look like a passport or document number.
_LONG_NUMBER = re.compile(r"\d{6,}")


def example_snapshot(example: Example) -> dict[str, Any]:
    """Return the example as the audit trail records it."""
    return {
        "request": example.request_id,
        "category": example.category,
        "summary_en": example.summary_en,
        "summary_ru": example.summary_ru,
        "month": example.month.isoformat(),
        "proposed_by": example.proposed_by_id,
        "proposed_at": example.proposed_at.isoformat(),
        "approved_by": example.approved_by_id,
        "approved_at": example.approved_at.isoformat() if example.approved_at else None,
        "version": example.version,
    }


@transaction.atomic
def example_propose(
    *, actor: Actor, request: Request, category: str, summary_en: str, summary_ru: str
) -> Example:
    """Propose `request` as an example of `category` with its public summaries, for approval."""
    request = _lock_request(request)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    if Example.objects.filter(request=request).exists():
        raise ValidationError(
            _("This request is already proposed as an example; change that one instead.")
        )
    month = _check_request(request, category)
    summary_en, summary_ru = _check_summaries(request, summary_en=summary_en, summary_ru=summary_ru)
    try:
        with transaction.atomic():
            example = Example.objects.create(
                request=request,
                category=category,
                summary_en=summary_en,
                summary_ru=summary_ru,
                month=month,
                proposed_by=actor,
                proposed_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("This request is already proposed as an example; change that one instead.")
        ) from None
    audit_record(
        actor=actor,
        action="example_propose",
        object_type="publication_example",
        object_id=example.pk,
        after=example_snapshot(example),
    )
    return example


@transaction.atomic
def example_update(
    *,
    actor: Actor,
    example: Example,
    category: str,
    summary_en: str,
    summary_ru: str,
    expected_version: int | None = None,
) -> Example:
    """Change an example's category or summaries; a change withdraws its approval.

    The one who changes it becomes its proposer, since the text to approve is now theirs.
    """
    request, example = _lock(example)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    _check_version(example, expected_version)
    month = _check_request(request, category)
    summary_en, summary_ru = _check_summaries(request, summary_en=summary_en, summary_ru=summary_ru)
    before = example_snapshot(example)
    if (example.category, example.summary_en, example.summary_ru, example.month) == (
        category,
        summary_en,
        summary_ru,
        month,
    ):
        return example
    example.category, example.month = category, month
    example.summary_en, example.summary_ru = summary_en, summary_ru
    example.proposed_by, example.proposed_at = actor, timezone.now()
    example.approved_by, example.approved_at = None, None
    example.version += 1
    example.save()
    audit_record(
        actor=actor,
        action="example_update",
        object_type="publication_example",
        object_id=example.pk,
        before=before,
        after={
            **example_snapshot(example),
            "approval_withdrawn": before["approved_at"] is not None,
        },
    )
    return example


@transaction.atomic
def example_approve(
    *, actor: Actor, example: Example, expected_version: int | None = None
) -> Example:
    """Approve an example for the statement, as a supervisor.

    With `expected_version`, refuse if the example changed since the supervisor read it, so
    that nobody approves a text they have not seen. The checks run again: persons may have
    been named, or the decision changed, since it was proposed.
    """
    request, example = _lock(example)
    authorize(actor, APPROVE_ACTION, unit_id=request.unit_id)
    _check_version(example, expected_version)
    if example.approved_at is not None:
        raise ValidationError(_("This example is already approved."))
    month = _check_request(request, example.category)
    _check_summaries(request, summary_en=example.summary_en, summary_ru=example.summary_ru)
    before = example_snapshot(example)
    example.month = month
    example.approved_by, example.approved_at = actor, timezone.now()
    example.version += 1
    example.save()
    audit_record(
        actor=actor,
        action="example_approve",
        object_type="publication_example",
        object_id=example.pk,
        before=before,
        after=example_snapshot(example),
    )
    return example


@transaction.atomic
def example_withdraw(*, actor: Actor, example: Example) -> None:
    """Remove an example; once approved, only a supervisor may remove it."""
    request, example = _lock(example)
    needed = APPROVE_ACTION if example.approved_at is not None else Action.RECORD_EVENT
    authorize(actor, needed, unit_id=request.unit_id)
    before = example_snapshot(example)
    example_id = example.pk
    example.delete()
    audit_record(
        actor=actor,
        action="example_withdraw",
        object_type="publication_example",
        object_id=example_id,
        before=before,
    )


def summary_check(
    *, summary: str, field: str, names: Iterable[str], references: Iterable[str]
) -> str:
    """Return the summary stripped, or raise ValidationError if it carries personal data.

    It must not name a person sought (compared without regard to case, by full name and by
    each part of it), give a full date (a date of birth) or a long number (a passport), or
    quote the request's references.
    """
    summary = summary.strip()
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise ValidationError(
            _("A public summary has at most %(limit)d characters.") % {"limit": SUMMARY_MAX_LENGTH},
            extra={"field": field},
        )
    folded = summary.casefold()
    for name in names:
        for part in _name_parts(name):
            if re.search(rf"(?<!\w){re.escape(part.casefold())}(?!\w)", folded):
                raise ValidationError(
                    _(
                        "The summary names a person sought (“%(name)s”). A public summary must "
                        "not contain personal data: write “a person” instead."
                    )
                    % {"name": part},
                    extra={"field": field},
                )
    for reference in references:
        if reference and reference.casefold() in folded:
            raise ValidationError(
                _(
                    "The summary quotes the request's reference “%(reference)s”; the public "
                    "statement never gives references."
                )
                % {"reference": reference},
                extra={"field": field},
            )
    if _FULL_DATE.search(summary):
        raise ValidationError(
            _(
                "The summary gives a full date, which could be a date of birth. Name the month "
                "only: the statement adds the month of the decision itself."
            ),
            extra={"field": field},
        )
    if _LONG_NUMBER.search(summary):
        raise ValidationError(
            _(
                "The summary contains a long number, which looks like a passport or document "
                "number. Leave it out."
            ),
            extra={"field": field},
        )
    return summary


def _check_summaries(request: Request, *, summary_en: str, summary_ru: str) -> tuple[str, str]:
    names = list(Person.objects.filter(request=request).values_list("full_name", flat=True))
    references = [request.reference, request.counterpart_reference]
    checked = tuple(
        summary_check(summary=summary, field=field, names=names, references=references)
        for field, summary in (("summary_en", summary_en), ("summary_ru", summary_ru))
    )
    if not any(checked):
        raise ValidationError(
            _("Write the public summary in English, in Russian, or in both."),
            extra={"field": "summary_en"},
        )
    return checked[0], checked[1]


def _check_request(request: Request, category: str) -> date:
    """Return the month the example illustrates, or raise if the request cannot illustrate it."""
    if category not in CATEGORY_OUTCOMES:
        raise ValidationError(
            _("The category must be refusal or cooperation, not “%(value)s”.")
            % {"value": category},
            extra={"field": "category"},
        )
    if request.direction != Direction.OUTGOING:
        raise ValidationError(
            _(
                "Only outgoing requests can be examples: the statement tells what foreign states "
                "decided on our requests."
            )
        )
    if request.decided_on is None or request.outcome not in CATEGORY_OUTCOMES[category]:
        if category == Example.Category.REFUSAL:
            message = _("Only a refused request can be an example of a refusal.")
        else:
            message = _(
                "Only an executed, partially executed or granted request can be an example "
                "of good cooperation."
            )
        raise ValidationError(message, extra={"field": "category"})
    return request.decided_on.replace(day=1)


def _check_version(example: Example, expected_version: int | None) -> None:
    if expected_version is not None and example.version != expected_version:
        raise ConflictError(
            _(
                "Someone changed this example since you read it (version %(current)d, you had "
                "%(expected)d). Read it again."
            )
            % {"current": example.version, "expected": expected_version}
        )


def _lock_request(request: Request) -> Request:
    audit_chain_reserve()
    return Request.objects.select_for_update().get(pk=request.pk)


def _lock(example: Example) -> tuple[Request, Example]:
    """Return the example's request and the example, re-read under row locks in that order."""
    request = _lock_request(Request(pk=example.request_id))
    locked = Example.objects.select_for_update().filter(pk=example.pk).first()
    if locked is None:
        raise ConflictError(_("This example was withdrawn meanwhile."))
    return request, locked


def _name_parts(name: str) -> list[str]:
    parts = [name.strip()]
    parts += [part for part in re.split(r"[\s,]+", name) if len(part) >= _NAME_PART_MIN_LENGTH]
    return [part for part in parts if part]
