"""Process templates and back-planned sub-taskers (issue 16): a template's sub-taskers are each
due their offset in business days before the parent's suspense (weekends and federal holidays
skipped, observed dates included), previewed and editable before they are created, through
the right to add sub-taskers; the parent-suspense rule; shifting the open sub-taskers with
their parent; cancelled sub-taskers out of "n of m"; "due in N business days"."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions import routing, services, templates
from actions.business_days import (
    business_days_between,
    shift_business_days,
    subtract_business_days,
)
from actions.choices import (
    ActionStatus,
    ExtensionStatus,
    Priority,
    RouteStepKind,
    RouteStepState,
    SecurityClassification,
    TemplateSubtaskerRole,
    Visibility,
)
from actions.demo.actions import (
    ExecutiveActionFactory,
    ExecutiveActionTypeFactory,
    ExtensionRequestFactory,
    ProcessTemplateFactory,
    TemplateRouteStepFactory,
    TemplateSubtaskerFactory,
)
from actions.demo.analysis import LegalAuthorityFactory
from actions.demo.partners import AccountFactory
from actions.models import DueDateChange, ExecutiveAction
from execcoord.policy import deny
from execcoord.utils import viewname
from tests.form_support import form_fields

pytestmark = pytest.mark.django_db

D = datetime.date
# "today" of these tests: Tuesday 1 December 2026, agency time
NOW = datetime.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("America/New_York"))
# the parent's suspense: Friday 15 January 2027, the Friday before Martin Luther King Jr. Day
# (Monday 18 January); New Year's Day is Friday 1 January 2027
FRIDAY = D(2027, 1, 15)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


# -- business days --------------------------------------------------------------------------


def test_back_planning_skips_weekends_and_federal_holidays():
    assert subtract_business_days(FRIDAY, 0) == D(2027, 1, 15)
    assert subtract_business_days(FRIDAY, 1) == D(2027, 1, 14)
    assert subtract_business_days(FRIDAY, 5) == D(2027, 1, 8)
    # 14 13 12 11 | 8 7 6 5 4 | (1 Jan: New Year's Day) | Thu 31 Dec 2026
    assert subtract_business_days(FRIDAY, 10) == D(2026, 12, 31)


def test_back_planning_skips_an_observed_holiday():
    # 4 July 2026 is a Saturday: Independence Day is observed on Friday 3 July
    assert subtract_business_days(D(2026, 7, 6), 1) == D(2026, 7, 2)
    # 2028's New Year's Day is a Saturday: observed on Friday 31 December 2027
    assert subtract_business_days(D(2028, 1, 3), 1) == D(2027, 12, 30)


def test_a_move_counts_the_business_days_between():
    assert business_days_between(FRIDAY, D(2027, 1, 22)) == 4  # Monday 18 is MLK Day
    assert business_days_between(D(2027, 1, 22), FRIDAY) == -4
    assert shift_business_days(D(2027, 1, 14), 4) == D(2027, 1, 21)
    assert shift_business_days(D(2027, 1, 21), -4) == D(2027, 1, 14)


# -- a template and a parent ------------------------------------------------------------------


@pytest.fixture
def congressional(units):
    action_type = ExecutiveActionTypeFactory(name="Congressional inquiry")
    template = ProcessTemplateFactory(name="Congressional inquiry", action_type=action_type)
    rows = [
        ("{parent.title}: draft response", units["OFF-A1"], TemplateSubtaskerRole.DRAFT, 10),
        ("{parent.title}: legal review", units["BUR-B"], TemplateSubtaskerRole.REVIEW, 5),
        ("{parent.number} clearance", units["BUR-A"], TemplateSubtaskerRole.REVIEW, 1),
    ]
    for position, (pattern, unit, role, offset) in enumerate(rows, 1):
        TemplateSubtaskerFactory(
            template=template,
            position=position,
            title_pattern=pattern,
            organization_unit=unit,
            role=role,
            offset_business_days=offset,
        )
    TemplateRouteStepFactory(
        template=template, position=1, kind=RouteStepKind.SIGN, organization_unit=units["BUR-A"]
    )
    return template


@pytest.fixture
def parent(units, alice, congressional):
    return ExecutiveActionFactory(
        title="Senator's letter on wait times",
        action_type=congressional.action_type,
        status=ActionStatus.IN_PROGRESS,
        priority=Priority.HIGH,
        visibility=Visibility.RESTRICTED,
        security_classification=SecurityClassification.CUI,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=FRIDAY,
        legal_authorities=[LegalAuthorityFactory(name="Privacy Act of 1974")],
        partners=[AccountFactory(name="Office of Personnel Management")],
    )


def apply_url(action, template=None):
    url = reverse("actions:executiveaction_apply_template", args=[action.pk])
    return f"{url}?template={template.pk}" if template else url


def test_the_plan_back_plans_each_row_from_the_parents_suspense(parent, congressional):
    rows = templates.plan(congressional, parent)
    assert [(r.title, r.due_date) for r in rows] == [
        ("Senator's letter on wait times: draft response", D(2026, 12, 31)),
        ("Senator's letter on wait times: legal review", D(2027, 1, 8)),
        (f"{parent.number} clearance", D(2027, 1, 14)),
    ]


def test_a_title_pattern_takes_only_the_known_placeholders():
    row = TemplateSubtaskerFactory.build(title_pattern="{parent.__class__}: review")
    with pytest.raises(Exception, match="Unknown placeholder"):
        row.clean()


def test_applying_through_the_preview_creates_the_back_planned_sub_taskers(
    client, alice, parent, congressional
):
    client.force_login(alice)
    page = client.get(apply_url(parent, congressional))
    assert page.status_code == 200
    data = form_fields(page.content)
    assert data["rows-0-due_date"] == "2026-12-31"
    assert data["rows-1-due_date"] == "2027-01-08"
    assert data["rows-2-due_date"] == "2027-01-14"
    version = parent.version

    response = client.post(apply_url(parent), data)

    assert response.status_code == 302
    children = list(parent.children.order_by("due_date"))
    assert [(c.title, c.due_date, c.lead_unit.code) for c in children] == [
        ("Senator's letter on wait times: draft response", D(2026, 12, 31), "OFF-A1"),
        ("Senator's letter on wait times: legal review", D(2027, 1, 8), "BUR-B"),
        (f"{parent.number} clearance", D(2027, 1, 14), "BUR-A"),
    ]
    parent.refresh_from_db()
    assert parent.version == version + 1  # a preview opened before is now stale
    assert parent.history.first().history_change_reason.startswith(
        "Process template “Congressional inquiry” applied: 3"
    )
    for child in children:  # inherited from the parent
        assert child.status == ActionStatus.DRAFT
        assert (child.action_type_id, child.priority) == (parent.action_type_id, Priority.HIGH)
        assert child.visibility == Visibility.RESTRICTED
        assert child.security_classification == SecurityClassification.CUI
        assert [a.name for a in child.legal_authorities.all()] == ["Privacy Act of 1974"]
        assert [a.name for a in child.partners.all()] == ["Office of Personnel Management"]
        assert child.history.first().history_user_id == alice.pk


def test_the_preview_edits_are_honoured(client, alice, parent, congressional, units):
    client.force_login(alice)
    data = form_fields(client.get(apply_url(parent, congressional)).content)
    data["rows-0-title"] = "Draft the reply to the Senator"
    data["rows-0-due_date"] = "2027-01-04"
    data["rows-0-organization_unit"] = str(units["OFF-B1"].pk)
    data.pop("rows-1-include")  # left out

    assert client.post(apply_url(parent), data).status_code == 302

    children = list(parent.children.order_by("due_date"))
    assert [(c.title, c.due_date, c.lead_unit.code) for c in children] == [
        ("Draft the reply to the Senator", D(2027, 1, 4), "OFF-B1"),
        (f"{parent.number} clearance", D(2027, 1, 14), "BUR-A"),
    ]


def test_a_row_due_after_the_parent_is_refused_and_nothing_is_created(
    client, alice, parent, congressional
):
    client.force_login(alice)
    data = form_fields(client.get(apply_url(parent, congressional)).content)
    data["rows-2-due_date"] = "2027-01-19"

    response = client.post(apply_url(parent), data)

    assert response.status_code == 200
    text = response.content.decode()
    assert "after the parent&#x27;s suspense" in text or "after the parent's suspense" in text
    assert not parent.children.exists()


def test_a_preview_opened_before_a_change_of_the_parent_is_refused(
    client, alice, parent, congressional
):
    client.force_login(alice)
    data = form_fields(client.get(apply_url(parent, congressional)).content)
    services.change_due_date(parent, D(2027, 1, 22), alice, "Extended by the committee")

    response = client.post(apply_url(parent), data)

    assert response.status_code == 409
    assert "since this preview was opened" in response.content.decode()
    assert not parent.children.exists()
    # the page came back at the current version: sent again, it applies
    again = form_fields(response.content)
    assert client.post(apply_url(parent), again).status_code == 302
    assert parent.children.count() == 3


def test_the_same_preview_sent_twice_applies_once(client, alice, parent, congressional):
    client.force_login(alice)
    data = form_fields(client.get(apply_url(parent, congressional)).content)
    assert client.post(apply_url(parent), data).status_code == 302
    assert client.post(apply_url(parent), data).status_code == 302
    assert parent.children.count() == 3


@pytest.mark.parametrize("who", ["charlie", "viewer"])
def test_a_user_who_may_not_add_sub_taskers_cannot_apply_a_template(
    client, request, who, parent, congressional, alice
):
    user = request.getfixturevalue(who)
    parent.visibility = Visibility.INTERNAL
    parent.security_classification = SecurityClassification.UNCLASSIFIED
    parent.save()
    client.force_login(alice)
    data = form_fields(client.get(apply_url(parent, congressional)).content)
    client.force_login(user)

    assert client.get(apply_url(parent, congressional)).status_code == 403
    assert client.post(apply_url(parent), data).status_code == 403
    page = client.get(parent.get_absolute_url()).content.decode()
    assert "Apply template" not in page
    rows = templates.plan(congressional, parent)
    with pytest.raises(templates.TemplateRefused):
        templates.apply_template(congressional, parent, user, rows, seen_version=parent.version)
    assert not parent.children.exists()


def test_a_hidden_tasker_answers_404(client, charlie, parent, congressional):
    client.force_login(charlie)  # the parent is restricted to BUR-A's people
    assert client.get(apply_url(parent, congressional)).status_code == 404


def test_the_tasker_page_offers_the_template_to_those_who_may_add_sub_taskers(
    client, alice, parent
):
    client.force_login(alice)
    assert "Apply template" in client.get(parent.get_absolute_url()).content.decode()


def test_choosing_a_template_on_the_create_form_leads_to_its_preview(
    client, alice, congressional, units
):
    client.force_login(alice)
    add = reverse(viewname(ExecutiveAction, "add"))
    data = form_fields(client.get(add).content)
    data.update(
        title="Representative's question on staffing",
        action_type=str(congressional.action_type_id),
        process_template=str(congressional.pk),
        due_date="2027-01-15",
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ExecutiveAction.objects.get(title="Representative's question on staffing")
    assert response.url == apply_url(created, congressional)
    preview = form_fields(client.get(response.url).content)
    assert preview["rows-0-due_date"] == "2026-12-31"


def test_a_template_of_another_type_is_refused_on_the_create_form(client, alice, congressional):
    client.force_login(alice)
    add = reverse(viewname(ExecutiveAction, "add"))
    data = form_fields(client.get(add).content)
    other = ExecutiveActionTypeFactory(name="Policy directive")
    data.update(
        title="A directive", action_type=str(other.pk), process_template=str(congressional.pk)
    )
    response = client.post(add, data)
    assert response.status_code == 200
    assert "is a template for Congressional inquiry" in response.content.decode()
    assert not ExecutiveAction.objects.filter(title="A directive").exists()


def test_applying_a_template_starts_its_route_once(alice, parent, congressional, units):
    rows = templates.plan(congressional, parent)
    templates.apply_template(congressional, parent, alice, rows, seen_version=parent.version)

    steps = routing.steps_of(parent)
    assert [(s.position, s.kind, s.organization_unit) for s in steps] == [
        (1, RouteStepKind.SIGN, units["BUR-A"])
    ]
    assert [s.state for s in routing.current_steps(steps)] == [RouteStepState.CURRENT]

    parent.refresh_from_db()  # applied again: the tasker keeps the route it has
    rows = templates.plan(congressional, parent)
    templates.apply_template(congressional, parent, alice, rows, seen_version=parent.version)
    assert len(routing.steps_of(parent)) == 1


def test_a_template_route_is_refused_with_the_template_for_one_who_may_not_route(
    monkeypatch, alice, parent, congressional
):
    monkeypatch.setattr(
        templates.policy, "may_manage_route", lambda user, action: deny("Not your route.")
    )
    rows = templates.plan(congressional, parent)
    with pytest.raises(templates.TemplateRefused, match="Not your route."):
        templates.apply_template(congressional, parent, alice, rows, seen_version=parent.version)
    assert not parent.children.exists() and not routing.steps_of(parent)


# -- the template's own pages -----------------------------------------------------------------


def test_an_administrator_edits_the_rows_on_the_templates_page(
    client, administrator, congressional, units
):
    client.force_login(administrator)
    url = reverse(viewname(congressional, "edit"), args=[congressional.pk])
    data = form_fields(client.get(url).content)
    data["subtaskers-0-offset_business_days"] = "12"
    data["subtaskers-3-title_pattern"] = "{parent.title}: budget input"
    data["subtaskers-3-organization_unit"] = str(units["OFF-B1"].pk)
    data["subtaskers-3-role"] = TemplateSubtaskerRole.INPUT
    data["subtaskers-3-offset_business_days"] = "3"
    data["subtaskers-3-position"] = "4"
    data["route_steps-1-kind"] = RouteStepKind.APPROVE
    data["route_steps-1-organization_unit"] = str(units["AGENCY"].pk)
    data["route_steps-1-position"] = "2"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    rows = list(congressional.subtaskers.order_by("position"))
    assert [r.offset_business_days for r in rows] == [12, 5, 1, 3]
    assert rows[3].title_pattern == "{parent.title}: budget input"
    assert rows[3].history.first().history_user_id == administrator.pk
    assert [s.kind for s in congressional.route_steps.order_by("position")] == ["sign", "approve"]


def test_staff_may_read_templates_but_not_change_them(client, alice, congressional):
    client.force_login(alice)
    assert client.get(congressional.get_absolute_url()).status_code == 200
    url = reverse(viewname(congressional, "edit"), args=[congressional.pk])
    assert client.get(url).status_code == 403


def test_the_admin_edits_a_templates_rows_inline(admin_client, congressional):
    url = reverse("admin:actions_processtemplate_change", args=[congressional.pk])
    page = admin_client.get(url).content.decode()
    assert "subtaskers-0-title_pattern" in page
    assert "route_steps-0-kind" in page


# -- the sub-tasker rules -----------------------------------------------------------------------


def add_subtasker(client, parent, **values):
    add = reverse(viewname(ExecutiveAction, "add"))
    data = form_fields(client.get(f"{add}?parent={parent.pk}").content)
    data.update(values)
    return client.post(f"{add}?parent={parent.pk}", data)


def test_a_sub_tasker_due_after_its_parent_needs_a_reason(client, alice, parent):
    client.force_login(alice)
    refused = add_subtasker(client, parent, title="Late input", due_date="2027-01-19")
    assert refused.status_code == 200
    assert "say why, or choose an earlier date" in refused.content.decode()
    assert not parent.children.exists()

    saved = add_subtasker(
        client,
        parent,
        title="Late input",
        due_date="2027-01-19",
        late_suspense_reason="The committee's data arrives on the 19th",
    )

    assert saved.status_code == 302
    child = parent.children.get()
    assert child.late_suspense_reason == "The committee's data arrives on the 19th"
    assert child.history.first().late_suspense_reason == child.late_suspense_reason
    page = client.get(child.get_absolute_url()).content.decode()
    assert "The committee&#x27;s data arrives on the 19th" in page


def test_every_full_clean_asks_the_parent_suspense_rule(parent):
    """Not only the form: an import (which saves through ``full_clean``) moving a sub-tasker
    past its parent's suspense is refused without a reason."""
    child = ExecutiveActionFactory(
        parent=parent, lead_unit=parent.lead_unit, due_date=parent.due_date
    )
    child = ExecutiveAction.objects.get(pk=child.pk)  # as read: its stored date is known
    child.due_date = datetime.date(2027, 1, 19)
    with pytest.raises(ValidationError, match="say why, or choose an earlier date"):
        child.full_clean()
    child.late_suspense_reason = "The data arrives on the 19th"
    child.full_clean()  # with its reason it may


