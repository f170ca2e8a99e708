"""Users, their roles and units, and their API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """What a user may do; each role may do everything the one before it may."""

    VIEWER = "viewer", pgettext_lazy("role", "viewer")
    CLERK = "clerk", pgettext_lazy("role", "clerk")
    SUPERVISOR = "supervisor", pgettext_lazy("role", "supervisor")
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "administrator")


class Unit(models.Model):
    """A department of the central authority; every request belongs to one."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in to Rogatory."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="members", verbose_name=_("units")
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(models.Model):
    """A secret a program sends as `Authorization: Bearer …`; only its SHA-256 is kept."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token, shown so that a user can tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Chosen at creation (ROGATORY_TOKEN_DAYS by default); from then on the token is refused.
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        """Whether the token's lifetime is over."""
        return self.expires_at <= timezone.now()
