"""The REST API v1: one NinjaAPI with token and session sign-in and one error shape."""

from ninja import NinjaAPI, Swagger

from .auth import ApiTokenAuth, BrowserSessionAuth
from .endpoints import (
    documents,
    events,
    imports,
    partners,
    publication,
    reference,
    report,
    requests,
)
from .errors import errors_install

api = NinjaAPI(
    title="Rogatory API",
    version="1",
    description=(
        "The register of requests for mutual legal assistance and extradition, its lifecycle "
        "events, the period report and reference data. Authenticate with "
        "`Authorization: Bearer TOKEN` (create a token with `rogatory token create NAME`), "
        "or with the session of a user signed in to the web pages. Every error is "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.'
    ),
    auth=[ApiTokenAuth(), BrowserSessionAuth()],
    docs=Swagger(),
    urls_namespace="api-1",
)
errors_install(api)
for router in (
    requests.router,
    events.router,
    documents.router,
    report.router,
    reference.router,
    imports.router,
    publication.router,
    partners.router,
):
    api.add_router("", router)
