"""Process templates in a real browser (issue 16): an administrator's template page with its
inline rows, a tasker's apply preview edited and applied, and the live date of "due in N
business days"; axe-core clean on each page."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.business_days import add_business_days, subtract_business_days
from actions.choices import ActionStatus, RouteStepKind, TemplateSubtaskerRole
from actions.demo.actions import (
    ExecutiveActionFactory,
    ExecutiveActionTypeFactory,
    ProcessTemplateFactory,
    TemplateRouteStepFactory,
    TemplateSubtaskerFactory,
)
from actions.models import ExecutiveAction
from execcoord.utils import viewname
from tests.browser.conftest import BROWSER_DB, log_in_as
from tests.browser.test_accessibility import check

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def template(units):
    action_type = ExecutiveActionTypeFactory(name="Congressional inquiry")
    made = ProcessTemplateFactory(name="Congressional inquiry", action_type=action_type)
    TemplateSubtaskerFactory(
        template=made,
        position=1,
        title_pattern="{parent.title}: draft response",
        organization_unit=units["OFF-A1"],
        role=TemplateSubtaskerRole.DRAFT,
        offset_business_days=10,
    )
    TemplateSubtaskerFactory(
        template=made,
        position=2,
        title_pattern="{parent.title}: legal review",
        organization_unit=units["BUR-B"],
        role=TemplateSubtaskerRole.REVIEW,
        offset_business_days=3,
    )
    TemplateRouteStepFactory(
        template=made, position=1, kind=RouteStepKind.SIGN, organization_unit=units["BUR-A"]
    )
    return made


def test_an_administrator_reads_and_edits_a_template_with_its_rows(page, admin, template):
    page.goto(template.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Congressional inquiry")
    check(page, "process_template_detail")
    page.goto(reverse(viewname(template, "edit"), args=[template.pk]))
    check(page, "process_template_edit")
    field = page.get_by_label(re.compile(r"suspense \(Standard sub-taskers, row 2\)", re.I))
    field.fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"{template.get_absolute_url()}$"))
    assert sorted(template.subtaskers.values_list("offset_business_days", flat=True)) == [4, 10]


def test_a_lead_previews_edits_and_applies_a_template(page, alice, units, template):
    due = add_business_days(timezone.localdate(), 25)
    parent = ExecutiveActionFactory(
        title="Senator's letter",
        action_type=template.action_type,
        status=ActionStatus.IN_PROGRESS,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=due,
    )
    log_in_as(page.context, alice)
    page.goto(parent.get_absolute_url())
    page.get_by_role("link", name="Apply template").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("Due date (row 1)")).to_have_value(
        subtract_business_days(due, 10).isoformat()
    )
    check(page, "apply_template_preview")
    page.get_by_label("Title (row 1)").fill("Draft the reply")
    page.get_by_role("button", name="Create the sub-taskers").click()
    expect(page).to_have_url(re.compile(rf"{parent.get_absolute_url()}$"))
    expect(page.get_by_role("status").filter(has_text="2 sub-taskers created")).to_be_visible()
    assert sorted(parent.children.values_list("title", "due_date")) == sorted(
        [
            ("Draft the reply", subtract_business_days(due, 10)),
            ("Senator's letter: legal review", subtract_business_days(due, 3)),
        ]
    )


def test_due_in_business_days_shows_the_date_live(page, alice, units):
    log_in_as(page.context, alice)
    page.goto(reverse(viewname(ExecutiveAction, "add")))
    days = page.get_by_label("Or: due in business days")
    days.fill("18")
    expected = add_business_days(timezone.localdate(), 18)
    expect(page.locator("#id_due_date")).to_have_value(expected.isoformat())
    words = f"{expected:%A} {expected.day} {expected:%b %Y}"
    expect(page.locator("#id_due_in_business_days_result")).to_have_text(f"Due {words}.")
    check(page, "action_add_business_days")
