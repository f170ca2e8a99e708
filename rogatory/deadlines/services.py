"""Changes to deadline rules and to the due dates they give requests."""

from collections.abc import Iterable

from rogatory.register.models import Request


def deadlines_refresh(*, requests: Iterable[Request]) -> None:
    """Recompute the due dates of `requests` from their events and the rules in use.

    Called inside the transaction of every change to a request, so that the due dates never
    disagree with the request they belong to.
    """
