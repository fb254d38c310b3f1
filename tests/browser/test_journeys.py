"""Journeys through the app in a real browser, as the people in DESIGN.md §1 make them.

Alice is Staff in OFF-A1, Bob manages BUR-A (above OFF-A1), Charlie is Staff in OFF-B1.
"""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.choices import ActionStatus, Priority, Visibility
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.models import ExecutiveAction
from tests.browser.conftest import BROWSER_DB, HeldAnswers, open_filters, pick, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

ACTIONS_LIST = "/actions/executive-actions/"


def _today():
    return timezone.localdate()


def _action(units, alice, **fields):
    """An action led by OFF-A1 with Alice accountable (so Alice sees and may edit it)."""
    fields.setdefault("lead_unit", units["OFF-A1"])
    fields.setdefault("accountable_person", alice.person)
    return ExecutiveActionFactory(**fields)


def test_sign_in_reaches_home_with_styles_and_scripts_loaded(page, alice, password):
    sign_in(page, "alice", password)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Bootstrap's CSS is applied (the navbar is a flex box) and its JavaScript ran.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.evaluate("typeof TomSelect") == "function"


def test_wrong_password_keeps_the_user_on_sign_in_with_a_message(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text(re.compile("correct username and password", re.I))).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("alice")


def test_create_an_action_with_the_search_as_you_type_pickers(page, alice, password, units):
    ExecutiveActionTypeFactory(name="Executive Directive")
    ExecutiveActionTypeFactory(name="Budget Data Call")
    sign_in(page, "alice", password)
    page.goto(ACTIONS_LIST)
    page.get_by_role("link", name="Add executive action").click()

    page.get_by_label("Title").first.fill("Prepare the winter storm readiness brief")
    pick(page, "id_action_type", "Direct", "Executive Directive")
    pick(page, "id_lead_unit", "Office A", "Office A1")
    due = _today() + datetime.timedelta(days=21)
    page.locator("#id_due_date").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page).not_to_have_url(re.compile(r"/add/"))
    action = ExecutiveAction.objects.get(title="Prepare the winter storm readiness brief")
    assert action.action_type.name == "Executive Directive"
    assert action.lead_unit == units["OFF-A1"]
    assert action.due_date == due
    page.goto(action.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("winter storm readiness")
    expect(page.get_by_role("main")).to_contain_text("Executive Directive")


def _type_picker_with_held_answers(page, alice, password):
    """The new-action form's type picker, opened, with its answers held (two types exist)."""
    ExecutiveActionTypeFactory(name="Executive Directive")
    ExecutiveActionTypeFactory(name="Budget Data Call")
    sign_in(page, "alice", password)
    page.goto(f"{ACTIONS_LIST}add/")
    answers = HeldAnswers(page, "id_action_type")
    page.locator("#id_action_type + .ts-wrapper .ts-control").click()
    answers.wait_for("")  # opening the list asks for every record
    return answers


def _offered(page, field_id="id_action_type"):
    """The records a picker offers (not the empty choice)."""
    return page.locator(f'#{field_id}-ts-dropdown .option:not([data-value=""])')


@pytest.mark.parametrize(
    "order",
    [("", "Bud", "Budget"), ("Bud", "Budget", ""), ("Budget", "", "Bud"), ("Bud", "", "Budget")],
    ids=["empty-answer-first", "empty-answer-last", "empty-between-late-typed", "empty-between"],
)
def test_picker_offers_only_the_answer_to_the_text_in_the_box(page, alice, password, units, order):
    """Whatever order the answers arrive in, the offer is the answer to what the box says."""
    answers = _type_picker_with_held_answers(page, alice, password)
    box = page.locator("#id_action_type-ts-control")
    if order[0] == "":  # the usual race: everything arrives while the person types
        answers.release("")
        expect(_offered(page)).to_have_text(["Budget Data Call", "Executive Directive"])
    page.keyboard.type("Bud")
    answers.wait_for("Bud")
    page.keyboard.type("get")
    answers.wait_for("Budget")
    # Until its own answer comes, nothing answered for another text is offered for "Budget".
    expect(_offered(page)).to_have_count(0)
    for text in order:
        if text in answers.asked():
            answers.release(text)
            offer = ["Budget Data Call"] if "Budget" not in answers.asked() else []
            expect(_offered(page)).to_have_text(offer)
    expect(box).to_have_value("Budget")
    expect(_offered(page)).to_have_text(["Budget Data Call"])
    # Typing something else replaces the offer.
    page.keyboard.press("Control+A")
    page.keyboard.type("Directive")
    answers.release_all()
    expect(_offered(page)).to_have_text(["Executive Directive"])


def test_picker_follows_fast_typing_deleting_and_retyping(page, alice, password, units):
    """The text is deleted and typed again while its first answer is on its way."""
    answers = _type_picker_with_held_answers(page, alice, password)
    answers.release("")
    expect(_offered(page)).to_have_text(["Budget Data Call", "Executive Directive"])
    page.keyboard.type("Budget")
    answers.wait_for("Budget")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type("Budget")
    # The answer to the first "Budget" comes, then the one to the emptied box.
    answers.release_all(last="")
    expect(page.locator("#id_action_type-ts-control")).to_have_value("Budget")
    expect(_offered(page)).to_have_text(["Budget Data Call"])
    # Emptied for good, the box offers everything again.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    expect(_offered(page)).to_have_text(["Budget Data Call", "Executive Directive"])


def test_a_failed_search_offers_nothing_it_was_not_asked(page, alice, password, units):
    """A request that fails leaves no earlier text's records on offer; typing asks again."""
    answers = _type_picker_with_held_answers(page, alice, password)
    answers.release("")
    page.keyboard.type("Budget")
    answers.wait_for("Budget")
    answers.fail("Budget")
    expect(_offered(page)).to_have_count(0)
    expect(page.locator("#id_action_type-ts-dropdown .no-results")).to_contain_text("failed")
    page.keyboard.type(" Data")
    answers.wait_for("Budget Data")
    answers.release("Budget Data")
    expect(_offered(page)).to_have_text(["Budget Data Call"])


def test_chosen_records_stay_while_the_picker_searches_again(page, alice, password, units):
    """A multiple picker (the list's type filter) keeps what was chosen as the offer changes."""
    directive = ExecutiveActionTypeFactory(name="Executive Directive")
    budget = ExecutiveActionTypeFactory(name="Budget Data Call")
    ExecutiveActionTypeFactory(name="Information Request")
    sign_in(page, "alice", password)
    page.goto(ACTIONS_LIST)
    answers = HeldAnswers(page, "id_action_type_id")
    answers.passing = True  # answers in the order the server gives them
    open_filters(page, more=True)
    control = page.locator("#id_action_type_id + .ts-wrapper .ts-control")
    control.click()
    page.keyboard.type("Budget")
    _offered(page, "id_action_type_id").filter(has_text="Budget Data Call").click()
    chosen = page.locator("#id_action_type_id")
    expect(chosen).to_have_values([str(budget.pk)])
    page.keyboard.press("Control+A")
    page.keyboard.type("Directive")
    expect(_offered(page, "id_action_type_id")).to_have_text(["Executive Directive"])
    expect(control.locator(".item")).to_have_text([re.compile("Budget Data Call")])
    _offered(page, "id_action_type_id").click()
    expect(chosen).to_have_values([str(budget.pk), str(directive.pk)])
    # Left and opened again with an empty box, it offers what the server answers to that:
    # every record not chosen yet.
    page.keyboard.press("Escape")
    page.get_by_role("heading", level=1).click()
    page.locator("#id_action_type_id-ts-control").click()
    expect(page.locator("#id_action_type_id-ts-control")).to_have_value("")
    expect(_offered(page, "id_action_type_id")).to_have_text(["Information Request"])
    expect(chosen).to_have_values([str(budget.pk), str(directive.pk)])


def test_add_a_sub_tasker_from_the_parent_page(page, alice, password, units):
    parent = _action(units, alice, title="Annual privacy review")
    ExecutiveActionTypeFactory(name="Information Request")
    sign_in(page, "alice", password)
    page.goto(parent.get_absolute_url())
    page.get_by_role("link", name="Add sub-tasker").first.click()

    # The form opens with the parent already chosen.
    expect(page.locator("#id_parent")).to_have_value(str(parent.pk))
    page.get_by_label("Title").first.fill("Collect the privacy impact assessments")
    pick(page, "id_action_type", "Information", "Information Request")
    page.get_by_role("button", name="Save").click()

    expect(page).not_to_have_url(re.compile(r"/add/"))
    child = ExecutiveAction.objects.get(title="Collect the privacy impact assessments")
    assert child.parent_id == parent.pk
    page.goto(parent.get_absolute_url())
    expect(
        page.get_by_role("link", name=re.compile("privacy impact assessments")).first
    ).to_be_visible()


def test_filter_the_list_and_export_exactly_the_filtered_rows(page, alice, password, units):
    high = [
        _action(units, alice, title=f"High priority task {n}", priority=Priority.HIGH)
        for n in range(3)
    ]
    _action(units, alice, title="Low priority task", priority=Priority.LOW)
    sign_in(page, "alice", password)
    page.goto(ACTIONS_LIST)
    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("4 results")

    filters = open_filters(page)  # folded below 1400 px
    filters.get_by_role("group", name="Priority").get_by_label("High", exact=True).check()
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("3 results")
    expect(page.get_by_role("link", name=re.compile("Low priority task"))).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    body = "\n".join(",".join(r) for r in rows[1:])
    assert len(rows) == 1 + len(high)
    assert all(a.title in body for a in high) and "Low priority task" not in body


def test_the_filter_form_sends_only_what_is_filled_in_and_chips_undo_it(
    page, alice, password, units
):
    _action(units, alice, title="High priority task", priority=Priority.HIGH)
    _action(units, alice, title="Low priority task", priority=Priority.LOW)
    sign_in(page, "alice", password)
    page.goto(ACTIONS_LIST)
    filters = open_filters(page)
    filters.get_by_role("group", name="Priority").get_by_label("High", exact=True).check()
    filters.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("1 result")
    query = page.url.split("?", 1)[1]
    assert sorted(query.split("&")) == ["open=true", "priority=high"]  # no empty fields
    chips = page.get_by_role("list", name="Applied filters")
    expect(chips.get_by_role("listitem")).to_have_count(2)
    expect(chips.get_by_role("listitem").filter(has_text="Priority: High")).to_be_visible()
    expect(chips.get_by_role("listitem").filter(has_text="Open: Yes")).to_be_visible()

    chips.get_by_role("link", name="Remove filter Priority: High").click()
    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("2 results")
    assert "priority" not in page.url


def test_an_interim_response_from_the_tasker_page_comes_back_to_it(page, alice, password, units):
    action = _action(
        units,
        alice,
        title="Answer the committee on grant oversight",
        status=ActionStatus.IN_PROGRESS,
        issue_date=_today(),
    )
    sign_in(page, "alice", password)
    page.goto(action.get_absolute_url())
    timeline = page.locator("section").filter(
        has=page.get_by_role("heading", name="Timeline", exact=True)
    )
    timeline.get_by_text("Show the timeline").click()  # drawn closed; she opens it once
    expect(timeline).to_contain_text("Created")
    page.get_by_role("link", name="Interim response").click()

    expect(page.get_by_label("Kind")).to_have_value("interim")
    page.get_by_label("Sent to").fill("Office of the Deputy Secretary")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(re.escape(action.get_absolute_url()) + "$"))
    # back on the page, the timeline she had opened is open again, with her response in it
    expect(timeline.locator("details")).to_have_attribute("open", "")
    expect(timeline).to_contain_text("Interim response sent to Office of the Deputy Secretary")
    expect(timeline).to_contain_text(str(alice.person))  # its author


