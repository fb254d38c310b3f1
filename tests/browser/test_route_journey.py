"""A whole coordination route in a real browser (issue 16), through the route panel's own
forms: the route is built, reviewed, non-concurred (with the lead office's disposition),
returned from signature, concurred again, signed and approved; axe-core is clean on the
stepper.

Alice is Staff in OFF-A1 (the lead office), Bob manages BUR-A (reviews and signs; the
tasker's issuer), Charlie is Staff in OFF-B1 (concurs), Ada the administrator approves.
"""

import re

import pytest
from playwright.sync_api import expect

from actions.choices import ActionStatus
from actions.models import RouteStep
from tests.browser.conftest import BROWSER_DB, pick
from tests.browser.test_accessibility import check
from tests.browser.test_journeys import _as
from tests.workflow_support import action_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _add_step(page, position, kind, typed, office):
    panel = page.locator("form", has=page.get_by_role("button", name="Add step"))
    panel.get_by_label("Position").fill(str(position))
    panel.get_by_label("Step", exact=True).select_option(label=kind)
    pick(page, "id_organization_unit", typed, office)
    page.get_by_role("button", name="Add step").click()
    expect(page.get_by_role("main")).to_contain_text("added to the route")


def _current(page):
    return page.locator('[aria-current="step"]')


def _answer(page, outcome, comment=""):
    current = _current(page)
    current.get_by_role("combobox", name=re.compile("^Answer of")).select_option(label=outcome)
    if comment:
        current.get_by_label("Comment").fill(comment)
    current.get_by_role("button", name=re.compile("Record answer|Enter answer")).click()
    expect(page.get_by_role("main")).to_contain_text("recorded")


def test_a_whole_route_through_the_route_panel(page, alice, bob, charlie, administrator, units):
    action = action_in(
        ActionStatus.IN_PROGRESS,
        lead_unit=units["OFF-A1"],
        issuing_unit=units["BUR-A"],
        accountable_person=alice.person,
        title="Regional staffing coordination",
    )
    _as(page, bob)
    page.goto(action.get_absolute_url())
    _add_step(page, 1, "Review", "Bureau", "Bureau A")
    _add_step(page, 2, "Concur", "Office B", "Office B1")
    _add_step(page, 3, "Sign", "Bureau", "Bureau A")
    _add_step(page, 4, "Approve", "Department", "Department of Coordination")
    stepper = page.get_by_role("list", name="Steps of the coordination route")
    expect(stepper.get_by_role("listitem")).to_have_count(4)
    expect(_current(page)).to_contain_text("Review")
    expect(page.get_by_test_id("holder")).to_contain_text("route step 1: review")
    check(page, "route-stepper")

    _answer(page, "Reviewed")
    expect(_current(page)).to_contain_text("Concur")

    # The lead office cannot answer for OFF-B1; OFF-B1 non-concurs.
    _as(page, alice)
    page.goto(action.get_absolute_url())
    expect(_current(page).get_by_role("button", name="Record answer")).to_have_count(0)
    _as(page, charlie)
    page.goto(action.get_absolute_url())
    _answer(page, "Non-concur", "The cost estimate is not supported.")
    expect(page.get_by_test_id("holder")).to_contain_text("disposition")

    # The lead office records the disposition; the route moves to signature.
    _as(page, alice)
    page.goto(action.get_absolute_url())
    page.get_by_label(re.compile("^Disposition of the non-concurrence")).fill(
        "Estimate revised with OFF-B1."
    )
    page.get_by_role("button", name="Record disposition").click()
    expect(_current(page)).to_contain_text("Sign")

    # Bob returns it to concurrence; Charlie concurs; Bob signs.
    _as(page, bob)
    page.goto(action.get_absolute_url())
    _current(page).get_by_label("Return to step").select_option(label="Step 2")
    _current(page).get_by_label("Reason for the return").fill("Concur on the revised figures.")
    _current(page).get_by_role("button", name="Return").click()
    expect(_current(page)).to_contain_text("Concur")
    _as(page, charlie)
    page.goto(action.get_absolute_url())
    _answer(page, "Concur")
    _as(page, bob)
    page.goto(action.get_absolute_url())
    _current(page).get_by_label("Signer's role").fill("Director, Bureau A")
    _answer(page, "Signed")
    expect(page.get_by_role("main")).to_contain_text("Director, Bureau A")

    _as(page, administrator)
    page.goto(action.get_absolute_url())
    _answer(page, "Approved")
    expect(_current(page)).to_have_count(0)
    expect(page.get_by_test_id("holder")).to_contain_text("secretariat reviewing")
    check(page, "route-stepper-complete")
    outcomes = list(RouteStep.objects.filter(action=action).values_list("outcome", flat=True))
    assert outcomes == ["reviewed", "concur", "signed", "approved"]
