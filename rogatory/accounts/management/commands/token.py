"""`rogatory token create|list|revoke NAME`: the API tokens of a user.

`create` prints the new token alone on its last line, so that a script can take it with
`rogatory token create alice | tail -n 1`. A token expires after `--days` days
(ROGATORY_TOKEN_DAYS by default, at most ROGATORY_TOKEN_MAX_DAYS).
"""

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.accounts.models import ApiToken, User
from rogatory.accounts.services import token_create, token_revoke
from rogatory.core.exceptions import ApplicationError

DEFAULT_TOKEN_NAME = "command line"


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property, so that the text is translated when shown; argparse cannot take a lazy one.
        return _("Create, list or revoke the API tokens of a user.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help=gettext_lazy("create a token and print it, alone on the last line"),
        )
        create.add_argument("username", metavar="NAME", help=gettext_lazy("the user's name"))
        create.add_argument(
            "--name",
            dest="token_name",
            default=DEFAULT_TOKEN_NAME,
            metavar="TOKEN_NAME",
            help=gettext_lazy("what the token is for, such as the program that will use it"),
        )
        create.add_argument(
            "--days",
            type=int,
            default=None,
            metavar="DAYS",
            help=gettext_lazy(
                "how many days the token works (default: ROGATORY_TOKEN_DAYS, %(default_days)d; "
                "at most ROGATORY_TOKEN_MAX_DAYS, %(max_days)d)"
            )
            % {
                "default_days": settings.ROGATORY_TOKEN_DAYS,
                "max_days": settings.ROGATORY_TOKEN_MAX_DAYS,
            },
        )
        listing = actions.add_parser("list", help=gettext_lazy("list a user's tokens"))
        listing.add_argument("username", metavar="NAME", help=gettext_lazy("the user's name"))
        revoke = actions.add_parser("revoke", help=gettext_lazy("revoke a token"))
        revoke.add_argument("username", metavar="NAME", help=gettext_lazy("the user's name"))
        revoke.add_argument(
            "prefix", metavar="PREFIX", help=gettext_lazy("the first characters of the token")
        )

    def handle(self, *args, action: str, username: str, **options) -> None:
        user = _user(username)
        try:
            if action == "create":
                self._create(user, options["token_name"], options["days"])
            elif action == "list":
                self._list(user)
            else:
                self._revoke(user, options["prefix"])
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _create(self, user: User, name: str, days: int | None) -> None:
        new = token_create(actor=None, user=user, name=name, days=days)
        self.stdout.write(
            _("Token “%(name)s” created for %(user)s. It is shown only now; keep it secret.")
            % {"name": new.token.name, "user": user.get_username()}
        )
        self.stdout.write(
            _("It works until %(date)s UTC.") % {"date": f"{new.token.expires_at:%Y-%m-%d %H:%M}"}
        )
        self.stdout.write(_("Send it as the header “Authorization: Bearer TOKEN”. The token:"))
        self.stdout.write(new.secret)

    def _list(self, user: User) -> None:
        tokens = list(user.api_tokens.all())
        if not tokens:
            self.stdout.write(_("%(user)s has no API tokens.") % {"user": user.get_username()})
        for token in tokens:
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.name,
                        _("created %(date)s") % {"date": f"{token.created_at:%Y-%m-%d}"},
                        _("last used %(date)s") % {"date": _date_or_never(token.last_used_at)},
                        _("expires %(date)s") % {"date": f"{token.expires_at:%Y-%m-%d}"},
                        _status(token),
                    ]
                )
            )

    def _revoke(self, user: User, prefix: str) -> None:
        # PREFIX may be what `list` shows, fewer characters, or the whole token.
        matching = [
            token
            for token in user.api_tokens.filter(revoked_at__isnull=True)
            if prefix and (token.prefix.startswith(prefix) or prefix.startswith(token.prefix))
        ]
        if not matching:
            raise CommandError(
                _("%(user)s has no active token starting with “%(prefix)s”.")
                % {"user": user.get_username(), "prefix": prefix}
            )
        if len(matching) > 1:
            raise CommandError(
                _("Several tokens start with “%(prefix)s”; give more characters.")
                % {"prefix": prefix}
            )
        token_revoke(actor=None, token=matching[0])
        self.stdout.write(
            _("Token “%(name)s” (%(prefix)s…) revoked.")
            % {"name": matching[0].name, "prefix": matching[0].prefix}
        )


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(_("There is no user named “%(name)s”.") % {"name": username}) from None


def _status(token: ApiToken) -> str:
    if token.revoked_at:
        return _("revoked")
    if token.expires_at <= timezone.now():
        return _("expired")
    return _("active")


def _date_or_never(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else _("never")
