"""Fixtures for the audit trail's tests: tampering with it as someone with the database's keys."""

import importlib

import pytest
from django.db import connection, models

from rogatory.audit.models import AuditRecord

# The migration holds the one copy of the triggers' SQL; its module name is not an identifier.
_APPEND_ONLY = importlib.import_module("rogatory.audit.migrations.0002_append_only")


def drop_append_only_triggers() -> None:
    """Drop the triggers that keep audit records unchanged; the test's rollback restores them.

    DDL is transactional on both SQLite and PostgreSQL, so dropping them inside a test's
    transaction lasts only as long as the test.
    """
    with connection.cursor() as cursor:
        for statement in _APPEND_ONLY.DROP[connection.vendor]:
            cursor.execute(statement)


def unguarded_records() -> models.QuerySet:
    """Return the audit records through a plain query set, without the application's refusals."""
    return models.QuerySet(AuditRecord)


@pytest.fixture
def tamper(db):
    """Let the test change and delete audit records, as the application never can."""
    drop_append_only_triggers()
    return unguarded_records()
