"""Register jobs: the checks, imports and exports of register files that the worker runs.

A job is what a user sees of a background task: queued, running, then done or failed, with
what it did (counts, the file written) or what went wrong (the message and the wrong rows).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterJob(models.Model):
    """A register file checked, imported or exported in the background for one user."""

    class Kind(models.TextChoices):
        IMPORT_CHECK = "import_check", _("import check")
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="register_jobs",
        verbose_name=_("requested by"),
    )
    # The unit new requests of an import go to; exports have none.
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    # An import names the check it confirms.
    source = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The task runs in this language and for this client address, those of the user who asked.
    language = models.CharField(max_length=10, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    # Imports: the upload's name, token, digest and size; exports: format and direction.
    parameters = models.JSONField(default=dict)
    # Counts when done; the wrong rows (as many as are kept) when a file was rejected.
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Exports: the written file's name in the default storage, cleared once it is swept.
    file_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A finished check is closed once it is confirmed, cancelled or replaced by a newer check.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="register_job_user_idx"),
        ]
        verbose_name = _("register job")
        verbose_name_plural = _("register jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        """Return whether the job has run, successfully or not."""
        return self.status in (self.Status.DONE, self.Status.FAILED)
