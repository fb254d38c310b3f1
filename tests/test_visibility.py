"""``ExecutiveAction.objects.visible_to(user)`` and the satellites that follow it.

The agency used below::

    DEPT (managed by Maria)
    ├── A   (Sam works here)
    └── B   (Bea works here; lead unit of the restricted action)
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from actions.choices import SecurityClassification, Visibility
from actions.demo.actions import (
    AssignmentFactory,
    AttachmentFactory,
    CalendarFeedTokenFactory,
    DecisionLogEntryFactory,
    DependencyFactory,
    DueDateChangeFactory,
    ExecutiveActionFactory,
    ExtensionRequestFactory,
    ReminderLogFactory,
    StatusUpdateFactory,
)
from actions.demo.partners import (
    AccountFactory,
    OrganizationUnitFactory,
    PersonFactory,
    UserFactory,
)
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
from partners.choices import ClearanceLevel, PersonnelType
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


SECRET = ClearanceLevel.SECRET


@pytest.fixture
def org():
    maria = PersonFactory(clearance_level=ClearanceLevel.SECRET)
    dept = OrganizationUnitFactory(code="DEPT", manager=maria)
    maria.organization_unit = dept
    maria.save()
    a = OrganizationUnitFactory(code="A", parent=dept)
    b = OrganizationUnitFactory(code="B", parent=dept)
    maria_user = UserFactory()
    maria.user = maria_user
    maria.save()
    return {
        "dept": dept,
        "a": a,
        "b": b,
        "maria": type(maria_user).objects.get(pk=maria_user.pk),
        "sam": make_user(unit=a, clearance=SECRET, person=True),
        "bea": make_user(unit=b, clearance=SECRET, person=True),
    }


def restricted_of(unit, **kwargs):
    return ExecutiveActionFactory(
        visibility=Visibility.RESTRICTED, lead_unit=unit, accountable_person=None, **kwargs
    )


def sees(user, action):
    return ExecutiveAction.objects.visible_to(user).filter(pk=action.pk).exists()


def test_staff_of_another_unit_does_not_see_a_restricted_action(org):
    action = restricted_of(org["b"])
    assert not sees(org["sam"], action)
    assert sees(org["bea"], action)


def test_manager_above_the_unit_sees_a_restricted_action(org):
    assert sees(org["maria"], restricted_of(org["b"]))


def test_manager_group_member_sees_restricted_actions_under_their_unit(org):
    section = OrganizationUnitFactory(code="B1", parent=org["b"])
    boss = make_user(role="Manager", unit=org["b"], clearance=SECRET)
    assert sees(boss, restricted_of(section))
    assert not sees(boss, restricted_of(org["a"]))


@pytest.mark.parametrize("role", ["issuing_unit", "assignment_unit"])
def test_restricted_action_is_seen_by_every_unit_on_it(org, role):
    action = restricted_of(OrganizationUnitFactory(code="X"))
    if role == "issuing_unit":
        action.issuing_unit = org["a"]
        action.save()
    else:
        AssignmentFactory(action=action, organization_unit=org["a"], person=None)
    assert sees(org["sam"], action)


@pytest.mark.parametrize(
    "role", ["accountable_person", "issued_by", "executive_sponsor", "assignment_person"]
)
def test_restricted_and_confidential_actions_are_seen_by_named_people(org, role):
    outsider_unit = OrganizationUnitFactory(code="X")
    sam_person = org["sam"].person
    for visibility in (Visibility.RESTRICTED, Visibility.CONFIDENTIAL):
        action = ExecutiveActionFactory(
            visibility=visibility, lead_unit=outsider_unit, accountable_person=None
        )
        assert not sees(org["sam"], action)
        if role == "assignment_person":
            AssignmentFactory(action=action, organization_unit=outsider_unit, person=sam_person)
        else:
            setattr(action, role, sam_person)
            action.save()
        assert sees(org["sam"], action), visibility


def test_confidential_action_is_hidden_from_its_unit_and_managers(org):
    action = ExecutiveActionFactory(
        visibility=Visibility.CONFIDENTIAL, lead_unit=org["b"], accountable_person=None
    )
    assert not sees(org["bea"], action)
    assert not sees(org["maria"], action)


def test_internal_actions_are_for_agency_staff_only(org):
    action = ExecutiveActionFactory(visibility=Visibility.INTERNAL)
    partner = make_user(
        clearance=SECRET, personnel_type=PersonnelType.EXTERNAL, account=AccountFactory()
    )
    assert sees(org["sam"], action)
    assert not sees(partner, action)


def test_public_actions_are_seen_by_everyone_signed_in(org):
    action = ExecutiveActionFactory(visibility=Visibility.PUBLIC)
    partner = make_user(
        personnel_type=PersonnelType.EXTERNAL, account=AccountFactory(), clearance=""
    )
    assert sees(partner, action)
    assert sees(UserFactory(), action)  # a sign-in without a person


@pytest.mark.parametrize(
    ("classification", "clearance", "visible"),
    [
        (SecurityClassification.UNCLASSIFIED, ClearanceLevel.NONE, True),
        (SecurityClassification.CUI, ClearanceLevel.NONE, False),
        (SecurityClassification.CUI, ClearanceLevel.PUBLIC_TRUST, True),
        (SecurityClassification.CONFIDENTIAL, ClearanceLevel.PUBLIC_TRUST, False),
        (SecurityClassification.CONFIDENTIAL, ClearanceLevel.CONFIDENTIAL, True),
        (SecurityClassification.SECRET, ClearanceLevel.CONFIDENTIAL, False),
        (SecurityClassification.SECRET, ClearanceLevel.TOP_SECRET, True),
        (SecurityClassification.TOP_SECRET, ClearanceLevel.SECRET, False),
        (SecurityClassification.TOP_SECRET, ClearanceLevel.TOP_SECRET, True),
    ],
)
def test_classification_above_clearance_is_hidden(classification, clearance, visible):
    user = make_user(unit=OrganizationUnitFactory(), clearance=clearance)
    action = ExecutiveActionFactory(
        visibility=Visibility.PUBLIC,
        security_classification=classification,
        accountable_person=user.person,
    )
    assert sees(user, action) is visible


def test_administrators_see_everything(org):
    hidden = [
        ExecutiveActionFactory(visibility=Visibility.CONFIDENTIAL, accountable_person=None),
        ExecutiveActionFactory(security_classification=SecurityClassification.TOP_SECRET),
        restricted_of(org["b"]),
    ]
    admin_group = make_user(role="Administrator", unit=org["a"], clearance=ClearanceLevel.NONE)
    superuser = UserFactory(is_superuser=True)
    for user in (admin_group, superuser):
        assert set(ExecutiveAction.objects.visible_to(user)) >= set(hidden)
    assert not any(sees(org["sam"], action) for action in hidden)


def test_anonymous_inactive_and_missing_users_see_nothing():
    ExecutiveActionFactory(visibility=Visibility.PUBLIC)
    inactive = UserFactory(is_active=False)
    for user in (AnonymousUser(), inactive, None):
        assert not ExecutiveAction.objects.visible_to(user).exists()
        assert not Assignment.objects.visible_to(user).exists()


def test_visible_to_is_one_query(org, django_assert_num_queries):
    restricted_of(org["b"])
    AssignmentFactory(action=restricted_of(org["a"]), organization_unit=org["b"])
    user = org["maria"]
    ExecutiveAction.objects.visible_to(user)  # loads and caches the user's scope
    with django_assert_num_queries(1):
        assert len(list(ExecutiveAction.objects.visible_to(user))) == 2


SATELLITES = [
    (Assignment, AssignmentFactory),
    (StatusUpdate, StatusUpdateFactory),
    (DecisionLogEntry, DecisionLogEntryFactory),
    (ExtensionRequest, ExtensionRequestFactory),
    (DueDateChange, DueDateChangeFactory),
    (Attachment, AttachmentFactory),
]


@pytest.mark.parametrize(("model", "make"), SATELLITES)
def test_satellites_follow_their_action(org, model, make, django_assert_num_queries):
    shown = make(action=restricted_of(org["a"]))
    hidden = make(action=restricted_of(org["b"]))
    sam = org["sam"]
    ExecutiveAction.objects.visible_to(sam)  # loads and caches the scope
    with django_assert_num_queries(1):  # the actions are a subquery, not a list
        rows = set(model.objects.visible_to(sam))
    assert shown in rows and hidden not in rows


def test_dependency_needs_both_actions_visible(org):
    mine = restricted_of(org["a"])
    theirs = restricted_of(org["b"])
    other_mine = restricted_of(org["a"])
    both = DependencyFactory(predecessor=mine, successor=other_mine)
    half = DependencyFactory(predecessor=mine, successor=theirs)
    assert set(Dependency.objects.visible_to(org["sam"])) == {both}
    assert set(Dependency.objects.visible_to(org["bea"])) == set()
    assert half in Dependency.objects.visible_to(UserFactory(is_superuser=True))


def test_bookkeeping_rows_are_private():
    sam = make_user(unit=OrganizationUnitFactory(), clearance=SECRET)
    own_token = CalendarFeedTokenFactory(user=sam)
    CalendarFeedTokenFactory()
    own_log = ReminderLogFactory(person=sam.person)
    ReminderLogFactory()
    ActionNumberSequence.objects.create(prefix="EA", year=2026)
    assert list(CalendarFeedToken.objects.visible_to(sam)) == [own_token]
    assert list(ReminderLog.objects.visible_to(sam)) == [own_log]
    assert not ActionNumberSequence.objects.visible_to(sam).exists()
    superuser = UserFactory(is_superuser=True)
    assert CalendarFeedToken.objects.visible_to(superuser).count() == 2
    assert ActionNumberSequence.objects.visible_to(superuser).count() == 1
