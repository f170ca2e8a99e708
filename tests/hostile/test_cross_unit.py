"""Cross-unit access through every web address and API operation: refused, nothing shown or written.

Units split the register: a viewer or clerk sees and changes the requests of their own units
only (supervisors and administrators see every unit by design, see
`rogatory.accounts.permissions.user_sees_all_units`). Here every address of the web pages and
every operation of the API is called, with every method it takes, by a viewer and a clerk of
the unit "bravo" with the ids of unit "alpha"'s objects: a request with a person sought, a
document and a proposed example, another user, their API token and their register jobs. The
answer must refuse (403 or 404, or a named redirect for the two import buttons), its body and
headers must hold none of alpha's personal data, and nothing may be written. Addresses that
take no object of a unit (lists, reports, reference data) must not show alpha's data to bravo
either. And every address refuses anonymous callers: a redirect to the sign-in page, or 401.

The tables below classify every address. A new address that nobody classified fails
`test_every_address_is_classified`: add it to WEB or API with how to call it.
"""

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from json import dumps
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rogatory.accounts.models import ApiToken, Role, Unit, User
from rogatory.accounts.services import token_create
from rogatory.api.api import api
from rogatory.audit.models import AuditRecord
from rogatory.intake.jobs import register_job_check, register_job_export
from rogatory.intake.models import RegisterJob
from rogatory.intake.uploads import upload_store
from rogatory.publication.models import Example
from rogatory.publication.services import example_propose
from rogatory.register.models import Document, Event, Kind, Outcome, Person, Request
from rogatory.register.services import document_attach, person_add
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .tally import tally

pytestmark = pytest.mark.django_db

MODULE = "cross-unit access"
API_PREFIX = "/api/v1"

# Alpha's personal and case data: none of it may reach a user of bravo.
SECRETS = {
    "reference": "ALPHA-SECRET-7731",
    "refused_reference": "ALPHA-SECRET-7732",
    "person": "Zinaida Secretova",
    "document_title": "Alpha confidential letter",
    "document_name": "alpha-confidential-7731.pdf",
    "authority": "Alpha Secret Prosecutor",
    "summary": "Alpha secret summary of refusal",
    "job_file": "alpha-register-7731.csv",
    "username": "alpha.clerk",
}
# What bravo searches for: it finds alpha's references for alpha, and pages show it back.
SEARCH = "ALPHA-SECRET"


@dataclass
class World:
    """Alpha's objects, whose ids bravo's users try."""

    alpha: Unit
    bravo: Unit
    request: Request
    refused: Request
    person: Person
    document: Document
    alpha_user: User
    token: ApiToken
    import_job: RegisterJob
    export_job: RegisterJob
    bravo_users: dict[str, User] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tmp_path) -> World:
    alpha = UnitFactory(code="alpha", name="Alpha department")
    bravo = UnitFactory(code="bravo", name="Bravo department")
    alpha_user = UserFactory(username=SECRETS["username"], role=Role.CLERK, units=[alpha])
    request = make_request(
        unit=alpha, kind=Kind.EXTRADITION, reference=SECRETS["reference"], persons_count=1
    )
    Request.objects.filter(pk=request.pk).update(counterpart_authority=SECRETS["authority"])
    request.refresh_from_db()
    person = person_add(
        actor=None, request=request, full_name=SECRETS["person"], born_on=date(1970, 1, 1)
    )
    document = document_attach(
        actor=None,
        request=request,
        kind=Document.Kind.REQUEST,
        title=SECRETS["document_title"],
        original_name=SECRETS["document_name"],
        content_type="application/pdf",
        content=io.BytesIO(b"%PDF-1.7 alpha secret content"),
    )
    refused = make_request(
        unit=alpha,
        reference=SECRETS["refused_reference"],
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
    )
    example_propose(
        actor=None,
        request=refused,
        category=Example.Category.REFUSAL,
        summary_en=SECRETS["summary"],
        summary_ru="Секретное резюме отказа",
    )
    upload = upload_store(
        chunks=[b"reference,direction\n"], original_name=SECRETS["job_file"], max_bytes=1000
    )
    import_job = register_job_check(
        actor=alpha_user, upload=upload, name=SECRETS["job_file"], unit=alpha
    )
    export_job = register_job_export(actor=alpha_user, format="csv")
    token = token_create(actor=None, user=alpha_user, name="alpha token").token
    return World(
        alpha=alpha,
        bravo=bravo,
        request=request,
        refused=refused,
        person=person,
        document=document,
        alpha_user=alpha_user,
        token=token,
        import_job=import_job,
        export_job=export_job,
        bravo_users={
            role: UserFactory(username=f"bravo.{role}", role=role, units=[bravo])
            for role in (Role.VIEWER, Role.CLERK)
        },
    )


