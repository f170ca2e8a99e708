"""The audit trail: who changed what, when, with the values before and after.

The trail only grows. Each record carries the SHA-256 of its contents and of the record before
it (see `chain.py`), so that changing or deleting a record afterwards shows up when the chain is
verified; the application refuses to change or delete records, and so does the database, through
triggers installed by migration 0002.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditTrailAppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit record: a programming error, never a user's."""


def _refuse(what: str) -> NoReturn:
    raise AuditTrailAppendOnlyError(f"Audit records cannot be {what}: the audit trail only grows.")


class AuditRecordQuerySet(models.QuerySet):
    """Audit records, without the bulk ways of changing or deleting them."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("updated")

    def delete(self) -> NoReturn:
        _refuse("deleted")


class AuditRecord(models.Model):
    """One change to the register or its reference data, written in the same transaction."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_label = models.CharField(_("who"), max_length=150)
    # 45 characters hold the longest textual IPv6 address (an IPv4-mapped one).
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=60)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # The request a record is about, directly or through its person or document, so that a
    # request's history is one indexed lookup rather than a search inside JSON. Not a foreign
    # key: the trail outlives what it describes.
    request_id = models.BigIntegerField(_("request"), null=True, blank=True, editable=False)
    sequence = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["request_id", "sequence"], name="audit_request_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="audit_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert the record; an audit record once written is never saved again."""
        if not self._state.adding:
            _refuse("updated")
        # Never let Django try an UPDATE first because a primary key happens to be set.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleted")


class AuditChainHead(models.Model):
    """The sequence and hash of the newest audit record, kept in a table of one row.

    A hash chain shows a record changed or removed from its middle, but not one removed from its
    end: the records before it still chain correctly. The writers update this row in the same
    transaction as the records they add, so a trail that ends before its head has lost records.
    The database lets the row move only forward and refuses to delete it.
    """

    ONLY = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY)
    sequence = models.BigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash[:16]}"
