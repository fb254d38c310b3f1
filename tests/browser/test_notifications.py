"""The bell in a real browser: a tasker assigned to me raises the bell's count, reading the
notification lowers it; the notification pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from actions.demo.actions import ExecutiveActionFactory
from tests.browser.conftest import BROWSER_DB, DESKTOP, log_in_as, pick
from tests.browser.test_accessibility import check

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _bell(page):
    return page.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread$"))


def test_the_bell_rises_when_a_tasker_is_assigned_to_me_and_falls_when_i_read_it(
    browser, live_server, page, bob, charlie, alice, units
):
    action = ExecutiveActionFactory(
        issued=True,
        title="Regional shelter inventory",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
    )
    log_in_as(page.context, charlie)
    page.goto("/")
    expect(_bell(page)).to_have_accessible_name("Notifications, 0 unread")

    # Bob, in his own browser, names Charlie on a supporting unit.
    other = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    other.live_url = live_server.url
    try:
        log_in_as(other, bob)
        manager = other.new_page()
        manager.goto(action.get_absolute_url())
        manager.get_by_role("link", name="Assign", exact=True).first.click()
        pick(manager, "id_supporting-0-organization_unit", "Office B", "Office B1")
        pick(manager, "id_supporting-0-person", charlie.person.last_name)
        manager.get_by_role("button", name="Save assignment").click()
        expect(manager.get_by_role("status").filter(has_text="Assignment saved.")).to_be_visible()
    finally:
        other.close()

    page.reload()
    expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread")
    _bell(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("#notification-list")).to_contain_text(action.title)
    check(page, "notifications")
    page.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(_bell(page)).to_have_accessible_name("Notifications, 0 unread")
    expect(page.get_by_role("button", name=re.compile("^Mark read"))).to_have_count(0)


def test_the_preferences_page_from_the_user_menu(page, alice, units):
    log_in_as(page.context, alice)
    page.goto("/")
    page.get_by_role("button", name=re.compile(alice.get_full_name() or alice.username)).click()
    page.get_by_role("link", name="Notification choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification choices")
    check(page, "notification-preferences")
    page.get_by_label("Tasker issued").select_option("digest")
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    expect(page.get_by_label("Tasker issued")).to_have_value("digest")
