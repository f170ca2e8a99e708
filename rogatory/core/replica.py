"""Mark the reads that may come from the read replica: the reports and the lists.

A replica trails the primary by the moment replication takes, so only pages where that moment
cannot mislead read from it; a page shown right after a change, a sign-in and every read inside
a service's transaction stay on the primary and see their own writes. Without a replica
(`ROGATORY_REPLICA_DATABASE_URL` unset) marking a read changes nothing.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

# A context variable, not a thread-local, so that it also holds within one request of an
# asynchronous server and never leaks into the next request a thread serves.
_replica_reads: ContextVar[bool] = ContextVar("rogatory_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside the block come from the read replica, when there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_allowed() -> bool:
    """Return whether the code running now is inside `replica_reads()`."""
    return _replica_reads.get()


def reads_from_replica(view: Callable[_P, _R]) -> Callable[_P, _R]:
    """Let a view or an API handler read from the replica: for reports and lists only.

    Put it closest to the function, below the access checks, so that the signed-in user and
    their session are read from the primary.
    """

    @wraps(view)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped
