"""Models and services of the actions app: fields, constraints, deletion rules, derived values,
the status machine, creation defaults, roll-up, due-date changes and the admin's status check."""

import datetime
import itertools

import factory.random
import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import ProtectedError
from django.test import RequestFactory

from actions import services
from actions.choices import (
    ActionCategory,
    ActionStatus,
    ExtensionStatus,
    Health,
    Priority,
    SecurityClassification,
    Visibility,
)
from actions.demo.actions import (
    ActionNumberSequenceFactory,
    AssignmentFactory,
    AttachmentFactory,
    CalendarFeedTokenFactory,
    DecisionLogEntryFactory,
    DependencyFactory,
    DueDateChangeFactory,
    ExecutiveActionFactory,
    ExecutiveActionTypeFactory,
    ExtensionRequestFactory,
    ReminderLogFactory,
    StatusUpdateFactory,
    TagFactory,
)
from actions.demo.analysis import ImpactFactory, LegalAuthorityFactory, RiskItemFactory
from actions.demo.partners import OrganizationUnitFactory, PersonFactory, UserFactory
from actions.models import (
    ActionNumberSequence,
    Assignment,
    Attachment,
    CalendarFeedToken,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExecutiveAction,
    ExtensionRequest,
    ReminderLog,
    StatusUpdate,
)
from actions.services import TRANSITIONS, TransitionError
from partners.access import ROLE_MANAGER
from tests.conftest import assert_database_refuses, make_user
from tests.workflow_support import action_in, expected, snapshot

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)
S = ActionStatus


def errors_of(obj):
    """The ``message_dict`` of ``obj.full_clean()`` ({} when valid)."""
    try:
        obj.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def all_messages(obj):
    return list(itertools.chain.from_iterable(errors_of(obj).values()))


# --- every model saves, validates and round-trips -------------------------------------------


@pytest.mark.parametrize(
    "factory_class",
    [
        ExecutiveActionTypeFactory,
        TagFactory,
        ExecutiveActionFactory,
        AssignmentFactory,
        StatusUpdateFactory,
        DecisionLogEntryFactory,
        DependencyFactory,
        ExtensionRequestFactory,
        DueDateChangeFactory,
        AttachmentFactory,
        ActionNumberSequenceFactory,
        CalendarFeedTokenFactory,
        ReminderLogFactory,
    ],
)
def test_factory_record_is_valid_and_round_trips(factory_class):
    obj = factory_class()
    assert errors_of(obj) == {}
    again = type(obj).objects.get(pk=obj.pk)
    for field in type(obj)._meta.concrete_fields:
        assert getattr(again, field.attname) == getattr(obj, field.attname), field.name
    assert str(again) == str(obj) and str(obj)


def test_factories_are_deterministic_when_seeded():
    """Seeded, and from the same place in each factory's sequence, a build is the same."""
    factory.random.reseed_random(7)
    ExecutiveActionFactory.reset_sequence(0)
    first = ExecutiveActionFactory.build()
    factory.random.reseed_random(7)
    ExecutiveActionFactory.reset_sequence(0)
    again = ExecutiveActionFactory.build()
    assert (again.title, again.description) == (first.title, first.description)


def test_action_str_is_number_and_title():
    action = ExecutiveActionFactory(title="Inventory AI use cases")
    assert str(action) == f"{action.number} — Inventory AI use cases"


def test_satellite_str_does_not_read_the_action(django_assert_num_queries):
    update = StatusUpdateFactory(status_date=datetime.date(2026, 11, 20))
    fresh = StatusUpdate.objects.get(pk=update.pk)
    with django_assert_num_queries(0):
        assert str(fresh) == "Status update 20 Nov 2026"


def test_action_m2m_links_round_trip():
    tag = TagFactory(name="OMB")
    authority = LegalAuthorityFactory()
    action = ExecutiveActionFactory(tags=[tag], legal_authorities=[authority])
    assert list(ExecutiveAction.objects.filter(tags__name="OMB")) == [action]
    assert list(authority.actions.all()) == [action]


def test_version_grows_on_every_save():
    action = ExecutiveActionFactory()
    assert action.version == 1
    action.title = "Changed"
    action.save()
    action.save(update_fields=["title"])
    assert ExecutiveAction.objects.get(pk=action.pk).version == 3


