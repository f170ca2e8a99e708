"""`rogatory createuser NAME`: add a user who can sign in."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from rogatory.accounts.services import user_create
from rogatory.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Create a user. The password is asked for on the terminal, or read from standard "
        "input when that is not a terminal."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The user name to sign in with.")
        parser.add_argument("--email", default="", help="The user's e-mail address.")

    def handle(self, *args, name: str, email: str, **options) -> None:
        try:
            user_create(actor=None, username=name, password=_read_password(), email=email)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"User “{name}” created.")


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise CommandError("No password was given on standard input.")
    return password
