"""axe-core on every page type: no violation at any impact (WCAG 2.1 AA, Section 508).

Each page is checked as the superuser (who sees every button and panel) with one record of
each model. The results of every page are also written to ``artifacts/axe/`` (counts by rule
and impact) so a reviewer can see what axe found without running the suite.
"""

import json
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from execcoord import registry
from execcoord.utils import viewname
from tests.browser.conftest import BROWSER_DB, SCREENSHOTS, sign_in
from tests.generic.model_data import MODELS

pytestmark = [pytest.mark.browser, BROWSER_DB]

AXE = Axe()
AXE_RESULTS = SCREENSHOTS.parent / "axe"
# every impact fails the test: minor and moderate findings too
BLOCKING = {"minor", "moderate", "serious", "critical"}
# WCAG 2.0/2.1 A and AA (what Section 508 refers to) and axe's best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}
LABELS = sorted(v.label for v in registry.all_registrations())


def check(page, name):
    """Run axe on the loaded page; save its results; fail on any violation."""
    page.wait_for_load_state("load")
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "url": page.url,
        "violations": {
            v["id"]: {"impact": v["impact"], "nodes": len(v["nodes"])} for v in violations
        },
    }
    (AXE_RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=1))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(_describe(v) for v in blocking)
    return Counter({v["id"]: len(v["nodes"]) for v in violations})


def _describe(violation):
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        lines.append(f"      {node['failureSummary'].splitlines()[-1].strip()}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def _make(label):
    return MODELS[label][0]()


def test_sign_in_page(page, alice):
    page.goto("/accounts/login/")
    check(page, "sign-in")


def test_sign_in_page_with_errors(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong-password-entirely")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".alert, .invalid-feedback, .errorlist")
    check(page, "sign-in-errors")


def test_home_page(page, alice, password):
    sign_in(page, "alice", password)
    page.goto("/")
    check(page, "home")


def test_dashboard_page(page, admin):
    _make("actions.executiveaction")
    response = page.goto("/dashboard/")
    if response.status == 404:
        pytest.skip("no /dashboard/ page yet")
    check(page, "dashboard")


def test_search_results(page, admin):
    from actions.demo.actions import ExecutiveActionFactory

    ExecutiveActionFactory(title="Pandemic readiness review")
    page.goto("/search/?q=readiness")
    check(page, "search")


@pytest.mark.parametrize("label", LABELS)
def test_list_detail_and_form_pages_of_every_model(page, admin, label):
    """One record of the model; its list, detail and edit pages (one test: one live setup)."""
    obj = _make(label)
    failures = []
    for kind, url in (
        ("list", reverse(viewname(obj, "list"))),
        ("detail", obj.get_absolute_url()),
        ("edit", reverse(viewname(obj, "edit"), args=[obj.pk])),
    ):
        page.goto(url)
        try:
            check(page, f"{label}-{kind}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_tasker_page_with_its_closed_panels_opened(page, admin):
    """The timeline and the related panels are drawn closed and fill in when opened: the
    rows they load are checked too, in place."""
    from actions.demo.actions import StatusUpdateFactory
    from actions.demo.analysis import LegalAuthorityFactory

    obj = _make("actions.executiveaction")
    obj.legal_authorities.add(LegalAuthorityFactory())
    StatusUpdateFactory(action=obj)
    page.goto(obj.get_absolute_url())
    closed = page.locator("details.ec-lazy-rows > summary")
    assert closed.count() >= 2  # the timeline and the legal authorities
    for summary in closed.all():
        summary.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("details.ec-lazy-rows[open] [data-ec-rows] a").count() >= 2
    check(page, "actions.executiveaction-detail-opened")


def test_add_form_with_errors(page, admin):
    page.goto(reverse(viewname(registry.get("actions.executiveaction").model, "add")))
    page.locator("main form [type=submit]").first.click()
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    check(page, "actions.executiveaction-add-errors")


def test_history_page(page, admin):
    obj = _make("actions.executiveaction")
    page.goto(reverse(viewname(obj, "history"), args=[obj.pk]))
    check(page, "actions.executiveaction-history")


def test_delete_confirmation_page(page, admin):
    obj = _make("actions.executiveaction")
    page.goto(reverse(viewname(obj, "delete"), args=[obj.pk]))
    check(page, "actions.executiveaction-delete")


def test_workflow_pages(page, admin):
    """The action page's own forms: assignment and extension request."""
    obj = _make("actions.executiveaction")
    failures = []
    for kind in ("assign", "request-extension"):
        response = page.goto(f"{obj.get_absolute_url()}{kind}/")
        if response.status == 404:
            continue
        try:
            check(page, f"actions.executiveaction-{kind}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_list_page_at_phone_width(page, admin):
    """The folded filters and the scrolling table on a phone."""
    from tests.browser.conftest import PHONE

    obj = _make("actions.executiveaction")
    page.set_viewport_size(PHONE)
    page.goto(reverse(viewname(obj, "list")))
    check(page, "actions.executiveaction-list-phone")
    page.get_by_role("button", name="Filters").click()
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Apply")).to_be_visible()


def test_not_found_page(page, admin):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    check(page, "error_404")


def test_forbidden_page(page, context, alice):
    """Staff may not import: the 403 page, in the layout, with the reason and a way back."""
    from tests.browser.conftest import log_in_as

    log_in_as(context, alice)
    response = page.goto(reverse("import"))
    assert response.status == 403
    assert page.get_by_text("You may not import records.").is_visible()
    check(page, "error_403")


@pytest.mark.urls("tests.error_urls")
def test_server_error_page(page, admin):
    page.expected_problems = [r"HTTP 500 .*/boom/$"]
    response = page.goto("/boom/")
    assert response.status == 500
    assert page.get_by_text("Reference:").is_visible()
    check(page, "error_500")


def test_my_exports_and_an_import_report(page, admin):
    """My exports with a ready and a failed export and a background import; the import's
    report with its refused rows."""
    import datetime

    from django.utils import timezone

    from execcoord.models import ImportRun, PreparedExport

    later = timezone.now() + datetime.timedelta(days=1)
    for status, size in (("ready", 2048), ("failed", None)):
        PreparedExport.objects.create(
            owner=admin,
            model="actions.executiveaction",
            title="Executive actions",
            format="csv",
            query="status=in_progress",
            status=status,
            row_count=12000 if size else None,
            size=size,
            path="prepared-exports/x.csv" if size else "",
            error="" if size else "The file could not be prepared.",
            expires_at=later,
        )
    run = ImportRun.objects.create(
        owner=admin,
        resource="executive-actions",
        file_name="taskers.csv",
        path="imports/x/token.csv",
        row_count=1500,
        status="failed",
        report={
            "total": 1500,
            "invalid_count": 1,
            "invalid": [{"row": 7, "key": "EA-2026-00007", "errors": [["Title", "Too long."]]}],
        },
    )
    page.goto(reverse("prepared_exports"))
    check(page, "my-exports")
    page.goto(reverse("import_run", args=[run.pk]))
    check(page, "import-run-report")