def test_global_search_finds_an_action_and_opens_it(page, alice, password, units):
    action = _action(units, alice, title="Tribal consultation on the river permit")
    _action(units, alice, title="Unrelated budget item")
    sign_in(page, "alice", password)
    search = page.get_by_role("search").get_by_label("Search all records")
    search.fill("consultation")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=consultation"))
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name=re.compile("Unrelated budget item"))).to_have_count(0)
    results.get_by_role("link", name=re.compile("Tribal consultation")).click()
    expect(page).to_have_url(re.compile(rf"{action.get_absolute_url()}$"))


def test_staff_user_is_refused_a_restricted_action_of_another_bureau(
    page, alice, charlie, password, units
):
    hidden = ExecutiveActionFactory(
        title="Sensitive personnel matter",
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        visibility=Visibility.RESTRICTED,
    )
    sign_in(page, "alice", password)
    page.expected_problems = [rf"HTTP 404 .*/{hidden.pk}/"]
    response = page.goto(hidden.get_absolute_url())
    assert response.status == 404
    assert "Sensitive personnel matter" not in page.content()
    response = page.goto(f"{hidden.get_absolute_url()}edit/")
    assert response.status == 404
    page.goto(ACTIONS_LIST)
    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("0 results")


def test_manager_follows_a_dashboard_number_to_the_same_count_of_taskers(page, bob, alice, units):
    from tests.browser.conftest import log_in_as

    past = _today() - datetime.timedelta(days=10)
    for n in range(2):
        _action(
            units,
            alice,
            title=f"Late report {n}",
            status=ActionStatus.IN_PROGRESS,
            issue_date=past - datetime.timedelta(days=20),
            original_due_date=past,
            due_date=past,
        )
    _action(units, alice, title="On track", status=ActionStatus.IN_PROGRESS)
    log_in_as(page.context, bob)
    response = page.goto("/dashboard/")
    if response.status == 404:
        pytest.skip("the dashboard is not there yet")
    tile = page.locator(".ec-tile").filter(has=page.get_by_role("heading", name="Overdue"))
    number = tile.get_by_role("link").first
    expect(number).to_have_text("2")
    number.click()
    expect(page).to_have_url(re.compile(r"/actions/executive-actions/\?"))
    expect(page.get_by_role("status").filter(has_text="result")).to_have_text("2 results")
    expect(page.get_by_role("link", name=re.compile("On track"))).to_have_count(0)


