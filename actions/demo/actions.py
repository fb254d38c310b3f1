"""Factories for the actions app.

Deterministic once seeded (``factory.random.reseed_random(seed)`` seeds factory's random and
Faker): names come from sequences, free text from the agency-like pools of ``texts``, dates
from sequences counted from today (so a seed always has work due soon). Every record passes
``full_clean()``. Tests pass explicit values for anything they assert.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from actions import models
from actions.choices import (
    ActionCategory,
    ActionStatus,
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    DecisionCategory,
    Delivery,
    DependencyStatus,
    DependencyType,
    ExtensionStatus,
    Health,
    MailState,
    NotificationKind,
    Priority,
    ReminderKind,
    RouteEventKind,
    RouteStepKind,
    SecurityClassification,
    StatusUpdateKind,
    TemplateSubtaskerRole,
    Visibility,
)

from . import texts
from .partners import OrganizationUnitFactory, PersonFactory, UserFactory

ACTION_TYPES = (
    ("Executive Directive", ActionCategory.DIRECTIVE),
    ("Information Request", ActionCategory.INFORMATION_REQUEST),
    ("Congressional Inquiry", ActionCategory.COMMUNICATION),
    ("Regulatory Review", ActionCategory.REGULATORY),
    ("Strategic Plan Input", ActionCategory.PLANNING),
    ("Budget Data Call", ActionCategory.PROCUREMENT),
    ("Security Review", ActionCategory.SECURITY),
    ("Partner Agreement", ActionCategory.AGREEMENT),
)

ACTION_TITLES = (
    "Implement zero trust architecture milestones",
    "Respond to OMB data call on IT spending",
    "Update records retention schedule",
    "Prepare briefing for Deputy Secretary",
    "Review draft rule on grant reporting",
    "Inventory AI use cases",
    "Answer congressional letter on staffing",
    "Coordinate emergency preparedness exercise",
    "Refresh privacy impact assessments",
    "Draft implementation plan for new executive order",
)

TAG_NAMES = ("FY27 budget", "congressional", "OMB", "leadership priority", "audit", "privacy")


def _days_from_today(offset):
    return factory.Sequence(lambda n: timezone.localdate() + datetime.timedelta(days=offset(n)))


def _set_m2m(name):
    """A post-generation hook that sets many-to-many ``name`` from the value passed in."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, name).set(extracted)

    hook.__name__ = name
    return factory.PostGeneration(hook)


class ExecutiveActionTypeFactory(DjangoModelFactory):
    """An action type with the usual defaults and no issuing requirements."""

    class Meta:
        model = models.ExecutiveActionType

    class Params:
        entry = texts.cycle(ACTION_TYPES)

    name = texts.numbered(ACTION_TYPES, index=0)
    category = factory.LazyAttribute(lambda o: o.entry[1])
    number_prefix = "EA"
    description = factory.LazyAttribute(
        lambda o: texts.ACTION_TYPE_DESCRIPTIONS.get(o.name, texts.ACTION_TYPE_DESCRIPTION)
    )
    default_priority = Priority.MEDIUM
    default_days_to_due = 30
    requires_legal_authority = False
    requires_impact_assessment = False
    requires_risk_assessment = False
    is_active = True