def test_history_records_changes():
    action = ExecutiveActionFactory(title="First")
    action.title = "Second"
    action.save()
    assert [h.title for h in action.history.order_by("history_date")] == ["First", "Second"]


# --- constraints ---------------------------------------------------------------------------


def test_duplicate_number_is_refused():
    first = ExecutiveActionFactory()
    second = ExecutiveActionFactory.build(
        action_type=first.action_type,
        lead_unit=first.lead_unit,
        accountable_person=first.accountable_person,
    )
    second.number = first.number
    assert "An action with this number already exists." in all_messages(second)
    assert_database_refuses(second)


def test_completed_before_issue_is_refused():
    action = ExecutiveActionFactory(issue_date=datetime.date(2026, 3, 10))
    action.completed_date = datetime.date(2026, 3, 9)
    assert "The completion date cannot be before the issue date." in all_messages(action)
    assert_database_refuses(action)


def test_action_cannot_be_its_own_parent():
    action = ExecutiveActionFactory()
    action.parent = action
    assert "An action cannot be its own parent." in all_messages(action)
    assert_database_refuses(action)


def test_parent_cycle_is_refused():
    top = ExecutiveActionFactory()
    middle = ExecutiveActionFactory(parent=top)
    bottom = ExecutiveActionFactory(parent=middle)
    top.parent = bottom
    assert errors_of(top)["parent"] == ["This parent would make the action a sub-tasker of itself."]


@pytest.mark.parametrize("value", [-1, 101])
def test_action_percent_outside_0_100_is_refused(value):
    action = ExecutiveActionFactory()
    action.percent_complete = value
    assert "percent_complete" in errors_of(action)
    if value > 0:  # a negative value is refused by the unsigned column itself
        assert_database_refuses(action)


def test_status_update_percent_above_100_is_refused():
    update = StatusUpdateFactory.build(action=ExecutiveActionFactory(), percent_complete=150)
    assert "percent_complete" in errors_of(update)
    assert_database_refuses(update)


def test_status_update_period_must_not_end_before_it_starts():
    update = StatusUpdateFactory.build(
        action=ExecutiveActionFactory(),
        reporting_period_start=datetime.date(2026, 3, 10),
        reporting_period_end=datetime.date(2026, 3, 1),
    )
    assert "The reporting period cannot end before it starts." in all_messages(update)


def test_classification_above_the_installation_cap_is_refused(settings):
    settings.MAX_SECURITY_CLASSIFICATION = "cui"
    action = ExecutiveActionFactory.build(
        action_type=ExecutiveActionTypeFactory(),
        lead_unit=None,
        accountable_person=None,
        security_classification=SecurityClassification.SECRET,
    )
    message = errors_of(action)["security_classification"][0]
    assert "Controlled Unclassified Information (CUI)" in message
    assert "Secret is not allowed" in message
    settings.MAX_SECURITY_CLASSIFICATION = "top_secret"
    assert "security_classification" not in errors_of(action)


def test_start_date_after_due_date_is_refused():
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 4, 1))
    action.start_date = datetime.date(2026, 4, 2)
    assert "start_date" in errors_of(action)


def test_dependency_on_itself_is_refused():
    action = ExecutiveActionFactory()
    link = Dependency(predecessor=action, successor=action)
    assert "An action cannot depend on itself." in all_messages(link)
    assert_database_refuses(link)


def test_duplicate_dependency_is_refused():
    link = DependencyFactory()
    again = Dependency(predecessor=link.predecessor, successor=link.successor)
    assert "These two actions are already linked." in all_messages(again)


def test_dependency_cycle_is_refused():
    a, b, c = ExecutiveActionFactory.create_batch(3)
    DependencyFactory(predecessor=a, successor=b)
    DependencyFactory(predecessor=b, successor=c)
    closing = Dependency(predecessor=c, successor=a)
    assert "would make a loop" in errors_of(closing)["successor"][0]
    assert errors_of(Dependency(predecessor=a, successor=c)) == {}