# --- How to call each address --------------------------------------------------------------------

Args = Callable[[World], dict[str, Any]]


def _none(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Scoped:
    """An address that takes an object of a unit (or of one user): another unit is refused.

    `refused` lists the answers that refuse; `redirect` is where a refusing redirect may go.
    """

    methods: tuple[str, ...]
    args: Args
    data: Args = _none
    refused: tuple[int, ...] = (403, 404)
    redirect: str = ""


@dataclass(frozen=True)
class Unscoped:
    """An address of no one unit's object (a list, a report, reference data, a new request).

    `data` may name alpha's unit (a request or an import for alpha): that must write nothing
    into alpha.
    """

    methods: tuple[str, ...]
    args: Args = _none
    data: Args = _none


@dataclass(frozen=True)
class Public:
    """An address anyone may call: signing in, choosing a language, the API's description."""

    methods: tuple[str, ...] = ("GET",)
    args: Args = _none


def _request(world: World) -> dict[str, Any]:
    return {"request_id": world.request.pk}


def _refused(world: World) -> dict[str, Any]:
    return {"request_id": world.refused.pk}


def _document(world: World) -> dict[str, Any]:
    return {"request_id": world.request.pk, "document_id": world.document.pk}


def _alpha_user(world: World) -> dict[str, Any]:
    return {"user_id": world.alpha_user.pk}


def _upload() -> io.BytesIO:
    upload = io.BytesIO(b"%PDF-1.7 written across units")
    upload.name = "across.pdf"
    return upload


def _alpha_link(world: World) -> dict[str, Any]:
    """Alpha's request linked to another of alpha's requests (made once, then reused)."""
    from rogatory.register.links import link_add
    from rogatory.register.models import RequestLink

    link = RequestLink.objects.filter(source=world.request).first() or link_add(
        actor=None, source=world.request, target=world.refused, type="extradition_mla"
    )
    return {"request_id": world.request.pk, "link_id": link.pk}


def _alpha_assurance(world: World, step: str) -> dict[str, Any]:
    """An assurance requested in alpha's extradition request (made once, then reused)."""
    from rogatory.register.assurances import assurance_request

    assurance = world.request.assurances.first() or assurance_request(
        actor=None, request=world.request, type="fair_trial", requested_on=date(2023, 4, 1)
    )
    return {"request_id": world.request.pk, "assurance_id": assurance.pk, "step": step}


def _alpha_engagement(world: World) -> dict[str, Any]:
    """An engagement recorded by alpha, linked to alpha's request, with a document (made once).

    Engagements are read office-wide, so bravo may read it and fetch its document; changing it
    is for alpha, and alpha's request must not show through it.
    """
    from rogatory.engagements.models import Engagement
    from rogatory.engagements.services import (
        engagement_create,
        engagement_document_attach,
        engagement_link_request,
    )
    from rogatory.reference.models import Country

    engagement = Engagement.objects.filter(unit=world.alpha).first()
    if engagement is None:
        engagement = engagement_create(
            actor=None,
            kind="meeting",
            title="Alpha meeting with the Swiss authorities",
            held_on=date(2023, 5, 1),
            countries=Country.objects.filter(code="CH"),
            unit=world.alpha,
        )
        engagement_link_request(actor=None, engagement=engagement, request=world.request)
        engagement_document_attach(
            actor=None,
            engagement=engagement,
            title="Minutes",
            original_name="minutes.pdf",
            content=io.BytesIO(b"%PDF-1.7 minutes"),
        )
    return {"engagement_id": engagement.pk}


def _alpha_engagement_document(world: World) -> dict[str, Any]:
    args = _alpha_engagement(world)
    from rogatory.engagements.models import EngagementDocument

    document = EngagementDocument.objects.get(engagement_id=args["engagement_id"])
    return {**args, "document_id": document.pk}


WEB: dict[str, Scoped | Unscoped | Public] = {
    "set_language": Public(methods=("POST",)),
    # Probes for the load balancer and the orchestrator; they show no data.
    "health_live": Public(),
    "health_ready": Public(),
    "web:login": Public(methods=("GET", "POST")),
    "web:login_code": Public(methods=("GET", "POST")),
    "web:logout": Public(methods=("POST",)),
    "web:account": Unscoped(("GET",)),
    "web:account_password": Unscoped(("GET", "POST")),
    "web:account_token_create": Unscoped(("POST",)),
    "web:account_token_revoke": Scoped(("POST",), lambda w: {"token_id": w.token.pk}),
    "web:account_two_factor": Unscoped(("GET", "POST")),
    "web:account_two_factor_start": Unscoped(("POST",)),
    "web:account_two_factor_disable": Unscoped(("POST",)),
    "web:dashboard": Unscoped(("GET",)),
    "web:request_list": Unscoped(("GET",), data=lambda w: {"search": SEARCH}),
    "web:request_new": Unscoped(
        ("GET", "POST"),
        data=lambda w: {
            "unit": w.alpha.pk,
            "direction": "outgoing",
            "kind": "mla",
            "reference": "BRAVO-INTO-ALPHA",
            "country": "CH",
        },
    ),
    "web:request_detail": Scoped(("GET",), _request),
    "web:request_edit": Scoped(
        ("GET", "POST"),
        _request,
        data=lambda w: {"notes": "changed across units", "version": w.request.version},
    ),
    "web:request_event": Scoped(
        ("POST",),
        lambda w: {"request_id": w.request.pk, "event_type": "hearing"},
        data=lambda w: {"occurred_on": "2023-04-01", "note": "across units"},
    ),
    "web:person_add": Scoped(
        ("POST",), _request, data=lambda w: {"full_name": "Added Across", "born_on": "1970-01-01"}
    ),
    "web:document_upload": Scoped(
        ("POST",), _request, data=lambda w: {"kind": "other", "title": "x", "file": _upload()}
    ),
    "web:document_download": Scoped(("GET",), _document),
    "web:draft": Scoped(
        ("GET", "POST"), _request, data=lambda w: {"facts": "across units", "version": 0}
    ),
    "web:draft_download": Scoped(
        ("GET",), lambda w: {"request_id": w.request.pk, "format": "docx", "language": "en"}
    ),
    "web:draft_attach": Scoped(
        ("POST",), _request, data=lambda w: {"format": "pdf", "language": "en"}
    ),
    "web:import": Unscoped(("GET", "POST"), data=lambda w: {"unit": w.alpha.pk}),
    "web:import_job": Scoped(("GET",), lambda w: {"job_id": w.import_job.pk}),
    # The import buttons answer a job that is not the user's with a message on the import page.
    "web:import_confirm": Scoped(
        ("POST",), lambda w: {"job_id": w.import_job.pk}, refused=(302, 403), redirect="/import/"
    ),
    "web:import_cancel": Scoped(
        ("POST",), lambda w: {"job_id": w.import_job.pk}, refused=(302, 403), redirect="/import/"
    ),
    "web:report": Unscoped(("GET",)),
    "web:report_fatf": Unscoped(("GET",), data=lambda w: {"year": 2023}),
    "web:report_download": Unscoped(
        ("GET",), lambda w: {"format": "csv"}, data=lambda w: {"year": 2023}
    ),
    "web:country_list": Unscoped(("GET",)),
    "web:country_detail": Unscoped(("GET",), lambda w: {"code": "CH"}),
    "web:audit": Unscoped(("GET",), data=lambda w: {"object_type": "request"}),
    "web:request_audit": Scoped(("GET",), _request),
    "web:export": Unscoped(("GET", "POST"), data=lambda w: {"format": "csv"}),
    "web:export_job": Scoped(("GET",), lambda w: {"job_id": w.export_job.pk}),
    "web:export_download": Scoped(("GET",), lambda w: {"job_id": w.export_job.pk}),
    "web:user_list": Unscoped(("GET",)),
    "web:user_create": Unscoped(
        ("GET", "POST"),
        data=lambda w: {"username": "made.across", "role": "clerk", "units": [w.alpha.pk]},
    ),
    "web:user_edit": Scoped(
        ("GET", "POST"), _alpha_user, data=lambda w: {"role": "administrator", "units": []}
    ),
    "web:user_password": Scoped(("GET", "POST"), _alpha_user),
    "web:user_two_factor_reset": Scoped(("POST",), _alpha_user),
    "web:unit_create": Unscoped(("POST",), data=lambda w: {"code": "x", "name": "x"}),
    "web:reference": Unscoped(("GET",)),
    "web:reference_ground": Unscoped(("GET",), lambda w: {"code": "dual_criminality"}),
    "web:reference_ground_edit": Unscoped(("GET", "POST"), lambda w: {"code": "dual_criminality"}),
    "web:reference_treaty_add": Unscoped(("GET", "POST")),
    "web:reference_treaty_edit": Unscoped(("GET", "POST"), lambda w: {"code": "ECMA-1959"}),
    "web:deadline_rules": Unscoped(("GET",)),
    "web:deadline_rule_add": Unscoped(("GET", "POST")),
    "web:deadline_rule_edit": Unscoped(
        ("GET", "POST"), lambda w: {"code": "outgoing-follow-up-60"}
    ),
    "web:statement": Unscoped(("GET",)),
    "web:statement_text": Unscoped(("GET",)),
    "web:request_example": Scoped(("GET",), _refused),
    "web:request_example_save": Scoped(
        ("POST",),
        _refused,
        data=lambda w: {"category": "refusal", "summary_en": "across", "summary_ru": "через"},
    ),
    "web:request_example_approve": Scoped(("POST",), _refused),
    "web:request_example_withdraw": Scoped(("POST",), _refused),
    # The work lists read only the requests the user sees; a clerk cannot pick another clerk.
    "web:worklist": Unscoped(("GET",), data=lambda w: {"unit": "alpha"}),
    "web:my_requests": Unscoped(("GET",), data=lambda w: {"clerk": w.alpha_user.pk}),
    # Links, persons sought and assurances: alpha's request, person, link and assurance.
    "web:link_add": Scoped(
        ("POST",),
        _request,
        data=lambda w: {"link-reference": SECRETS["refused_reference"], "link-type": "parallel"},
    ),
    "web:link_remove": Scoped(("POST",), _alpha_link),
    "web:person_edit": Scoped(
        ("POST",),
        lambda w: {"request_id": w.request.pk, "person_id": w.person.pk},
        data=lambda w: {
            f"person-{w.person.pk}-full_name": "Changed Across",
            f"person-{w.person.pk}-in_custody": "on",
        },
    ),
    "web:assurance_add": Scoped(
        ("POST",),
        _request,
        data=lambda w: {"assurance-type": "fair_trial", "assurance-requested_on": "2023-04-01"},
    ),
    "web:assurance_change": Scoped(
        ("POST",),
        lambda w: _alpha_assurance(w, "close"),
        data=lambda w: {
            f"assurance-{w.request.assurances.first().pk}-close-closed_on": "2023-05-01",
            f"assurance-{w.request.assurances.first().pk}-close-reason": "across units",
        },
    ),
    "web:assurances_monitoring": Unscoped(("GET",)),
    # Engagements: read by every unit, changed by alpha only; alpha's request never shows.
    "web:engagement_list": Unscoped(("GET",), data=lambda w: {"search": "Alpha"}),
    "web:engagement_new": Unscoped(
        ("GET", "POST"),
        data=lambda w: {
            "unit": w.alpha.pk,
            "kind": "meeting",
            "title": "Bravo into alpha",
            "held_on": "2023-05-02",
            "countries": ["CH"],
        },
    ),
    "web:engagement_detail": Unscoped(("GET",), _alpha_engagement),
    "web:engagement_edit": Scoped(
        ("GET", "POST"),
        _alpha_engagement,
        data=lambda w: {
            "kind": "meeting",
            "title": "changed across units",
            "held_on": "2023-05-01",
            "countries": ["CH"],
            "version": 1,
        },
    ),
    "web:engagement_withdraw": Scoped(
        ("POST",),
        _alpha_engagement,
        data=lambda w: {"withdraw-reason": "across units", "withdraw-version": 1},
    ),
    # Bravo may link its own requests to any engagement; alpha's request is not found for it
    # (tests/web/test_engagements.py types alpha's reference; here its id, which is no secret).
    "web:engagement_link": Unscoped(
        ("POST",), _alpha_engagement, data=lambda w: {"link-reference": str(w.request.pk)}
    ),
    "web:engagement_unlink": Scoped(
        ("POST",), lambda w: {**_alpha_engagement(w), "request_id": w.request.pk}
    ),
    "web:engagement_document_upload": Scoped(
        ("POST",), _alpha_engagement, data=lambda w: {"document-file": _upload()}
    ),
    "web:engagement_document_download": Unscoped(("GET",), _alpha_engagement_document),
    # The API's own pages, which are no operations.
    "api-1:openapi-json": Public(),
    "api-1:openapi-view": Public(),
    "api-1:api-root": Public(),
}

API: dict[str, Scoped | Unscoped] = {
    "GET /requests": Unscoped(("GET",), data=lambda w: {"search": SEARCH}),
    "POST /requests": Unscoped(
        ("POST",),
        data=lambda w: {
            "direction": "outgoing",
            "kind": "mla",
            "reference": "BRAVO-INTO-ALPHA",
            "country": "CH",
            "unit": "alpha",
        },
    ),
    "GET /requests/{request_id}": Scoped(("GET",), _request),
    "PATCH /requests/{request_id}": Scoped(
        ("PATCH",), _request, data=lambda w: {"notes": "changed across units"}
    ),
    "POST /requests/{request_id}/events": Scoped(
        ("POST",), _request, data=lambda w: {"type": "hearing", "occurred_on": "2023-04-01"}
    ),
    "POST /requests/{request_id}/documents": Scoped(
        ("POST",), _request, data=lambda w: {"file": _upload()}
    ),
    "GET /requests/{request_id}/documents/{document_id}": Scoped(("GET",), _document),
    "GET /report": Unscoped(("GET",), data=lambda w: {"year": 2023}),
    "GET /report/publication": Unscoped(("GET",), data=lambda w: {"year": 2023}),
    "GET /report/file": Unscoped(("GET",), data=lambda w: {"year": 2023, "format": "csv"}),
    "GET /report/fatf": Unscoped(("GET",), data=lambda w: {"year": 2023, "format": "csv"}),
    "GET /countries": Unscoped(("GET",)),
    "GET /refusal-grounds": Unscoped(("GET",)),
    "POST /imports": Unscoped(
        ("POST",),
        data=lambda w: {
            "unit": "alpha",
            "dry_run": "false",
            "file": _named(
                b"reference,direction,kind,country,sent_on,status\n"
                b"BRAVO-IMPORT,outgoing,mla,CH,2023-01-01,pending\n",
                "r.csv",
            ),
        },
    ),
    "GET /statement": Unscoped(("GET",), data=lambda w: {"year": 2023}),
    "GET /examples": Unscoped(("GET",)),
    "POST /requests/{request_id}/example": Scoped(
        ("POST",), _refused, data=lambda w: {"category": "refusal", "summary_en": "across"}
    ),
    "PUT /requests/{request_id}/example": Scoped(
        ("PUT",), _refused, data=lambda w: {"category": "refusal", "summary_en": "across"}
    ),
    "DELETE /requests/{request_id}/example": Scoped(("DELETE",), _refused),
    "POST /requests/{request_id}/example/approve": Scoped(("POST",), _refused, data=lambda w: {}),
    "GET /partners": Unscoped(("GET",), data=lambda w: {"year": 2023}),
    "GET /partners/{code}": Unscoped(("GET",), lambda w: {"code": "CH"}),
}


def _named(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


# --- Enumerating the addresses -------------------------------------------------------------------


def _resolver_routes() -> Iterator[tuple[str, str]]:
    """Yield (name, route) for every URL pattern, names qualified by their namespace."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or ""
                qualified = f"{namespace}:{name}" if namespace and name else name
                yield qualified, prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


def _api_operations() -> dict[str, tuple[str, str]]:
    """Return "METHOD /path" → (method, path) for every operation of the OpenAPI document."""
    document = api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix(API_PREFIX)}": (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }


def _api_routes() -> set[str]:
    """Return the resolver routes of the API's operations (path parameters as <name>)."""
    return {
        re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/") for _m, path in _api_operations().values()
    }


def _web_routes() -> dict[str, str]:
    """Return name → route for every address that is no API operation."""
    operations = _api_routes()
    routes = {}
    for name, route in _resolver_routes():
        if route in operations:
            continue
        if not name:
            # The API's answer to an address that is no operation, under every unknown path.
            assert route == "api/v1/", route
            continue
        routes[name] = route
    return routes


def test_every_address_is_classified():
    """Fail on an address nobody has said how to call: add it to WEB or API above."""
    assert set(_web_routes()) == set(WEB), (
        f"unclassified: {sorted(set(_web_routes()) - set(WEB))}; "
        f"gone: {sorted(set(WEB) - set(_web_routes()))}"
    )
    assert set(_api_operations()) == set(API), (
        f"unclassified: {sorted(set(_api_operations()) - set(API))}; "
        f"gone: {sorted(set(API) - set(_api_operations()))}"
    )


# --- Calling them ------------------------------------------------------------------------------


def _web_url(name: str, world: World, spec) -> str:
    return reverse(name, kwargs=spec.args(world))


def _api_url(key: str, world: World, spec) -> str:
    _method, path = _api_operations()[key]
    return path.format(**spec.args(world))


def _call(client: Client, method: str, url: str, data: dict[str, Any], *, json: bool) -> Any:
    if method == "GET":
        return client.get(url, data)
    files = any(hasattr(value, "read") for value in data.values())
    if json and not files:
        return client.generic(method, url, data=dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _leaks(response) -> list[str]:
    """Return which of alpha's secrets the response shows, in its body or its headers."""
    shown = _body(response) + str(dict(response.headers)).encode()
    return [name for name, secret in SECRETS.items() if secret.encode() in shown]


def _written() -> tuple[int, ...]:
    return (
        *(
            model.objects.count()
            for model in (
                Request,
                Event,
                Person,
                Document,
                Example,
                RegisterJob,
                ApiToken,
                AuditRecord,
                User,
                Unit,
            )
        ),
        *Request.objects.filter(unit__code="alpha")
        .order_by("pk")
        .values_list("version", flat=True),
        *ApiToken.objects.order_by("pk").values_list("revoked_at", flat=True),
        *User.objects.order_by("pk").values_list("role", flat=True),
    )


def _alpha_state() -> tuple:
    return (
        *Request.objects.filter(unit__code="alpha").order_by("pk").values_list("pk", "version"),
        Person.objects.filter(request__unit__code="alpha").count(),
        Document.objects.filter(request__unit__code="alpha").count(),
        *Example.objects.order_by("pk").values_list("pk", "version", "summary_en"),
        *RegisterJob.objects.filter(unit__code="alpha").values_list("pk", "status"),
    )


def _check(
    *, spec, client: Client, method: str, url: str, data: dict, json: bool, who: str
) -> None:
    tally(MODULE, "calls")
    before, alpha_before = _written(), _alpha_state()
    response = _call(client, method, url, data, json=json)
    where = f"{method} {url} as {who}"
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert not _leaks(response), f"{where} shows alpha's {_leaks(response)}"
    assert _alpha_state() == alpha_before, f"{where} changed alpha's data"
    if isinstance(spec, Scoped):
        assert response.status_code in spec.refused, f"{where}: {response.status_code}"
        if spec.redirect and response.status_code == 302:
            assert response["Location"] == spec.redirect, f"{where}: {response['Location']}"
        assert _written() == before, f"{where} wrote something"
        tally(MODULE, "refused")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
@pytest.mark.parametrize("name", sorted(WEB))
def test_web_address_across_units(world, name, role):
    spec = WEB[name]
    if isinstance(spec, Public):
        return
    client = Client()
    client.force_login(world.bravo_users[role])
    url = _web_url(name, world, spec)
    for method in spec.methods:
        _check(
            spec=spec,
            client=client,
            method=method,
            url=url,
            data=spec.data(world),
            json=False,
            who=f"a {role} of bravo",
        )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
@pytest.mark.parametrize("key", sorted(API))
def test_api_operation_across_units(world, key, role):
    spec = API[key]
    secret = token_create(actor=None, user=world.bravo_users[role], name="bravo").secret
    client = Client(headers={"authorization": f"Bearer {secret}"})
    url = _api_url(key, world, spec)
    for method in spec.methods:
        _check(
            spec=spec,
            client=client,
            method=method,
            url=url,
            data=spec.data(world),
            json=True,
            who=f"a {role} of bravo",
        )


@pytest.mark.parametrize("name", sorted(WEB))
def test_web_address_refuses_anonymous_callers(world, name):
    spec = WEB[name]
    if isinstance(spec, Public):
        return
    url = _web_url(name, world, spec)
    for method in spec.methods:
        tally(MODULE, "anonymous calls")
        before = _written()
        response = _call(Client(), method, url, spec.data(world), json=False)
        assert response.status_code == 302, f"{method} {url}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), response["Location"]
        assert not _leaks(response)
        assert _written() == before


@pytest.mark.parametrize("key", sorted(API))
def test_api_operation_refuses_anonymous_callers(world, key):
    spec = API[key]
    url = _api_url(key, world, spec)
    for method in spec.methods:
        tally(MODULE, "anonymous calls")
        before = _written()
        response = _call(Client(), method, url, spec.data(world), json=True)
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"
        assert not _leaks(response)
        assert _written() == before


def test_alpha_sees_its_own_data(world):
    """The secrets are found where they should be, so their absence above means something."""
    client = Client()
    client.force_login(world.alpha_user)
    response = client.get(_web_url("web:request_detail", world, WEB["web:request_detail"]))
    assert response.status_code == 200
    assert {"reference", "person", "document_title"} <= set(_leaks(response))
    listed = client.get("/requests/", {"search": SEARCH})
    assert "reference" in _leaks(listed)