class TagFactory(DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ("name",)

    name = texts.numbered(TAG_NAMES)


class ExecutiveActionFactory(DjangoModelFactory):
    """A draft action led by a unit, with an action officer of that unit and a future due date.

    Traits: ``issued`` (Not started, with issue date and original due date), ``in_progress``,
    ``completed``. Many-to-many values are passed as lists (``tags=[tag]``).
    """

    class Meta:
        model = models.ExecutiveAction
        skip_postgeneration_save = True

    title = texts.numbered(ACTION_TITLES, " ({})")
    action_type = factory.SubFactory(ExecutiveActionTypeFactory)
    category = factory.SelfAttribute("action_type.category")
    description = texts.cycle(texts.ACTION_DESCRIPTIONS)
    status = ActionStatus.DRAFT
    priority = Priority.MEDIUM
    visibility = Visibility.INTERNAL
    security_classification = SecurityClassification.UNCLASSIFIED
    health = Health.NOT_ASSESSED
    lead_unit = factory.SubFactory(OrganizationUnitFactory)
    accountable_person = factory.SubFactory(
        PersonFactory, organization_unit=factory.SelfAttribute("..lead_unit")
    )
    due_date = _days_from_today(lambda n: 14 + n % 30)
    percent_complete = 0

    class Params:
        issued = factory.Trait(
            status=ActionStatus.NOT_STARTED,
            issue_date=factory.LazyFunction(timezone.localdate),
            original_due_date=factory.SelfAttribute("due_date"),
        )
        in_progress = factory.Trait(
            status=ActionStatus.IN_PROGRESS,
            issue_date=factory.LazyFunction(timezone.localdate),
            original_due_date=factory.SelfAttribute("due_date"),
            percent_complete=40,
        )
        completed = factory.Trait(
            status=ActionStatus.COMPLETED,
            issue_date=factory.LazyFunction(timezone.localdate),
            original_due_date=factory.SelfAttribute("due_date"),
            completed_date=factory.LazyFunction(timezone.localdate),
            percent_complete=100,
        )

    tags = _set_m2m("tags")
    partners = _set_m2m("partners")
    legal_authorities = _set_m2m("legal_authorities")
    analyses = _set_m2m("analyses")
    impacts = _set_m2m("impacts")
    risk_items = _set_m2m("risk_items")
    agreements = _set_m2m("agreements")


class AssignmentFactory(DjangoModelFactory):
    """A supporting unit on an action, answered by a person of that unit, due with it."""

    class Meta:
        model = models.Assignment

    action = factory.SubFactory(ExecutiveActionFactory)
    organization_unit = factory.SubFactory(OrganizationUnitFactory)
    person = factory.SubFactory(
        PersonFactory, organization_unit=factory.SelfAttribute("..organization_unit")
    )
    role = AssignmentRole.COORDINATING
    due_date = factory.SelfAttribute("action.due_date")
    status = AssignmentStatus.PENDING


class StatusUpdateFactory(DjangoModelFactory):
    """A progress report by the action's accountable person."""

    class Meta:
        model = models.StatusUpdate

    action = factory.SubFactory(ExecutiveActionFactory)
    kind = StatusUpdateKind.PROGRESS
    status_date = factory.LazyFunction(timezone.localdate)
    reported_by = factory.SelfAttribute("action.accountable_person")
    health = Health.ON_TRACK
    percent_complete = factory.Sequence(lambda n: (n * 10) % 100)
    key_accomplishments = texts.cycle(texts.ACCOMPLISHMENTS)
    next_steps = texts.cycle(texts.NEXT_STEPS)


class DecisionLogEntryFactory(DjangoModelFactory):
    class Meta:
        model = models.DecisionLogEntry

    action = factory.SubFactory(ExecutiveActionFactory)
    title = texts.cycle(texts.DECISION_TITLES)
    decision_date = factory.LazyFunction(timezone.localdate)
    category = texts.cycle(tuple(DecisionCategory))
    description = texts.cycle(texts.DECISION_DESCRIPTIONS)
    rationale = texts.cycle(texts.DECISION_RATIONALES)
    decided_by = factory.SubFactory(PersonFactory)
    decision_authority = factory.SelfAttribute("decided_by.organization_unit")


class DependencyFactory(DjangoModelFactory):
    """Two new actions, the successor waiting on the predecessor."""

    class Meta:
        model = models.Dependency

    predecessor = factory.SubFactory(ExecutiveActionFactory)
    successor = factory.SubFactory(ExecutiveActionFactory)
    dependency_type = DependencyType.FINISH_TO_START
    status = DependencyStatus.ACTIVE
    description = texts.cycle(texts.DEPENDENCY_DESCRIPTIONS)


class ExtensionRequestFactory(DjangoModelFactory):
    """A pending request for two more weeks."""

    class Meta:
        model = models.ExtensionRequest

    action = factory.SubFactory(ExecutiveActionFactory, issued=True)
    requested_by = factory.SubFactory(UserFactory)
    current_due_date = factory.SelfAttribute("action.due_date")
    requested_due_date = factory.LazyAttribute(
        lambda o: o.current_due_date + datetime.timedelta(days=14)
    )
    justification = texts.cycle(texts.JUSTIFICATIONS)
    status = ExtensionStatus.PENDING


class DueDateChangeFactory(DjangoModelFactory):
    class Meta:
        model = models.DueDateChange

    action = factory.SubFactory(ExecutiveActionFactory)
    old_due_date = factory.SelfAttribute("action.due_date")
    new_due_date = factory.LazyAttribute(lambda o: o.old_due_date + datetime.timedelta(days=7))
    changed_by = factory.SubFactory(UserFactory)
    reason = texts.cycle(texts.DUE_DATE_REASONS)


class RouteStepFactory(DjangoModelFactory):
    """A concur step of an office, waiting (the demo builds routes through
    ``actions.routing``; this factory serves the generic tests)."""

    class Meta:
        model = models.RouteStep

    action = factory.SubFactory(ExecutiveActionFactory)
    position = 1
    kind = RouteStepKind.CONCUR
    organization_unit = factory.SubFactory(OrganizationUnitFactory)


class RouteStepEventFactory(DjangoModelFactory):
    """A step reached (see :class:`RouteStepFactory`)."""

    class Meta:
        model = models.RouteStepEvent

    step = factory.SubFactory(RouteStepFactory)
    action = factory.SelfAttribute("step.action")
    kind = RouteEventKind.STARTED
    text = "Reached the step"


class AttachmentFactory(DjangoModelFactory):
    """A small PDF tasking memo (tests should point ``MEDIA_ROOT`` at a temporary folder)."""

    class Meta:
        model = models.Attachment

    action = factory.SubFactory(ExecutiveActionFactory)
    file = factory.django.FileField(filename="memo.pdf", data=b"%PDF-1.4\n% test memo\n")
    title = factory.Sequence(lambda n: f"Tasking memo {n + 1}")
    kind = AttachmentKind.TASKING_MEMO
    uploaded_by = factory.SubFactory(UserFactory)
    content_type = "application/pdf"


class ActionNumberSequenceFactory(DjangoModelFactory):
    class Meta:
        model = models.ActionNumberSequence

    prefix = factory.Sequence(lambda n: f"SEQ{n}")
    year = 2026
    last_value = 0


class CalendarFeedTokenFactory(DjangoModelFactory):
    class Meta:
        model = models.CalendarFeedToken

    user = factory.SubFactory(UserFactory)


class CompletionTallyFactory(DjangoModelFactory):
    """A row of the dashboard's tally, for the admin's pages only: the database triggers keep
    the real rows (``actions.tallies``)."""

    class Meta:
        model = models.CompletionTally

    unit_id = factory.Sequence(lambda n: 10_000_000 + n)
    visibility = Visibility.INTERNAL
    security_classification = SecurityClassification.UNCLASSIFIED
    on_time_original = 1


class ReminderLogFactory(DjangoModelFactory):
    class Meta:
        model = models.ReminderLog

    person = factory.SubFactory(PersonFactory)
    date = _days_from_today(lambda n: -n)
    kind = ReminderKind.DUE_SOON
    item_count = 3


class ProcessTemplateFactory(DjangoModelFactory):
    """A process template of a type (its rows come from the two factories below)."""

    class Meta:
        model = models.ProcessTemplate

    name = factory.Sequence(lambda n: f"Standard staffing {n + 1}")
    action_type = factory.SubFactory(ExecutiveActionTypeFactory)
    description = "The offices that staff this kind of tasker, and its route."


class TemplateSubtaskerFactory(DjangoModelFactory):
    class Meta:
        model = models.TemplateSubtasker

    template = factory.SubFactory(ProcessTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    organization_unit = factory.SubFactory(OrganizationUnitFactory)
    title_pattern = "{parent.title}: review"
    role = TemplateSubtaskerRole.REVIEW
    offset_business_days = 5


class TemplateRouteStepFactory(DjangoModelFactory):
    class Meta:
        model = models.TemplateRouteStep

    template = factory.SubFactory(ProcessTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = RouteStepKind.REVIEW
    organization_unit = factory.SubFactory(OrganizationUnitFactory)


class NotificationEventFactory(DjangoModelFactory):
    class Meta:
        model = models.NotificationEvent

    kind = NotificationKind.ISSUED
    action = factory.SubFactory(ExecutiveActionFactory)
    fanned_out_at = factory.LazyFunction(timezone.now)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = models.Notification

    recipient = factory.SubFactory(PersonFactory)
    kind = NotificationKind.ISSUED
    action = factory.SubFactory(ExecutiveActionFactory)
    message = factory.LazyAttribute(
        lambda o: f"{o.action.number or 'Tasker'} {o.action.title}: this tasker was issued."
    )
    mail_state = MailState.SENT


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = models.NotificationPreference

    person = factory.SubFactory(PersonFactory)
    kind = NotificationKind.MENTIONED
    delivery = Delivery.DIGEST