def test_same_unit_cannot_be_assigned_twice():
    assignment = AssignmentFactory()
    again = Assignment(action=assignment.action, organization_unit=assignment.organization_unit)
    assert "This unit is already assigned to the action." in all_messages(again)
    assert_database_refuses(again)


def test_assignment_due_after_the_action_needs_permission():
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 5, 1))
    assignment = AssignmentFactory.build(
        action=action,
        organization_unit=OrganizationUnitFactory(),
        person=None,
        due_date=datetime.date(2026, 5, 2),
    )
    assert "1 May 2026" in errors_of(assignment)["due_date"][0]
    assignment.allow_later_due_date = True
    assert errors_of(assignment) == {}


@pytest.mark.parametrize("days", [0, -3])
def test_extension_must_ask_for_a_later_date(days):
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 5, 1))
    request = ExtensionRequestFactory.build(
        action=action,
        requested_by=None,
        current_due_date=action.due_date,
        requested_due_date=action.due_date + datetime.timedelta(days=days),
    )
    assert "The requested due date must be after the current due date." in all_messages(request)
    assert_database_refuses(request)


def test_only_one_pending_extension_per_action():
    first = ExtensionRequestFactory()
    second = ExtensionRequestFactory.build(action=first.action, requested_by=None)
    assert "This action already has a pending extension request." in all_messages(second)
    assert_database_refuses(second)
    first.status = ExtensionStatus.DENIED
    first.save()
    assert errors_of(second) == {}


def test_attachment_of_a_disallowed_type_is_refused():
    attachment = AttachmentFactory.build(
        action=ExecutiveActionFactory(),
        uploaded_by=None,
        file=ContentFile(b"MZ", name="tool.exe"),
    )
    assert "not accepted" in errors_of(attachment)["file"][0]


def test_attachment_records_its_size():
    attachment = AttachmentFactory()
    assert attachment.size == len(b"%PDF-1.4\n% test memo\n")


# --- deletion rules --------------------------------------------------------------------------


def test_deleting_a_type_in_use_is_refused_and_no_action_disappears():
    action = ExecutiveActionFactory()
    with pytest.raises(ProtectedError):
        action.action_type.delete()
    assert ExecutiveAction.objects.filter(pk=action.pk).exists()


def test_deleting_a_lead_unit_in_use_is_refused_and_no_action_disappears():
    action = ExecutiveActionFactory(accountable_person=None)
    with pytest.raises(ProtectedError):
        action.lead_unit.delete()
    assert ExecutiveAction.objects.filter(pk=action.pk).exists()


def test_deleting_an_assigned_unit_is_refused():
    assignment = AssignmentFactory(person=None)
    with pytest.raises(ProtectedError):
        assignment.organization_unit.delete()


def test_deleting_a_parent_with_sub_taskers_is_refused():
    child = ExecutiveActionFactory(parent=ExecutiveActionFactory())
    with pytest.raises(ProtectedError):
        child.parent.delete()


def test_deleting_a_descriptive_link_keeps_the_action():
    authority = LegalAuthorityFactory()
    sponsor = PersonFactory()
    action = ExecutiveActionFactory(source_legal_authority=authority, executive_sponsor=sponsor)
    authority.delete()
    sponsor.delete()
    action.refresh_from_db()
    assert action.source_legal_authority is None and action.executive_sponsor is None


def test_deleting_an_action_deletes_its_satellites():
    action = ExecutiveActionFactory()
    AssignmentFactory(action=action)
    StatusUpdateFactory(action=action)
    DecisionLogEntryFactory(action=action)
    DependencyFactory(predecessor=action)
    ExtensionRequestFactory(action=action)
    DueDateChangeFactory(action=action)
    AttachmentFactory(action=action)
    action.delete()
    for model in (
        Assignment,
        StatusUpdate,
        DecisionLogEntry,
        ExtensionRequest,
        DueDateChange,
        Attachment,
    ):
        assert not model.objects.filter(action_id=action.pk).exists(), model
    assert not Dependency.objects.filter(predecessor_id=action.pk).exists()


def test_support_rows_follow_their_owner():
    token = CalendarFeedTokenFactory()
    log = ReminderLogFactory()
    token.user.delete()
    log.person.delete()
    assert not CalendarFeedToken.objects.exists() and not ReminderLog.objects.exists()


