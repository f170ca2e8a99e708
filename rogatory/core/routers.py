"""The database router: reports and lists read from the replica, everything else the primary."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from .replica import replica_reads_allowed

REPLICA_DB_ALIAS = "replica"

# Sessions and the cache are written on almost every request and read right after; a replica a
# moment behind would sign users out or serve what was just replaced.
_PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache"})


class ReplicaRouter:
    """Send reads marked by `replica_reads()` to the replica, when one is configured."""

    def db_for_read(self, model: type[Model], **hints) -> str:
        """Return the replica inside `replica_reads()`, unless a transaction is open."""
        if (
            replica_reads_allowed()
            and REPLICA_DB_ALIAS in settings.DATABASES
            and model._meta.app_label not in _PRIMARY_ONLY_APPS
            # Inside a transaction on the primary, reads must see that transaction's writes.
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints) -> str:
        """Return the primary: a replica is read-only."""
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool:
        """Allow any relation: both databases hold the same rows."""
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints
    ) -> bool:
        """Migrate the primary only; the replica receives its tables by replication."""
        return db == DEFAULT_DB_ALIAS