def test_a_sub_tasker_keeps_what_was_changed_before_saving(client, alice, parent):
    client.force_login(alice)
    response = add_subtasker(
        client, parent, title="Quick check", due_date="2027-01-12", priority=Priority.LOW
    )
    assert response.status_code == 302
    child = parent.children.get()
    assert child.priority == Priority.LOW  # pre-filled with the parent's, changed
    assert child.security_classification == SecurityClassification.CUI  # inherited


@pytest.fixture
def family(parent, units):
    def child(title, due, status):
        return ExecutiveActionFactory(
            title=title, parent=parent, due_date=due, status=status, lead_unit=units["BUR-A"]
        )

    return {
        "a": child("Draft", D(2027, 1, 8), ActionStatus.IN_PROGRESS),
        "b": child("Review", D(2027, 1, 14), ActionStatus.NOT_STARTED),
        "cancelled": child("Dropped", D(2027, 1, 11), ActionStatus.CANCELLED),
        "done": child("Done", D(2027, 1, 7), ActionStatus.COMPLETED),
    }


def move_parent(client, parent, new_date):
    edit = reverse(viewname(parent, "edit"), args=[parent.pk])
    data = form_fields(client.get(edit).content)
    data.update(due_date=new_date, due_date_change_reason="The committee gave a week more")
    return client.post(edit, data)


