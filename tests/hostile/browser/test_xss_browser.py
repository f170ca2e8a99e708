"""XSS payloads in every text a user types, opened in Chromium: shown as text, never run.

Each payload goes, through the services, into every text field of a request (our and their
reference, authority, domestic case, offence, notes, event notes and reasons, the political
reason of a refusal, a person's name and note, a document's title and file name, a public
summary), and into the names of units, users and API tokens, the labels of a refusal ground
and a treaty a supervisor edits, and the cells of a register upload whose errors quote them.
Then every page that shows them is opened in a real browser. On each page: no dialog opened,
`window.__xss` is unset, no element a payload would create exists (each payload's element
carries an id or attribute starting with "xss"), and the payloads are there as literal text.

With the Content Security Policy an injected inline script would not run anyway; the check for
injected elements fails on escaping that is missing, whatever the policy.
"""

import io
import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import get_resolver

from rogatory.accounts.models import Role
from rogatory.accounts.services import token_create, unit_create, user_update
from rogatory.intake.jobs import register_job_check, register_job_run
from rogatory.intake.uploads import upload_store
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.reference.models import Country, RefusalGround, Treaty
from rogatory.reference.services import refusal_ground_update
from rogatory.register import services
from rogatory.register.models import Direction, Document, Kind, Outcome
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.hostile.tally import tally

MODULE = "XSS in the browser"

# Each sets window.__xss or creates an element whose id or attribute starts with "xss".
PAYLOADS = [
    "<script id=xss-s1>window.__xss=1</script>",
    "<img id=xss-i2 src=x onerror=window.__xss=2>",
    "<svg id=xss-v3 onload=window.__xss=3>",
    '"><img id=xss-i4 src=x onerror=window.__xss=4>',
    "'><img id=xss-i5 src=x onerror=window.__xss=5>",
    '" data-xss="6" autofocus onfocus="window.__xss=6',
    "' data-xss='7' autofocus onfocus='window.__xss=7",
    "</textarea><b id=xss-b8>",
    "</title><b id=xss-b9>",
    "<a id=xss-a10 href=javascript:window.__xss=10>x</a>",
    "javascript:window.__xss=11",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "{% csrf_token %}{{ request.user.password }}",
    '<div id=xss-h14 hx-get="/logout/" hx-trigger="load">',
    "<iframe id=xss-f15 srcdoc='<script>parent.__xss=15</script>'>",
    "<details id=xss-d16 open ontoggle=window.__xss=16>",
    "＜script＞window.__xss=17＜/script＞",
    "\u202e<b id=xss-b18>\u200b",
    "<style id=xss-st19>body{display:none}</style>",
    "<math><mi id=xss-m20 xlink:href=javascript:window.__xss=20>x</mi></math>",
]
_INJECTED = "[id^=xss], [data-xss]"