def test_reminder_is_logged_once_a_person_day_and_kind():
    log = ReminderLogFactory()
    again = ReminderLog(person=log.person, date=log.date, kind=log.kind)
    assert "This reminder was already sent to this person today." in all_messages(again)


def test_calendar_token_is_unguessable_and_rotates():
    token = CalendarFeedTokenFactory()
    old = token.token
    assert len(old) >= 40
    token.revoke()
    assert not token.is_active
    token.rotate()
    assert token.is_active and token.token != old
    assert old not in str(token)


# --- derived values and named subsets --------------------------------------------------------


def test_overdue_and_on_time(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 12, 0), tick=False)
    late = ExecutiveActionFactory(in_progress=True, due_date=datetime.date(2026, 3, 6))
    assert late.is_overdue and late.days_overdue == 10
    done = ExecutiveActionFactory(
        status=S.COMPLETED,
        issue_date=datetime.date(2026, 2, 1),
        completed_date=datetime.date(2026, 3, 10),
        original_due_date=datetime.date(2026, 3, 1),
        due_date=datetime.date(2026, 3, 20),
    )
    assert not done.is_overdue and done.days_overdue == 0 and done.is_final
    assert done.completed_on_time is True
    assert done.completed_on_time_original is False
    assert late.completed_on_time is None


def test_open_overdue_and_due_within_querysets():
    overdue = ExecutiveActionFactory(in_progress=True, due_date=TODAY - datetime.timedelta(1))
    due_today = ExecutiveActionFactory(issued=True, due_date=TODAY)
    due_in_7 = ExecutiveActionFactory(issued=True, due_date=TODAY + datetime.timedelta(7))
    due_in_8 = ExecutiveActionFactory(issued=True, due_date=TODAY + datetime.timedelta(8))
    closed_late = ExecutiveActionFactory(status=S.CANCELLED, due_date=TODAY - datetime.timedelta(5))
    qs = ExecutiveAction.objects
    assert closed_late not in qs.open()
    assert set(qs.overdue(today=TODAY)) == {overdue}
    assert set(qs.due_within(7, today=TODAY)) == {due_today, due_in_7}
    assert due_in_8 in qs.open()


def test_child_counts_annotation():
    parent = ExecutiveActionFactory()
    ExecutiveActionFactory(parent=parent, completed=True)
    ExecutiveActionFactory(parent=parent, in_progress=True)
    row = ExecutiveAction.objects.with_child_counts().get(pk=parent.pk)
    assert (row.child_total, row.child_completed) == (2, 1)


# --- creation with the type's defaults --------------------------------------------------------


def test_create_action_takes_the_types_defaults(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 12, 0), tick=False)
    action_type = ExecutiveActionTypeFactory(
        category=ActionCategory.REGULATORY,
        default_priority=Priority.HIGH,
        default_days_to_due=10,
        number_prefix="REG",
    )
    tag = TagFactory(name="audit")
    action = services.create_action(
        title="Review draft rule", action_type=action_type, tags=[tag], user=UserFactory()
    )
    assert action.category == ActionCategory.REGULATORY
    assert action.priority == Priority.HIGH
    # ten business days from Monday 16 March: the weekends are skipped
    assert action.due_date == datetime.date(2026, 3, 30)
    assert action.number == "REG-2026-00001"
    assert list(action.tags.all()) == [tag]
    reasons = list(action.history.order_by("history_id").values_list("history_change_reason"))
    assert reasons == [("Created",), ("Linked tags: audit",)]


def test_create_action_keeps_explicit_values_and_validates():
    action_type = ExecutiveActionTypeFactory(default_priority=Priority.HIGH)
    action = services.create_action(
        title="Low", action_type=action_type, priority=Priority.LOW, due_date=TODAY
    )
    assert (action.priority, action.due_date) == (Priority.LOW, TODAY)
    with pytest.raises(ValidationError):
        services.create_action(title="", action_type=action_type)