def test_moving_a_parents_suspense_offers_to_shift_the_open_sub_taskers(
    client, bob, parent, family
):
    client.force_login(bob)
    response = move_parent(client, parent, "2027-01-22")
    shift = reverse("actions:executiveaction_shift_subtaskers", args=[parent.pk])
    assert response.status_code == 302 and response.url == shift
    page = client.get(shift)
    text = page.content.decode()
    assert "4 business days later" in text
    assert "Draft" in text and "Review" in text
    assert "Dropped" not in text and "Done" not in text

    assert client.post(shift, form_fields(page.content)).status_code == 302

    for key in family.values():
        key.refresh_from_db()
    assert family["a"].due_date == D(2027, 1, 14)  # Fri 8 + 4 business days
    assert family["b"].due_date == D(2027, 1, 21)  # Thu 14 + 4, over MLK Day
    assert family["cancelled"].due_date == D(2027, 1, 11)
    assert family["done"].due_date == D(2027, 1, 7)
    reason = "Suspense moved 4 business days later with the tasker above it"
    assert family["a"].history.first().history_change_reason == reason
    assert family["a"].history.first().history_user_id == bob.pk
    change = DueDateChange.objects.get(action=family["b"])
    assert (change.old_due_date, change.new_due_date, change.reason) == (
        D(2027, 1, 14),
        D(2027, 1, 21),
        reason,
    )


