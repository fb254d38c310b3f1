"""Every page shape fits a 320 px screen without sideways scrolling (WCAG 1.4.10), phones get
table rows as cards, and a desktop list shows its Due date column (issue 15).

The crawl visits each page shape of the app (lists, details, edit, delete and history
pages, My work, the dashboard, search, import, the workflow pages; the Django admin is left
out) as the superuser, who sees every button and panel.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from actions.choices import ActionStatus, Health, Priority
from actions.demo.actions import (
    AssignmentFactory,
    ExecutiveActionFactory,
    ExtensionRequestFactory,
    StatusUpdateFactory,
)
from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.formats import format_date
from execcoord.utils import viewname
from tests.browser.conftest import BROWSER_DB, DESKTOP, PHONE_320, log_in_as
from tests.browser.test_screenshots import WIDE_ELEMENTS
from tests.generic.model_data import MODELS

pytestmark = [pytest.mark.browser, BROWSER_DB]

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}


def sideways(page):
    """How far the page scrolls sideways, and what sticks out."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return (overflow, page.evaluate(WIDE_ELEMENTS)) if overflow > 1 else (0, [])


def no_axe_violations(page):
    """axe-core finds nothing, at any impact, on the loaded page."""
    page.wait_for_load_state("load")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]


@pytest.fixture
def tasker(units, alice, bob):
    parent = ExecutiveActionFactory(
        title="Continuity of operations plan for the hurricane season",
        status=ActionStatus.IN_PROGRESS,
        issue_date=datetime.date.today() - datetime.timedelta(days=20),
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
    )
    action = ExecutiveActionFactory(
        title="Regional staffing plan with a long title that wraps on a narrow phone screen",
        status=ActionStatus.IN_PROGRESS,
        priority=Priority.HIGH,
        health=Health.AT_RISK,
        issue_date=datetime.date.today() - datetime.timedelta(days=10),
        due_date=datetime.date.today() - datetime.timedelta(days=3),
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        parent=parent,
    )
    AssignmentFactory(action=action, organization_unit=units["OFF-B1"])
    for _ in range(6):
        StatusUpdateFactory(action=action)
    ExtensionRequestFactory(action=action, requested_by=alice)
    return action


def test_no_page_shape_scrolls_sideways_at_320_px(page, superuser, tasker):
    log_in_as(page.context, superuser)
    for label, (factory, _, _) in MODELS.items():
        if label != "actions.executiveaction":
            factory()
    urls = ["/", "/dashboard/", "/search/?q=plan", "/import/", "/calendar/", "/actions/intake/"]
    urls += ["/notifications/", "/notifications/preferences/"]
    for views in registry.all_registrations():
        record = views.model._default_manager.order_by("pk").first()
        urls.append(reverse(viewname(views.model, "list")))
        urls.append(record.get_absolute_url())
        if views.can(superuser, "change", record):  # records only services write have none
            urls.append(reverse(viewname(views.model, "edit"), args=[record.pk]))
    urls += [
        reverse(viewname(tasker, "history"), args=[tasker.pk]),
        reverse(viewname(tasker, "delete"), args=[tasker.pk]),
        reverse(viewname(tasker, "add")) + f"?parent={tasker.pk}",
        f"{tasker.get_absolute_url()}assign/",
        f"{tasker.get_absolute_url()}request-extension/",
        reverse(viewname(ExecutiveAction, "list")) + f"?lead_unit_subtree={tasker.lead_unit_id}"
        "&overdue=true&priority=high",
    ]
    page.set_viewport_size(PHONE_320)
    wide = []
    for url in urls:
        response = page.goto(url)
        assert response.ok, f"{url}: HTTP {response.status}"
        overflow, culprits = sideways(page)
        if overflow:
            wide.append(f"{url} scrolls sideways by {overflow}px: {culprits}")
    assert not wide, "\n".join(wide)


def test_on_a_phone_each_row_is_a_card_with_number_title_status_and_due_date(
    page, superuser, tasker
):
    log_in_as(page.context, superuser)
    page.set_viewport_size(PHONE_320)
    page.goto(reverse(viewname(ExecutiveAction, "list")))
    row = page.locator("table.ec-cards tbody tr").filter(has_text=tasker.number)
    due = format_date(tasker.due_date)
    for text in (tasker.number, "Regional staffing plan", "In progress", due):
        cell = row.get_by_text(text, exact=False).first
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (text, box)
    expect(row.locator("td.ec-card-extra").first).to_be_hidden()  # type, lead unit …
    assert sideways(page) == (0, [])
    no_axe_violations(page)


def test_a_desktop_list_opened_from_the_dashboard_shows_its_due_date_column(
    page, superuser, tasker
):
    log_in_as(page.context, superuser)
    page.set_viewport_size(DESKTOP)
    page.goto(
        reverse(viewname(ExecutiveAction, "list"))
        + f"?lead_unit_subtree={tasker.lead_unit_id}&overdue=true&sort=due_date"
    )
    header = page.get_by_role("columnheader", name="Due date")
    expect(header).to_be_visible()
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= DESKTOP["width"]
    expect(page.get_by_text("More filters")).to_be_hidden()  # folded, and closed
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2 * DESKTOP["height"], height
    no_axe_violations(page)


def test_the_due_date_history_card_is_as_tall_as_its_rows(page, superuser, tasker):
    log_in_as(page.context, superuser)
    page.set_viewport_size(DESKTOP)
    page.goto(tasker.get_absolute_url())
    timeline = page.locator("section").filter(
        has=page.get_by_role("heading", name="Timeline", exact=True)
    )
    due_dates = page.locator("section").filter(
        has=page.get_by_role("heading", name="Due-date history")
    )
    timeline.get_by_text("Show the timeline").click()  # drawn closed, its rows load when opened
    expect(timeline.locator("[data-ec-rows] li").first).to_be_visible()
    assert due_dates.bounding_box()["height"] < timeline.bounding_box()["height"] / 2


def test_my_work_at_desktop_width_shows_whole_badges(page, alice, tasker):
    """ "67 days ov…": a table wider than its card was cut off at 1280 px."""
    log_in_as(page.context, alice)
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    badge = page.get_by_text("3 days overdue").first
    expect(badge).to_be_visible()
    clipped = page.evaluate(
        """[...document.querySelectorAll('.table-responsive')]
             .filter((box) => box.scrollWidth > box.clientWidth + 1).length"""
    )
    assert clipped == 0


def test_the_history_and_extension_request_pages_have_no_axe_findings(page, superuser, tasker):
    tasker.priority = Priority.CRITICAL  # a change the history shows
    tasker.save()
    log_in_as(page.context, superuser)
    for size in (DESKTOP, PHONE_320):
        page.set_viewport_size(size)
        page.goto(reverse(viewname(tasker, "history"), args=[tasker.pk]))
        expect(page.get_by_text("Critical").first).to_be_visible()
        no_axe_violations(page)
        page.goto(tasker.extension_requests.get().get_absolute_url())
        expect(page.get_by_role("button", name="Approve extension")).to_be_visible()
        no_axe_violations(page)


@pytest.mark.parametrize("width", [992, 1024, 1199, 1280])
def test_the_menu_fits_at_laptop_widths(page, superuser, width):
    """The main menu (the superuser's, every entry) never widens the page: at 992–1199 px it
    did not fit in one line and pushed the user menu 111 px off a 1024 px screen; it folds
    behind its button below 1200 px."""
    log_in_as(page.context, superuser)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(reverse("dashboard"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    menu = page.get_by_role("navigation", name="Main")
    if width < 1200:
        menu.get_by_role("button", name="Show navigation").click()
    expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
