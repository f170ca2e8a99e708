"""Where a change comes from, for the audit trail, without services knowing about HTTP.

The web and API middleware set the client's address for the length of one HTTP request;
the command line leaves it empty.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_address: ContextVar[str] = ContextVar("rogatory_client_address", default="")


def client_address() -> str:
    """Return the address of the client whose request is being served, or ""."""
    return _client_address.get()


@contextmanager
def client_address_set(address: str) -> Iterator[None]:
    """Attribute the audit records written inside the block to `address`."""
    token = _client_address.set(address)
    try:
        yield
    finally:
        _client_address.reset(token)