# --- the status machine ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(ActionStatus.values, repeat=2))
)
def test_transition_table(source, target):
    """Every pair: allowed moves succeed, all others raise and leave the row unchanged."""
    action = action_in(source, response=False)
    user = make_user(role=ROLE_MANAGER)
    before = snapshot(action)
    if expected(source, target):
        services.transition(action, target, user, strict=False)
        assert ExecutiveAction.objects.get(pk=action.pk).status == target
    else:
        with pytest.raises(TransitionError):
            services.transition(action, target, user, strict=False)
        assert snapshot(action) == before


def test_every_transition_has_a_verb():
    labels = {row.label for row in TRANSITIONS.values()}
    assert labels == {
        "Issue",
        "Start",
        "Put on hold",
        "Resume",
        "Submit for review",
        "Approve",
        "Return",
        "Cancel",
        "Reopen",
    }


def test_issue_sets_issue_date_and_original_due_date(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 12, 0), tick=False)
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 4, 30))
    user = UserFactory()
    services.transition(action, S.NOT_STARTED, user, comment="Issued by the ExecSec", strict=False)
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.issue_date == datetime.date(2026, 3, 16)
    assert stored.original_due_date == datetime.date(2026, 4, 30)
    latest = stored.history.order_by("-history_id").first()
    assert latest.history_user == user
    assert latest.history_change_reason == "Issued by the ExecSec"


def test_issue_names_the_missing_responsibility_fields():
    action = ExecutiveActionFactory(lead_unit=None, accountable_person=None, due_date=None)
    problems = services.check_transition(action, S.NOT_STARTED, strict=False)
    assert problems == ["Set the lead unit and due date before issuing."]


def test_issue_needs_a_lead_office_not_an_individual(units):
    """A secretariat tasks an office; the office's manager names the action officer later."""
    action = ExecutiveActionFactory(
        lead_unit=units["OFF-A1"], accountable_person=None, due_date=datetime.date(2027, 1, 15)
    )
    assert services.check_transition(action, S.NOT_STARTED, strict=False) == []
    services.transition(action, S.NOT_STARTED, None, strict=False)
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.status == S.NOT_STARTED
    assert stored.accountable_person_id is None


@pytest.mark.parametrize(
    ("flag", "what", "source_field", "m2m", "make"),
    [
        (
            "requires_legal_authority",
            "a legal authority",
            "source_legal_authority",
            "legal_authorities",
            LegalAuthorityFactory,
        ),
        (
            "requires_impact_assessment",
            "an impact assessment",
            "source_impact",
            "impacts",
            ImpactFactory,
        ),
        (
            "requires_risk_assessment",
            "a risk assessment",
            "source_risk_item",
            "risk_items",
            RiskItemFactory,
        ),
    ],
)
def test_type_requirements_name_what_is_missing(flag, what, source_field, m2m, make):
    action_type = ExecutiveActionTypeFactory(name="Executive Directive", **{flag: True})
    action = ExecutiveActionFactory(action_type=action_type)
    with pytest.raises(TransitionError) as refused:
        services.transition(action, S.NOT_STARTED, UserFactory(), strict=False)
    assert str(refused.value) == (
        f"Actions of type “Executive Directive” need {what}: link one before issuing."
    )
    getattr(action, m2m).add(make())
    assert services.check_transition(action, S.NOT_STARTED, strict=False) == []
    other = ExecutiveActionFactory(action_type=action_type, **{source_field: make()})
    assert services.check_transition(other, S.NOT_STARTED, strict=False) == []


def test_hold_remembers_and_resume_returns_to_the_held_status():
    action = action_in(S.NOT_STARTED, response=False)
    user = UserFactory()
    services.transition(action, S.ON_HOLD, user, strict=False)
    assert action.held_from_status == S.NOT_STARTED
    assert [t.target for t in services.allowed_transitions(action, user)] == [
        S.NOT_STARTED,
        S.CANCELLED,
    ]
    with pytest.raises(TransitionError, match="resumes to it"):
        services.transition(action, S.IN_PROGRESS, user, strict=False)
    services.transition(action, S.NOT_STARTED, user, strict=False)
    assert (action.status, action.held_from_status) == (S.NOT_STARTED, "")