def _reference(number: int, payload: str) -> str:
    return f"R{number} {payload}"[:100]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hostile_world(live_server, _database_between_tests):
    """Every text field filled with payloads, and who looks at them."""
    # The live server's first request loads every view (the API's pull in pandas), which on a
    # busy machine outlasts the browser's timeout; loaded here, it is there for the server.
    get_resolver().url_patterns  # noqa: B018
    supervisor = UserFactory(username="sam.supervisor", role=Role.ADMINISTRATOR)
    ch = Country.objects.get(code="CH")
    requests = []
    tally(MODULE, "payloads", len(PAYLOADS))
    for number, payload in enumerate(PAYLOADS):
        request = services.request_register(
            actor=None,
            direction=Direction.OUTGOING,
            kind=Kind.EXTRADITION,
            reference=_reference(number, payload),
            counterpart_reference=f"C{number} {payload}"[:100],
            counterpart_authority=payload,
            domestic_case=f"D{number} {payload}"[:100],
            country=ch,
            offence_description=payload,
            notes=payload,
            persons_count=1,
        )
        services.request_record_sent(
            actor=None, request=request, sent_on=date(2023, 2, 1), note=payload
        )
        services.document_attach(
            actor=None,
            request=request,
            kind=Document.Kind.OTHER,
            title=payload,
            original_name=f"{payload}.pdf",
            content_type="application/pdf",
            content=io.BytesIO(b"%PDF-1.7\n%%EOF\n"),
        )
        services.request_record_decision(
            actor=None,
            request=request,
            outcome=Outcome.REFUSED,
            decided_on=date(2023, 6, 1),
            grounds=RefusalGround.objects.filter(code="dual_criminality"),
            political=True,
            political_reason=payload,
            note=payload,
        )
        request.refresh_from_db()
        example = example_propose(
            actor=None,
            request=request,
            category=Example.Category.REFUSAL,
            summary_en=f"S{number} {payload}",
            summary_ru=f"S{number} {payload}",
        )
        example_approve(actor=None, example=example)
        # Named after the summary was approved, which must not name a person sought.
        services.person_add(actor=None, request=request, full_name=payload, note=payload)
        requests.append(request)
    # Fifteen fields of each request (with its events, person, document and example).
    tally(MODULE, "payload values planted", 15 * len(PAYLOADS))
    unit = unit_create(actor=None, name=PAYLOADS[0], code="xss-unit")
    user_update(actor=None, user=supervisor, units=[unit])
    supervisor.first_name, supervisor.last_name = PAYLOADS[1], PAYLOADS[3]
    supervisor.save(update_fields=["first_name", "last_name"])
    for payload in PAYLOADS[:5]:
        token_create(actor=None, user=supervisor, name=payload)
    ground = RefusalGround.objects.get(code="political_offence")
    refusal_ground_update(
        actor=None,
        ground=ground,
        label_en=PAYLOADS[2],
        label_ru=PAYLOADS[4],
        counts_as_political=True,
    )
    Treaty.objects.filter(code="ECMA-1959").update(name_en=PAYLOADS[6], short_name=PAYLOADS[5])
    cells = ",".join(f'"{payload.replace(chr(34), chr(34) * 2)}"' for payload in PAYLOADS[:6])
    upload = upload_store(
        chunks=[f"reference,direction,kind,country,status,sent_on\n{cells}\n".encode()],
        original_name=f"{PAYLOADS[3]}.csv",
        max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES,
    )
    job = register_job_check(actor=supervisor, upload=upload, name=f"{PAYLOADS[3]}.csv", unit=unit)
    register_job_run(job_id=job.pk)
    # A unit name, a user's two names, five token names, two ground labels, two treaty names,
    # six cells of a register upload and its file name.
    tally(MODULE, "payload values planted", 1 + 2 + 5 + 2 + 2 + 6 + 1)
    return {"supervisor": supervisor, "requests": requests, "job": job}


def _pages(world) -> list[tuple[str, list[str]]]:
    """Return each page to open, with the payloads it must show as text."""
    requests = world["requests"]
    pages: list[tuple[str, list[str]]] = [
        ("/requests/", []),
        ("/", []),
        ("/audit/", []),
        ("/users/", []),
        ("/account/", PAYLOADS[:5]),
        ("/reference/", []),
        ("/reports/?year=2023", []),
        ("/statement/?year=2023", []),
        ("/countries/CH/", []),
        (f"/import/jobs/{world['job'].pk}/", []),
    ]
    for number, request in enumerate(requests):
        payload = PAYLOADS[number]
        pages.append((f"/requests/{request.pk}/", [_reference(number, payload), payload]))
        pages.append((f"/requests/{request.pk}/audit/", []))
        pages.append((f"/requests/{request.pk}/edit/", []))
        pages.append((f"/requests/{request.pk}/example/", []))
    return pages


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_payloads_are_shown_as_text_and_never_run(page, hostile_world):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "sam.supervisor")
    for url, literal in _pages(hostile_world):
        tally(MODULE, "pages opened")
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response.status}"
        page.wait_for_load_state("load")
        assert not dialogs, f"{url} opened a dialog: {dialogs}"
        assert page.evaluate("window.__xss") is None, (
            f"{url} ran payload {page.evaluate('window.__xss')}"
        )
        injected = page.eval_on_selector_all(_INJECTED, "nodes => nodes.map(n => n.outerHTML)")
        assert not injected, f"{url} holds injected elements: {injected[:3]}"
        shown = _normalised(page.evaluate("document.body.innerText"))
        for payload in literal:
            assert _normalised(payload) in shown, f"{url} does not show {payload!r} as text"
    # The template-looking payload is text, not evaluated: 7|add:7 is no 14.
    page.goto(f"/requests/{hostile_world['requests'][11].pk}/")
    assert "{{ 7|add:7 }}" in page.evaluate("document.body.innerText")
