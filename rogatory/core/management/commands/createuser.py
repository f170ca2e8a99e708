"""`rogatory createuser NAME --role ROLE --unit UNIT`: add a user who can sign in."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from rogatory.accounts.models import Role
from rogatory.accounts.services import unit_by_code, unit_default_ensure, user_create
from rogatory.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Create a user. The password is asked for on the terminal, or read from standard "
        "input when that is not a terminal."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The user name to sign in with.")
        parser.add_argument("--email", default="", help="The user's e-mail address.")
        parser.add_argument(
            "--role",
            default=Role.VIEWER,
            choices=Role.values,
            help="What the user may do (default: viewer).",
        )
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            metavar="UNIT",
            help="The code of a unit the user works in; repeat for several. "
            "Default: the default unit.",
        )

    def handle(self, *args, name: str, email: str, role: str, unit: list[str], **options) -> None:
        try:
            units = [unit_by_code(code) for code in unit] or [unit_default_ensure()]
            user_create(
                actor=None,
                username=name,
                password=_read_password(),
                email=email,
                role=role,
                units=units,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        codes = ", ".join(u.code for u in units)
        self.stdout.write(f"User “{name}” created: {role}, units {codes}.")


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
