"""Run as a program against an installation: fill it for a backup test, or describe it as JSON.

`python backup_register.py fill TOKEN_FILE` adds to the imported acceptance register what a register in
service holds besides requests: users with an API token and an authenticator, an extradition
request with its events, persons sought, documents of real bytes and a refusal with its
grounds, and the audit records of all of it; the token's secret goes to TOKEN_FILE.
`python backup_register.py describe TOKEN_FILE` prints what a
restore must bring back: every table's row count, the reports of 2023, the documents' checksums
as the storage holds them, whether the audit trail verifies, and whether the token and the
authenticator still work. The settings come from the environment (ROGATORY_DATABASE_URL,
ROGATORY_MEDIA_DIR), as for the `rogatory` commands.
"""

import hashlib
import io
import json
import os
import sys
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")

import django

django.setup()

from django.core.files.storage import default_storage  # noqa: E402

# A PDF's header, then every byte value, so that the file is binary throughout.
BINARY = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 300
PERSON = "Иван Петрович Сидоров <script>alert(1)</script>"


def fill(token_file: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rogatory.accounts.models import Role
    from rogatory.accounts.services import token_create, unit_default_ensure, user_create
    from rogatory.reference.models import Country, RefusalGround, Treaty
    from rogatory.register import services
    from rogatory.register.models import Direction, Document, Kind, Outcome

    unit = unit_default_ensure()
    admin = user_create(
        actor=None,
        username="backup-admin",
        password="plum-Qx7pL2mV9-orbit",
        role=Role.ADMINISTRATOR,
        units=[unit],
    )
    clerk = user_create(
        actor=admin,
        username="backup-clerk",
        password="fern-Zr4kT8wB1-delta",
        role=Role.CLERK,
        units=[unit],
    )
    new_token = token_create(actor=None, user=clerk, name="backup test")
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)

    request = services.request_register(
        actor=clerk,
        direction=Direction.OUTGOING,
        kind=Kind.EXTRADITION,
        reference="BACKUP-EXT-1",
        country=Country.objects.get(code="CH"),
        legal_basis=Treaty.objects.get(code="ECE-1957"),
        offence_description='Мошенничество; O\'Brien "quoted" & <b>bold</b>',
        persons_count=2,
        registered_on=date(2023, 2, 1),
    )
    services.request_record_sent(actor=clerk, request=request, sent_on=date(2023, 2, 1))
    services.request_record_provisional_arrest(
        actor=clerk, request=request, arrested_on=date(2023, 3, 1)
    )
    services.person_add(
        actor=clerk,
        request=request,
        full_name=PERSON,
        born_on=date(1980, 5, 17),
        nationality=Country.objects.get(code="RU"),
        in_custody=True,
    )
    services.person_add(actor=clerk, request=request, full_name="Jane Roe")
    for kind, title, name, content_type, content in (
        (Document.Kind.REQUEST, "Scanned request", "request.pdf", "application/pdf", BINARY),
        (
            Document.Kind.TRANSLATION,
            "Перевод",
            "перевод.txt",
            "text/plain",
            "Перевод запроса\n".encode() * 50,
        ),
    ):
        services.document_attach(
            actor=clerk,
            request=request,
            kind=kind,
            title=title,
            original_name=name,
            content_type=content_type,
            content=io.BytesIO(content),
        )
    services.request_record_decision(
        actor=clerk,
        request=request,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 9, 30),
        grounds=RefusalGround.objects.filter(code__in=["political_offence", "dual_criminality"]),
        political=False,
        political_reason="The offence is an ordinary fraud; the ground was cited pro forma.",
    )
    with open(token_file, "w") as stream:
        stream.write(new_token.secret)


def describe(token_file: str) -> dict:
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rogatory.accounts.services import token_authenticate
    from rogatory.audit.models import AuditRecord
    from rogatory.audit.selectors import audit_chain_verify
    from rogatory.register.models import Document, Person
    from rogatory.statistics.selectors import report_build

    counts = {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in ("sessions", "axes", "django_tasks_database")
    }
    reports = {
        direction: report_build(
            period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction=direction
        ).as_dict()
        for direction in ("outgoing", "incoming")
    }
    documents = {}
    for document in Document.objects.order_by("pk"):
        with default_storage.open(document.storage_name, "rb") as stream:
            documents[document.storage_name] = {
                "stored": hashlib.sha256(stream.read()).hexdigest(),
                "register": document.sha256,
            }
    chain = audit_chain_verify()
    with open(token_file) as stream:
        token_user = token_authenticate(stream.read())
    last = AuditRecord.objects.order_by("-sequence").first()
    return {
        "counts": counts,
        "reports": reports,
        "documents": documents,
        "audit": {"intact": chain.intact, "records": chain.records_checked},
        "token_user": token_user.username if token_user else None,
        "authenticators": list(
            TOTPDevice.objects.order_by("pk").values_list("user__username", "key", "confirmed")
        ),
        "persons": list(Person.objects.order_by("pk").values_list("full_name", "born_on")),
        "last_audit": [last.action, (last.after or {}).get("manifest_sha256")],
    }


if __name__ == "__main__":
    if sys.argv[1] == "fill":
        fill(sys.argv[2])
    else:
        print(json.dumps(describe(sys.argv[2]), default=str, sort_keys=True))
