"""Screenshots of the main pages at desktop (1280×900) and phone (390×844 and 320×640) widths.

Saved under ``artifacts/screenshots/`` (named in the README) so a reviewer can look at the app
without running it. Each page is also checked for the layout fault a phone user trips on
first: the page itself scrolling sideways (a wide table must scroll inside its own box).
"""

import datetime

import pytest
from django.urls import reverse

from actions.demo.actions import (
    AssignmentFactory,
    ExecutiveActionFactory,
    StatusUpdateFactory,
)
from execcoord.utils import viewname
from tests.browser.conftest import (
    BROWSER_DB,
    DESKTOP,
    PHONE,
    PHONE_320,
    SCREENSHOTS,
    log_in_as,
)

pytestmark = [pytest.mark.browser, BROWSER_DB]


# The outermost elements that stick out past the right edge of the window.
WIDE_ELEMENTS = """(() => {
  const limit = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll("body *")].filter(
    (el) => el.getBoundingClientRect().right > limit + 1 && !clipped(el));
  return wide.filter((el) => !wide.includes(el.parentElement)).slice(0, 5).map(
    (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " +
      String(el.getAttribute("class") || "").trim().split(/\\s+/).join("."));
})()"""


def _pages(action):
    return [
        ("home", "/"),
        ("dashboard", "/dashboard/"),
        ("actions-list", reverse(viewname(action, "list"))),
        ("action-detail", action.get_absolute_url()),
        ("action-edit", reverse(viewname(action, "edit"), args=[action.pk])),
        ("action-assign", f"{action.get_absolute_url()}assign/"),
        ("action-history", reverse(viewname(action, "history"), args=[action.pk])),
        (
            "actions-list-filtered",
            reverse(viewname(action, "list"))
            + f"?lead_unit_subtree={action.lead_unit_id}&priority=high&status=in_progress",
        ),
        ("search", "/search/?q=plan"),
        ("units-list", "/partners/organization-units/"),
    ]


def test_screenshots_of_the_main_pages_at_desktop_and_phone_widths(page, bob, alice, units):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/accounts/login/")
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"sign-in-{size_name}.png", full_page=True)

    parent = ExecutiveActionFactory(
        title="Continuity of operations plan",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
    )
    action = ExecutiveActionFactory(
        title="Regional staffing plan for the hurricane season",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        parent=parent,
    )
    AssignmentFactory(action=action, organization_unit=units["OFF-B1"])
    StatusUpdateFactory(action=action)
    for _ in range(8):
        ExecutiveActionFactory(lead_unit=units["OFF-A1"], accountable_person=alice.person)
    # a history worth reading: a reassignment, a status move, a new suspense
    action.accountable_person = bob.person
    action.priority, action.status = "high", "in_progress"
    action.due_date = action.due_date + datetime.timedelta(days=7)
    action.save()
    log_in_as(page.context, bob)

    sideways = []
    for name, url in _pages(action):
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE), ("phone-320", PHONE_320)):
            page.set_viewport_size(size)
            page.goto(url)
            page.screenshot(path=SCREENSHOTS / f"{name}-{size_name}.png", full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                culprits = page.evaluate(WIDE_ELEMENTS)
                sideways.append(
                    f"{name} at {size_name} width scrolls sideways by {overflow}px: {culprits}"
                )
    assert not sideways, "\n".join(sideways)
