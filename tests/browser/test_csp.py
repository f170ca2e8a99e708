"""Every main page runs under the strict Content Security Policy without one violation.

The browser reports each violation twice, as a `securitypolicyviolation` event and as a console
error; both are collected. The behaviours that moved out of inline scripts into rogatory.js,
and htmx, are checked to still work under the policy.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rogatory.accounts.models import ApiToken, Role
from rogatory.register.models import Direction, Kind, Outcome
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.register.factories import make_request

TEMPLATES = Path(__file__).resolve().parents[2] / "rogatory" / "web" / "templates"
# Rendered by WeasyPrint into PDF, never by a browser; and the two pages that must work without
# the static files, whose one <style> the policy allows by its hash.
_NOT_BROWSER_PAGES = {"report_pdf.html", "_print_style.html"}
_STANDALONE_PAGES = {"500.html", "503.html"}
_INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=|javascript:|\shx-on|<style", re.IGNORECASE
)

# Registered before any page script: collects the page's violations where the test reads them.
_COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


_FIRST_PAGE_TIMEOUT_MS = 60_000


def test_no_page_template_has_inline_script_or_style():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if template.name in _NOT_BROWSER_PAGES:
            continue
        text = template.read_text(encoding="utf-8")
        if template.name in _STANDALONE_PAGES and template.parent.name == "web":
            text = re.sub(r"<style>.*?</style>", "", text, count=1, flags=re.DOTALL)
        found += [
            f"{template.relative_to(TEMPLATES)}: {match.group(0)!r}"
            for match in _INLINE_CODE.finditer(text)
        ]
    assert found == []


class _Watch:
    """The CSP violations, console errors and script errors of a page, across navigations."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(_COLLECT_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning") and (
            "Content Security Policy" in message.text or "Refused to" in message.text
        ):
            self.problems.append(f"console: {message.text}")

    def visit(self, address: str) -> None:
        # The first page a server process shows loads every view's modules: allow it time.
        response = self.page.goto(address, timeout=_FIRST_PAGE_TIMEOUT_MS)
        assert response is not None and response.status == 200, (address, response.status)
        assert "Content-Security-Policy" in response.headers or (
            "content-security-policy" in response.headers
        ), address
        self.page.wait_for_load_state("networkidle")
        self.check(address)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        self.problems.extend(f"{where}: {violation}" for violation in violations)
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def watch(page) -> _Watch:
    return _Watch(page)


@pytest.fixture
def register_with_refusals():
    """Requests of this year and the last, refused and decided, so that every chart is drawn."""
    this_year = timezone.localdate().year
    requests = []
    for year in (this_year - 1, this_year):
        opened = date(year, 1, 10)
        decided = min(date(year, 3, 1), timezone.localdate())
        requests.append(
            make_request(
                country="CH",
                opened_on=opened,
                outcome=Outcome.REFUSED,
                decided_on=decided,
                grounds=("fiscal_offence",),
            )
        )
        requests.append(
            make_request(
                country="LV",
                kind=Kind.EXTRADITION,
                opened_on=opened,
                outcome=Outcome.GRANTED,
                decided_on=decided,
            )
        )
        requests.append(make_request(country="US", opened_on=opened - timedelta(days=5)))
    make_request(direction=Direction.INCOMING, country="DE", opened_on=date(this_year, 1, 3))
    return requests


def test_every_main_page_runs_without_a_csp_violation(page, watch, register_with_refusals):
    admin = UserFactory(username="ada", role=Role.ADMINISTRATOR)
    request = register_with_refusals[-2]
    year = timezone.localdate().year
    watch.visit("/login/")
    sign_in(page, "ada")

    for address in (
        "/",
        "/requests/",
        f"/requests/{request.pk}/",
        f"/requests/{request.pk}/edit/",
        f"/requests/{request.pk}/audit/",
        "/requests/new/",
        f"/reports/?year={year}&direction=outgoing",
        "/countries/",
        "/countries/CH/",
        "/import/",
        "/exports/",
        "/account/",
        "/users/",
        f"/users/{admin.pk}/",
        "/users/new/",
        "/audit/",
        "/reference/",
        "/statement/",
    ):
        watch.visit(address)
        # htmx adds no <style> of its own, and no page has one: every style is the stylesheet.
        assert page.locator("style").count() == 0, address

    # The report's charts are drawn: SVG images that loaded, each with its description.
    watch.visit(f"/reports/?year={year}&direction=outgoing")
    charts = page.locator("img.chart-image")
    assert charts.count() >= 3
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("alt")
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    watch.visit("/")
    expect(page.locator("figure.chart img.chart-image")).to_have_attribute(
        "alt", re.compile("^Refusals of our requests by country")
    )
    assert page.locator("figure.chart img.chart-image").evaluate("image => image.naturalWidth > 0")


def test_the_report_form_keeps_a_year_or_two_dates_not_both(page, watch, register_with_refusals):
    UserFactory(username="ada", role=Role.SUPERVISOR)
    year = timezone.localdate().year
    sign_in(page, "ada", then="/reports/")
    period = page.get_by_role("form", name="Period and direction")
    year_field = period.get_by_label("Year", exact=True)

    year_field.select_option(label=str(year))
    period.get_by_label("From", exact=True).fill(f"{year}-01-01")
    period.get_by_label("From", exact=True).dispatch_event("change")
    expect(year_field).to_have_value("")

    period.get_by_label("To", exact=True).fill(f"{year}-06-30")
    year_field.select_option(label=str(year))
    expect(period.get_by_label("From", exact=True)).to_have_value("")
    expect(period.get_by_label("To", exact=True)).to_have_value("")
    watch.check("report form")


def test_a_token_is_copied_and_revoked_only_once_confirmed(browser, page, watch, live_server):
    UserFactory(username="clara", role=Role.CLERK)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, "clara", then="/account/")

    page.get_by_label("Token name").fill("Statistics export")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token").input_value()
    assert secret.startswith("rgt_")
    copy = page.locator("button[data-copy]")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    # Pages may not read the clipboard (Permissions-Policy), but a user may paste it.
    name = page.get_by_label("Token name")
    name.fill("")
    name.focus()
    page.keyboard.press("ControlOrMeta+V")
    expect(name).to_have_value(secret)

    page.goto("/account/")
    questions = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()
    assert questions == [
        "Revoke the token “Statistics export”? Programs using it will stop working."
    ]
    assert ApiToken.objects.get().revoked_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The token “Statistics export” is revoked.")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None
    watch.check("account page")


def test_htmx_still_filters_the_register_in_place(page, watch, register_with_refusals):
    UserFactory(username="vera", role=Role.SUPERVISOR)
    sign_in(page, "vera", then="/requests/")
    htmx_requests = []
    page.on(
        "request",
        lambda sent: htmx_requests.append(sent.url) if sent.headers.get("hx-request") else None,
    )
    results = page.get_by_role("region", name="Requests")
    expect(results.get_by_role("link")).not_to_have_count(0)

    filters = page.get_by_role("search", name="Filter the register")
    filters.get_by_label("Direction").select_option(value="incoming")

    expect(page).to_have_url(re.compile(r"direction=incoming"))
    expect(results.locator("tbody tr")).to_have_count(1)
    assert htmx_requests, "the filter was not applied by htmx"
    watch.check("register filters")