def _as(page, user):
    """Continue the journey as ``user`` in the same browser tab."""
    from tests.browser.conftest import log_in_as

    page.context.clear_cookies()
    log_in_as(page.context, user)


def _status(action):
    action.refresh_from_db()
    return action.status


def test_the_life_of_a_tasker_from_assignment_to_close_out(page, alice, bob, charlie, units):
    """Assign, issue, start, post an update, get an extension, attach the response, submit and
    have the manager close it out: every step through the action page's own buttons."""
    due = _today() + datetime.timedelta(days=20)
    action = _action(units, alice, title="Hurricane season staffing plan", due_date=due)
    _as(page, bob)
    page.goto(action.get_absolute_url())

    # The manager assigns a supporting unit, for information.
    page.get_by_role("link", name="Assign", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assign")
    pick(page, "id_supporting-0-organization_unit", "Office B", "Office B1")
    page.get_by_label("Role (row 1)").select_option(label="Information only")
    page.get_by_role("button", name="Save assignment").click()
    expect(page).to_have_url(re.compile(rf"{action.get_absolute_url()}$"))
    assert action.assignments.get().organization_unit == units["OFF-B1"]

    # … and issues it.
    page.get_by_role("button", name="Issue", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Not started")
    assert _status(action) == ActionStatus.NOT_STARTED

    # The action officer starts and posts a status update.
    _as(page, alice)
    page.goto(action.get_absolute_url())
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("button", name="Submit for review")).to_be_visible()
    assert _status(action) == ActionStatus.IN_PROGRESS
    page.get_by_role("link", name="Post status update").click()
    page.get_by_label("Key accomplishments").fill("Staffing model drafted with the regions.")
    page.get_by_role("button", name="Save").click()
    expect(page).not_to_have_url(re.compile(r"/add/"))
    assert action.status_updates.get().key_accomplishments.startswith("Staffing model")

    # She asks for two more weeks; the manager approves.
    page.goto(action.get_absolute_url())
    page.get_by_role("link", name="Request an extension").click()
    new_due = due + datetime.timedelta(days=14)
    page.get_by_label("Requested due date").fill(new_due.isoformat())
    page.get_by_label("Justification").fill("The regional offices answer after the holidays.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("main")).to_contain_text("Extension requested")
    _as(page, bob)
    page.goto(action.get_absolute_url())
    page.get_by_role("button", name="Approve extension").click()
    expect(page.get_by_role("main")).not_to_contain_text("Extension requested")
    action.refresh_from_db()
    assert action.due_date == new_due

    # She attaches the response and submits it for review.
    _as(page, alice)
    page.goto(action.get_absolute_url())
    page.get_by_label("Title", exact=True).fill("Staffing plan response")
    page.get_by_label("Kind").select_option(label="Response")
    page.get_by_label(re.compile("^File")).set_input_files(
        {"name": "response.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%resp\n"}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="Staffing plan response")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("main")).to_contain_text("Submitted")
    assert _status(action) == ActionStatus.SUBMITTED
    # Staff may not approve their own response.
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    # The manager closes it out.
    _as(page, bob)
    page.goto(action.get_absolute_url())
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Completed")
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED and action.completed_date == _today()


def _tab_to(page, test_js, limit=120):
    """Press Tab until ``test_js`` (a function of the focused element) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {test_js}")


def test_keyboard_only_sign_in_and_create_an_action(page, alice, password, units):
    """The main journey with Tab, typing, Enter and Space only: no mouse click."""
    ExecutiveActionTypeFactory(name="Executive Directive")
    page.goto("/accounts/login/")
    _tab_to(page, "el.id === 'id_username'")
    page.keyboard.type("alice")
    _tab_to(page, "el.id === 'id_password'")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(ACTIONS_LIST)
    _tab_to(page, "el.textContent.trim() === 'Add executive action'")
    # The focused link is visibly marked (WCAG 2.4.7).
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/add/"))

    _tab_to(page, "el.id === 'id_title'")
    page.keyboard.type("Keyboard-made continuity plan")
    _tab_to(page, "el.id === 'id_action_type-ts-control'")
    page.keyboard.type("Direct")
    page.locator("#id_action_type-ts-dropdown .option", has_text="Executive Directive").wait_for()
    page.keyboard.press("ArrowDown")  # from the empty choice to the match, if it is offered
    active = page.locator("#id_action_type-ts-dropdown .option.active")
    if "Executive Directive" not in (active.text_content() or ""):
        page.keyboard.press("ArrowUp")
    expect(active).to_have_text("Executive Directive")
    page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'id_lead_unit-ts-control'")
    page.keyboard.type("Office A")
    page.locator("#id_lead_unit-ts-dropdown .option", has_text="Office A1").wait_for()
    # the empty choice comes first, then the server's answer in its order
    active = page.locator("#id_lead_unit-ts-dropdown .option.active")
    for _ in range(20):  # at most one page of answers
        if "Office A1" in (active.text_content() or ""):
            break
        page.keyboard.press("ArrowDown")
    expect(active).to_contain_text("Office A1")
    page.keyboard.press("Enter")
    _tab_to(page, "el.type === 'submit' && el.textContent.trim() === 'Save'")
    page.keyboard.press("Space")

    expect(page).not_to_have_url(re.compile(r"/add/"))
    action = ExecutiveAction.objects.get(title="Keyboard-made continuity plan")
    assert action.action_type.name == "Executive Directive"
    assert action.lead_unit == units["OFF-A1"]
