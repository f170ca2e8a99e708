"""The digest e-mail: one message per person, plain text with an HTML alternative."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rogatory.accounts.models import User

from .selectors import Digest, ReminderItem


def reminder_language(user: User) -> str:
    """Return the language `user`'s digest is written in.

    Rogatory does not yet keep a language per user (the language chosen on the pages lives in a
    cookie of that browser), so every digest uses ROGATORY_REMINDER_LANGUAGE, which follows the
    site's LANGUAGE_CODE unless set.
    """
    return settings.ROGATORY_REMINDER_LANGUAGE


def request_link(request_id: int) -> str:
    """Return the address of a request's page: absolute when ROGATORY_BASE_URL is set."""
    path = reverse("web:request_detail", kwargs={"request_id": request_id})
    return f"{settings.ROGATORY_BASE_URL}{path}"


def digest_message(digest: Digest, *, today: date) -> EmailMultiAlternatives:
    """Return the e-mail that tells `digest.recipient` what is overdue and due soon."""
    language = reminder_language(digest.recipient)
    with translation.override(language):
        context = {
            "recipient": digest.recipient,
            "today": today,
            "overdue": [_shown(item, language) for item in digest.overdue],
            "due_soon": [_shown(item, language) for item in digest.due_soon],
            "home": f"{settings.ROGATORY_BASE_URL}{reverse('web:dashboard')}",
        }
        subject = _(
            "Rogatory reminders for %(date)s: %(overdue)s overdue, %(due_soon)s due soon"
        ) % {
            "date": today.isoformat(),
            "overdue": len(context["overdue"]),
            "due_soon": len(context["due_soon"]),
        }
        text = render_to_string("reminders/digest.txt", context)
        html = render_to_string("reminders/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[digest.recipient.email],
        # RFC 3834: a machine wrote this; out-of-office replies should not answer it.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _shown(item: ReminderItem, language: str) -> dict:
    """Return what the digest shows of one item, in `language` (already active)."""
    request = item.request
    return {
        "reference": request.reference,
        "direction": request.get_direction_display(),
        "kind": request.get_kind_display(),
        "country": request.country.name_in(language),
        "rule": item.rule.name_in(language),
        "source": item.rule.source,
        "due_on": item.due_on,
        "when": item_when(item),
        "link": request_link(request.pk),
    }


def item_when(item: ReminderItem) -> str:
    """Return how far the item is from its due date: "3 days overdue", "due today", "2 days left"."""
    if item.overdue:
        return ngettext("%(count)s day overdue", "%(count)s days overdue", item.days) % {
            "count": item.days
        }
    if item.days == 0:
        return _("due today")
    return ngettext("%(count)s day left", "%(count)s days left", item.days) % {"count": item.days}
