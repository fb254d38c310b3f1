"""The Assign page in a real browser: a manager assigns a tasker, comes back and assigns it
again (the second save is the one that used to reload with nothing saved), and the page with
its errors passes axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.demo.actions import ExecutiveActionFactory
from actions.models import Assignment
from tests.browser.conftest import BROWSER_DB, log_in_as, pick
from tests.browser.test_accessibility import check

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _rows(action):
    return sorted(
        Assignment.objects.filter(action=action).values_list(
            "organization_unit__code", "due_date", "allow_later_due_date"
        )
    )


def test_a_manager_assigns_a_tasker_twice_on_the_assign_page(page, bob, alice, units):
    due = timezone.localdate() + datetime.timedelta(days=30)
    action = ExecutiveActionFactory(
        title="Regional shelter inventory",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=due,
    )
    log_in_as(page.context, bob)
    page.goto(action.get_absolute_url())
    assign = page.get_by_role("link", name="Assign", exact=True).first

    # First save: one supporting unit.
    assign.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assign")
    check(page, "assign")
    pick(page, "id_supporting-0-organization_unit", "Office B", "Office B1")
    page.get_by_role("button", name="Save assignment").click()
    expect(page).to_have_url(re.compile(rf"{action.get_absolute_url()}$"))
    expect(page.get_by_role("status").filter(has_text="Assignment saved.")).to_be_visible()
    assert _rows(action) == [("OFF-B1", None, False)]

    # Second save: the stored row changes, another unit is added, with a date after the
    # action's: refused with the reason beside the row and at the top of the page.
    page.get_by_role("link", name="Assign", exact=True).first.click()
    expect(page.locator("#id_supporting-0-organization_unit")).to_have_value(
        str(units["OFF-B1"].pk)
    )
    row_due = due - datetime.timedelta(days=5)
    page.get_by_label("Due date (row 1)").fill(row_due.isoformat())
    pick(page, "id_supporting-1-organization_unit", "Bureau B", "Bureau B")
    late = due + datetime.timedelta(days=10)
    page.get_by_label("Due date (row 2)").fill(late.isoformat())
    page.get_by_role("button", name="Save assignment").click()
    problems = page.locator("#assignment-problems")
    expect(problems).to_contain_text("Not saved: 1 problem")
    expect(problems).to_contain_text("Due date: The action is due")
    check(page, "assign-errors")
    assert _rows(action) == [("OFF-B1", None, False)]

    # The person allows the later date and saves again: both rows are stored.
    page.get_by_label(re.compile(r"a due date after the action's \(row 2\)")).check()
    page.get_by_role("button", name="Save assignment").click()
    expect(page).to_have_url(re.compile(rf"{action.get_absolute_url()}$"))
    expect(page.get_by_role("status").filter(has_text="Assignment saved.")).to_be_visible()
    assert _rows(action) == [("BUR-B", late, True), ("OFF-B1", row_due, False)]

    # A third visit shows both as stored, and saving it untouched changes nothing.
    page.get_by_role("link", name="Assign", exact=True).first.click()
    expect(page.locator("#id_supporting-1-organization_unit")).not_to_have_value("")
    page.get_by_role("button", name="Save assignment").click()
    expect(page).to_have_url(re.compile(rf"{action.get_absolute_url()}$"))
    assert _rows(action) == [("BUR-B", late, True), ("OFF-B1", row_due, False)]
