"""The e-mail intake page in a real browser: labelled, keyboard usable, axe-core clean, and an
uploaded .eml becomes a draft; the same e-mail again is refused with a link to the draft."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from actions.demo.actions import ExecutiveActionTypeFactory
from actions.demo.partners import OrganizationUnitFactory
from actions.models import ExecutiveAction
from partners.access import ROLE_STAFF
from tests.browser.conftest import BROWSER_DB, log_in_as
from tests.browser.test_accessibility import check
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, BROWSER_DB]
EML = Path(__file__).resolve().parents[1] / "fixtures" / "intake" / "attachments.eml"


@pytest.fixture
def sec(units, context):
    es = OrganizationUnitFactory(
        code="ES", name="Executive Secretariat", parent=units["AGENCY"], is_secretariat=True
    )
    ExecutiveActionTypeFactory(name="Correspondence")
    user = make_user("sec", ROLE_STAFF, es)
    log_in_as(context, user)
    return user


def test_intake_page_is_accessible_and_makes_a_draft(page, sec, settings):
    settings.INTAKE_ACTION_TYPE = "Correspondence"
    page.goto("/")
    page.get_by_role("button", name="Bring in").click()  # the menu of ways in
    page.get_by_role("link", name="Take in e-mail").click()
    expect(page.get_by_role("heading", name="Take in an e-mail")).to_be_visible()
    check(page, "intake")
    page.get_by_label("E-mail file").set_input_files(str(EML))
    expect(page.get_by_label("Type of the draft")).to_have_value(
        str(ExecutiveAction._meta.get_field("action_type").related_model.objects.get().pk)
    )
    page.get_by_label("Type of the draft").focus()
    page.keyboard.press("Tab")  # the keyboard reaches the button
    expect(page.get_by_role("button", name="Make the draft")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/intake/" not in url)
    expect(page.get_by_text("review it, name its lead office and issue it")).to_be_visible()
    draft = ExecutiveAction.objects.get()
    assert draft.title == "Signed memo and data"
    # the same message again: refused, the error linked to the field and to the draft
    page.expected_problems = [r"HTTP 409"]
    page.goto("/actions/intake/")
    page.get_by_label("E-mail file").set_input_files(str(EML))
    page.get_by_role("button", name="Make the draft").click()
    expect(page.get_by_role("alert")).to_contain_text("already taken in as")
    check(page, "intake-duplicate")
    page.get_by_role("link", name=str(draft)).click()
    page.wait_for_url(f"**{draft.get_absolute_url()}")
    assert ExecutiveAction.objects.count() == 1


def test_the_secretariats_views_are_accessible(page, sec, units):
    from actions.choices import ActionStatus
    from actions.demo.actions import ExecutiveActionFactory

    es = sec.person.organization_unit
    ExecutiveActionFactory(
        title="Issued to Office A1",
        lead_unit=units["OFF-A1"],
        issuing_unit=es,
        accountable_person=None,
        status=ActionStatus.NOT_STARTED,
    )
    ExecutiveActionFactory(
        title="Draft without an office",
        lead_unit=None,
        issuing_unit=es,
        accountable_person=None,
        status=ActionStatus.DRAFT,
    )
    page.goto("/")
    expect(page.get_by_role("heading", name="Issued by my office 2")).to_be_visible()
    check(page, "my-work-secretariat")
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Where they sit: by lead office")).to_be_visible()
    expect(page.get_by_role("rowheader", name="No lead office yet")).to_be_visible()
    check(page, "dashboard-issued")
