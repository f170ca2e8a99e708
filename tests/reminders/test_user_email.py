"""An administrator gives a user the e-mail address reminders go to, on the user page."""

from django.core import mail
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.reminders.services import reminders_send
from tests.accounts.factories import UserFactory
from tests.reminders.conftest import TODAY


def test_the_user_page_explains_and_sets_the_address_reminders_go_to(register, client):
    client.force_login(UserFactory(username="ada.admin", role=Role.ADMINISTRATOR))
    nina = register.users["clerk_nomail"]
    url = reverse("web:user_edit", args=[nina.pk])

    page = client.get(url, secure=True)
    assert "Deadline reminders are e-mailed to this address" in page.content.decode()
    response = client.post(
        url,
        {
            "email": "nina.clerk@example.org",
            "role": Role.CLERK,
            "units": [unit.pk for unit in nina.units.all()],
            "is_active": "on",
        },
        secure=True,
    )
    assert response.status_code == 302

    outcome = reminders_send(today=TODAY)

    assert "nina.clerk" in {digest.digest.recipient.username for digest in outcome.sent}
    assert ["nina.clerk@example.org"] in [message.to for message in mail.outbox]