def test_an_approved_extension_offers_to_shift_the_open_sub_taskers(client, bob, parent, family):
    extension = ExtensionRequestFactory(
        action=parent,
        current_due_date=FRIDAY,
        requested_due_date=D(2027, 1, 22),
        status=ExtensionStatus.PENDING,
    )
    client.force_login(bob)
    response = client.post(
        reverse("actions:extensionrequest_decide", args=[extension.pk]),
        {"decision": "approve", "comment": "Agreed."},
    )
    assert response.url == reverse("actions:executiveaction_shift_subtaskers", args=[parent.pk])
    assert "4 business days later" in client.get(response.url).content.decode()


def test_a_sub_tasker_changed_since_the_page_was_opened_refuses_the_shift(
    client, bob, parent, family
):
    client.force_login(bob)
    move_parent(client, parent, "2027-01-22")
    shift = reverse("actions:executiveaction_shift_subtaskers", args=[parent.pk])
    data = form_fields(client.get(shift).content)
    family["a"].title = "Draft, renamed meanwhile"
    family["a"].save()

    response = client.post(shift, data)

    assert response.status_code == 409
    assert "Changed by someone else" in response.content.decode()
    for key in ("a", "b"):
        family[key].refresh_from_db()
    assert (family["a"].due_date, family["b"].due_date) == (D(2027, 1, 8), D(2027, 1, 14))