def test_reopen_is_for_managers_only():
    action = action_in(S.COMPLETED, response=False)
    staff = UserFactory()
    assert "Reopen" not in [t.label for t in services.allowed_transitions(action, staff)]
    with pytest.raises(TransitionError, match="Only a manager or an administrator can reopen"):
        services.transition(action, S.IN_PROGRESS, staff, strict=False)
    manager = make_user(role=ROLE_MANAGER)
    assert "Reopen" in [t.label for t in services.allowed_transitions(action, manager)]
    services.transition(action, S.IN_PROGRESS, manager, strict=False)
    assert action.status == S.IN_PROGRESS and action.completed_date is None


def test_approve_sets_completed_date(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 12, 0), tick=False)
    action = action_in(S.SUBMITTED, issue_date=datetime.date(2026, 3, 1), response=False)
    services.transition(action, S.COMPLETED, UserFactory(), strict=False)
    assert action.completed_date == datetime.date(2026, 3, 16)
    assert action.percent_complete == 100


def test_completing_a_parent_with_open_children_is_refused_unless_asked():
    parent = action_in(S.SUBMITTED, response=False)
    open_child = action_in(S.IN_PROGRESS, parent=parent, response=False)
    grandchild = action_in(S.NOT_STARTED, parent=open_child, response=False)
    done_child = action_in(S.CANCELLED, parent=parent, response=False)
    manager = make_user(role=ROLE_MANAGER)
    with pytest.raises(TransitionError, match="1 sub-tasker"):
        services.transition(parent, S.COMPLETED, manager, strict=False)
    services.transition(parent, S.COMPLETED, manager, close_children=True, strict=False)
    statuses = dict(
        ExecutiveAction.objects.filter(
            pk__in=[open_child.pk, grandchild.pk, done_child.pk]
        ).values_list("pk", "status")
    )
    assert statuses == {
        open_child.pk: S.COMPLETED,
        grandchild.pk: S.COMPLETED,
        done_child.pk: S.CANCELLED,
    }


def test_transition_rechecks_the_stored_status():
    action = action_in(S.IN_PROGRESS, response=False)
    stale = ExecutiveAction.objects.get(pk=action.pk)
    services.transition(action, S.CANCELLED, UserFactory(), strict=False)
    with pytest.raises(TransitionError):
        services.transition(stale, S.SUBMITTED, UserFactory(), strict=False)


# --- roll-up, status updates, due dates ------------------------------------------------------


def test_rollup_averages_children_and_counts_them(django_assert_max_num_queries):
    parent = ExecutiveActionFactory(percent_complete=0)
    ExecutiveActionFactory(parent=parent, percent_complete=20, status=S.IN_PROGRESS)
    ExecutiveActionFactory(parent=parent, percent_complete=100, status=S.COMPLETED)
    ExecutiveActionFactory(parent=parent, percent_complete=0, status=S.CANCELLED)
    with django_assert_max_num_queries(1 + 5):  # the aggregate, then the save with history
        result = services.rollup(parent)
    # the cancelled one counts neither in the mean nor in “n of m” (issue 16)
    assert result == services.RollUp(total=2, completed=1, percent_complete=60)
    assert ExecutiveAction.objects.get(pk=parent.pk).percent_complete == 60


def test_status_update_moves_health_and_percent_up_the_tree():
    top = ExecutiveActionFactory()
    middle = ExecutiveActionFactory(parent=top)
    leaf = ExecutiveActionFactory(parent=middle, in_progress=True)
    ExecutiveActionFactory(parent=middle, percent_complete=0)
    update = StatusUpdateFactory.build(
        action=leaf, reported_by=None, health=Health.AT_RISK, percent_complete=80
    )
    services.post_status_update(update, user=UserFactory())
    leaf.refresh_from_db()
    assert (leaf.health, leaf.percent_complete) == (Health.AT_RISK, 80)
    assert ExecutiveAction.objects.get(pk=middle.pk).percent_complete == 40
    assert ExecutiveAction.objects.get(pk=top.pk).percent_complete == 40


