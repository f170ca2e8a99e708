"""Make the database itself refuse to change or delete audit records.

The application already refuses (see `AuditRecord.save`, `.delete` and the query set), but a
trigger also stops a raw SQL statement or a database shell. The chain head may only move forward
and may not be deleted: rewinding it would hide records deleted from the end of the trail.
`manage.py flush` is refused too; a test that needs it must drop the triggers first.

RunSQL cannot choose SQL by database, so a RunPython picks the statements for the connection.
"""

from django.db import migrations

CREATE = {
    "postgresql": [
        """
        CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """,
        """
        CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
        """,
        """
        CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_auditrecord
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()
        """,
        """
        CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_auditchainhead
            FOR EACH ROW WHEN (NEW.sequence <= OLD.sequence OR NEW.id <> OLD.id)
            EXECUTE FUNCTION audit_refuse_change()
        """,
        """
        CREATE TRIGGER audit_chain_head_kept BEFORE DELETE ON audit_auditchainhead
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
        """,
        """
        CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on audit_auditrecord refused'); END
        """,
        """
        CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_auditrecord
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on audit_auditrecord refused'); END
        """,
        """
        CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_auditchainhead
        WHEN NEW.sequence <= OLD.sequence OR NEW.id <> OLD.id
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on audit_auditchainhead refused'); END
        """,
        """
        CREATE TRIGGER audit_chain_head_kept BEFORE DELETE ON audit_auditchainhead
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on audit_auditchainhead refused'); END
        """,
    ],
}

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chain_head_kept ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chain_head_forward ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_auditrecord",
        "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_chain_head_kept",
        "DROP TRIGGER IF EXISTS audit_chain_head_forward",
        "DROP TRIGGER IF EXISTS audit_record_no_delete",
        "DROP TRIGGER IF EXISTS audit_record_no_update",
    ],
}


def _run(statements, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"No append-only triggers for {vendor}; add them here.")
    for statement in statements[vendor]:
        # No parameters: the PL/pgSQL body uses % itself.
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(CREATE, schema_editor)


def drop_triggers(apps, schema_editor):
    _run(DROP, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