def test_staff_who_may_not_move_the_sub_taskers_suspense_are_refused(client, alice, parent, family):
    client.force_login(alice)  # lead staff: they ask for an extension instead
    shift = reverse("actions:executiveaction_shift_subtaskers", args=[parent.pk])
    assert client.get(shift).status_code == 403


def test_cancelled_sub_taskers_do_not_count_in_n_of_m(client, alice, parent, family):
    counted = ExecutiveAction.objects.with_child_counts().get(pk=parent.pk)
    assert (counted.child_completed, counted.child_total) == (1, 3)
    assert services.rollup(parent)[:2] == (3, 1)
    client.force_login(alice)
    page = client.get(parent.get_absolute_url()).content.decode()
    assert "sub-taskers 1 of 3 completed" in page


# -- due in N business days --------------------------------------------------------------------


def test_due_in_business_days_sets_the_date_with_the_holiday_calendar(client, alice, units):
    client.force_login(alice)
    add = reverse(viewname(ExecutiveAction, "add"))
    page = client.get(add).content.decode()
    assert 'data-business-days-target="id_due_date"' in page
    assert "2026-12-25" in page and "2027-01-01" in page  # the holidays the script skips
    data = form_fields(page)
    data.update(
        title="Count the days",
        action_type=str(ExecutiveActionTypeFactory().pk),
        due_date="",
        due_in_business_days="18",
    )
    assert client.post(add, data).status_code == 302
    # Tue 1 Dec 2026 + 18 business days: Christmas Day (Fri 25) skipped → Mon 28 Dec
    assert ExecutiveAction.objects.get(title="Count the days").due_date == D(2026, 12, 28)