def test_change_due_date_records_who_when_why():
    action = ExecutiveActionFactory(
        issued=True, due_date=datetime.date(2026, 5, 1), original_due_date=datetime.date(2026, 5, 1)
    )
    user = UserFactory()
    change = services.change_due_date(action, datetime.date(2026, 5, 15), user, "Data late")
    assert (change.old_due_date, change.new_due_date) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 5, 15),
    )
    assert change.changed_by == user and change.reason == "Data late"
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.due_date == datetime.date(2026, 5, 15)
    assert stored.original_due_date == datetime.date(2026, 5, 1)
    assert services.change_due_date(action, datetime.date(2026, 5, 15), user, "again") is None
    with pytest.raises(ValidationError):
        services.change_due_date(action, datetime.date(2026, 6, 1), user, "")


def test_approved_extension_moves_the_due_date_once():
    request = ExtensionRequestFactory(
        current_due_date=datetime.date(2026, 5, 1),
        requested_due_date=datetime.date(2026, 5, 20),
        action__due_date=datetime.date(2026, 5, 1),
    )
    manager = make_user(role=ROLE_MANAGER)
    services.decide_extension(request, manager, approve=True, comment="Fine")
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED and request.decided_by == manager
    assert ExecutiveAction.objects.get(pk=request.action_id).due_date == datetime.date(2026, 5, 20)
    assert DueDateChange.objects.get(action=request.action).extension_request == request
    with pytest.raises(ValidationError):
        services.decide_extension(request, manager, approve=False)


# --- admin goes through the status machine ---------------------------------------------------


def admin_form(action, user, **changes):
    model_admin = admin_site._registry[ExecutiveAction]
    request = RequestFactory().post("/")
    request.user = user
    form_class = model_admin.get_form(request, action, change=True)
    initial = form_class(instance=action).initial
    data = {}
    for name, value in initial.items():
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    data["concurrency_token"] = str(action.version)
    data.update(changes)
    return model_admin, request, form_class(data=data, instance=action)


def test_admin_shows_the_status_read_only_and_ignores_a_posted_one():
    """Status moves are the workflow buttons' (the write policy): admin cannot make one."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 6, 1))
    model_admin, request, form = admin_form(
        action,
        superuser,
        status=S.COMPLETED,
        due_date="2026-06-10",
        due_date_change_reason="Leadership asked",
    )
    assert "status" in model_admin.get_readonly_fields(request, action)
    assert "status" not in form.fields
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    model_admin.save_model(request, obj, form, change=True)
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.status == S.DRAFT
    assert stored.due_date == datetime.date(2026, 6, 10)
    assert DueDateChange.objects.get(action=action).reason == "Leadership asked"


def test_admin_due_date_change_needs_a_reason():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    action = ExecutiveActionFactory(due_date=datetime.date(2026, 6, 1))
    _, _, form = admin_form(action, superuser, due_date="2026-06-10")
    assert form.errors["due_date_change_reason"] == ["Say why the due date changes."]


def test_admin_number_sequence_is_read_only():
    model_admin = admin_site._registry[ActionNumberSequence]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_visibility_default_is_internal():
    assert ExecutiveAction._meta.get_field("visibility").default == Visibility.INTERNAL


ADMIN_MODELS = [
    (ExecutiveActionTypeFactory, True),
    (TagFactory, True),
    (ExecutiveActionFactory, True),
    (AssignmentFactory, True),
    (StatusUpdateFactory, True),
    (DecisionLogEntryFactory, True),
    (DependencyFactory, True),
    (ExtensionRequestFactory, True),
    (DueDateChangeFactory, False),
    (AttachmentFactory, True),
    (ActionNumberSequenceFactory, False),
    (CalendarFeedTokenFactory, False),
    (ReminderLogFactory, False),
]


@pytest.mark.parametrize(("make", "addable"), ADMIN_MODELS)
def test_admin_pages_render(admin_client, make, addable):
    obj = make()
    if isinstance(obj, ExecutiveAction):
        StatusUpdateFactory(action=obj)
        DecisionLogEntryFactory(action=obj)
        AttachmentFactory(action=obj)
        AssignmentFactory(action=obj)
    meta = obj._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}?q=a").status_code == 200
    assert admin_client.get(f"{base}{obj.pk}/change/").status_code == 200
    assert admin_client.get(f"{base}{obj.pk}/history/").status_code == 200
    assert admin_client.get(f"{base}add/").status_code == (200 if addable else 403)
