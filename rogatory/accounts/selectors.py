"""Reads of users and units, for the pages that manage them."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Unit, User


def user_list() -> QuerySet[User]:
    """Return every user, active ones first, with their units and whether two-factor is on."""
    confirmed_device = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("name")))
        .annotate(two_factor=Exists(confirmed_device))
        .order_by("-is_active", "username")
    )


def unit_list() -> QuerySet[Unit]:
    """Return every unit with the number of users who work in it."""
    return Unit.objects.annotate(member_count=Count("members")).order_by("name")


def user_has_two_factor(user: User) -> bool:
    """Return whether `user` signs in with a one-time code as well as a password."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
