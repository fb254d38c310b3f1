"""get_user_scope: who a signed-in user is, organisationally."""

import pytest
from django.contrib.auth.models import AnonymousUser

from actions.demo.partners import (
    AccountFactory,
    OrganizationUnitFactory,
    PersonFactory,
    UserFactory,
)
from partners.access import (
    NO_SCOPE,
    ROLE_ADMIN,
    ROLE_MANAGER,
    ROLE_STAFF,
    ROLE_VIEWER,
    clear_user_scope,
    clearance_rank,
    get_user_scope,
)
from partners.choices import ClearanceLevel, PersonnelType
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """OCIO > (CSD > SOC team, EAB); OCFO beside it."""
    ocio = OrganizationUnitFactory(code="OCIO")
    csd = OrganizationUnitFactory(code="CSD", parent=ocio)
    soc = OrganizationUnitFactory(code="SOC", parent=csd)
    eab = OrganizationUnitFactory(code="EAB", parent=ocio)
    ocfo = OrganizationUnitFactory(code="OCFO")
    return {"ocio": ocio, "csd": csd, "soc": soc, "eab": eab, "ocfo": ocfo}


def name_manager(person, *units):
    """Make ``person`` the named manager of ``units``."""
    for unit in units:
        unit.manager = person
        unit.save()


def test_clearance_rank_orders_levels():
    ranks = [clearance_rank(level) for level in ClearanceLevel]
    assert ranks == [0, 1, 2, 3, 4]
    assert clearance_rank("") == clearance_rank(None) == 0


def test_anonymous_and_inactive_users_have_no_scope():
    assert get_user_scope(AnonymousUser()) is NO_SCOPE
    assert get_user_scope(None) is NO_SCOPE
    assert get_user_scope(UserFactory(is_active=False)) is NO_SCOPE


def test_user_without_person_has_no_units_and_is_not_internal():
    scope = get_user_scope(UserFactory())
    assert scope.person_id is None and scope.unit_id is None
    assert scope.unit_ids == scope.managed_unit_ids == frozenset()
    assert not scope.is_internal and not scope.is_admin


def test_role_group_member_without_person_is_internal():
    scope = get_user_scope(make_user(role=ROLE_VIEWER))
    assert scope.is_viewer and scope.is_internal
    assert scope.person_id is None


def test_staff_in_a_unit(tree, django_assert_max_num_queries):
    user = make_user(role=ROLE_STAFF)
    person = PersonFactory(
        user=user, organization_unit=tree["csd"], clearance_level=ClearanceLevel.SECRET
    )
    with django_assert_max_num_queries(1):
        scope = get_user_scope(user)
    assert scope.person_id == person.pk
    assert scope.unit_id == tree["csd"].pk
    assert scope.unit_ids == {tree["csd"].pk}
    assert scope.managed_unit_ids == frozenset()
    assert scope.is_staff_role and scope.is_internal
    assert not (scope.is_manager or scope.is_admin or scope.is_viewer)
    assert scope.clearance_rank == 3


def test_scope_is_computed_once_per_user_object(tree, django_assert_num_queries):
    user = make_user(role=ROLE_STAFF)
    PersonFactory(user=user, organization_unit=tree["csd"])
    first = get_user_scope(user)
    with django_assert_num_queries(0):
        assert get_user_scope(user) is first
    clear_user_scope(user)
    assert get_user_scope(user) is not first


def test_manager_group_member_manages_the_subtree_of_their_unit(tree):
    user = make_user(role=ROLE_MANAGER)
    PersonFactory(user=user, organization_unit=tree["csd"])
    scope = get_user_scope(user)
    assert scope.is_manager
    assert scope.managed_unit_ids == {tree["csd"].pk, tree["soc"].pk}


def test_named_manager_of_units_manages_their_subtrees(tree, django_assert_max_num_queries):
    user = make_user(role=ROLE_STAFF)
    person = PersonFactory(user=user, organization_unit=tree["ocfo"])
    name_manager(person, tree["ocio"], tree["csd"])  # nested: the union is still OCIO's subtree
    with django_assert_max_num_queries(3):
        scope = get_user_scope(user)
    assert not scope.is_manager
    assert scope.unit_id == tree["ocfo"].pk
    assert scope.managed_unit_ids == {tree[code].pk for code in ("ocio", "csd", "soc", "eab")}
    assert scope.related_unit_ids == scope.managed_unit_ids | {tree["ocfo"].pk}


def test_manager_group_member_who_also_manages_another_unit(tree):
    user = make_user(role=ROLE_MANAGER)
    person = PersonFactory(user=user, organization_unit=tree["soc"])
    name_manager(person, tree["ocfo"])
    scope = get_user_scope(user)
    assert scope.managed_unit_ids == {tree["soc"].pk, tree["ocfo"].pk}


def test_superuser_and_administrator_group_are_admins():
    assert get_user_scope(UserFactory(is_superuser=True)).is_admin
    scope = get_user_scope(make_user(role=ROLE_ADMIN))
    assert scope.is_admin and scope.is_internal


def test_external_partner_is_not_internal_even_in_a_role_group():
    user = make_user(role=ROLE_STAFF)
    PersonFactory(
        user=user,
        organization_unit=None,
        account=AccountFactory(),
        personnel_type=PersonnelType.EXTERNAL,
    )
    scope = get_user_scope(user)
    assert scope.person_id is not None
    assert not scope.is_internal


def test_scope_is_frozen():
    scope = get_user_scope(UserFactory(is_superuser=True))
    with pytest.raises(AttributeError):
        scope.is_admin = False


def test_named_manager_of_one_unit_manages_its_subtree_by_path(tree):
    user = make_user(role=ROLE_STAFF)
    person = PersonFactory(user=user, organization_unit=tree["ocfo"])
    name_manager(person, tree["csd"])
    scope = get_user_scope(user)
    assert scope.named_unit_path == tree["csd"].path
    assert scope.managed_unit_ids == {tree["csd"].pk, tree["soc"].pk}
    assert set(scope.involved_units().values_list("pk", flat=True)) == {
        tree["ocfo"].pk,
        tree["csd"].pk,
        tree["soc"].pk,
    }


def test_a_person_who_manages_nothing_is_involved_through_their_unit_only(
    tree, django_assert_num_queries
):
    user = make_user(role=ROLE_STAFF)
    PersonFactory(user=user, organization_unit=tree["csd"])
    scope = get_user_scope(user)
    with django_assert_num_queries(0):
        assert scope.managed_unit_ids == frozenset()
        assert scope.involved_units() == [tree["csd"].pk]


def test_managed_roots_are_the_tops_of_the_managed_subtrees(tree, django_assert_num_queries):
    user = make_user(role=ROLE_MANAGER)
    person = PersonFactory(user=user, organization_unit=tree["soc"])
    name_manager(person, tree["csd"])
    scope = get_user_scope(user)
    with django_assert_num_queries(0):  # one named unit: known from the scope's query
        assert scope.managed_roots() == [(tree["csd"].path, tree["csd"].pk)]  # SOC is under CSD
    name_manager(person, tree["ocfo"])
    clear_user_scope(user)
    roots = get_user_scope(user).managed_roots()
    assert sorted(pk for _, pk in roots) == sorted([tree["csd"].pk, tree["ocfo"].pk])


@pytest.mark.parametrize(
    "role, own, named",
    [
        (ROLE_MANAGER, "csd", ()),  # the Manager role: their unit's subtree
        (ROLE_STAFF, "ocfo", ("csd",)),  # named manager of one unit
        (ROLE_STAFF, "ocfo", ("ocio", "csd")),  # of several, nested
        (ROLE_MANAGER, "soc", ("ocfo",)),  # both
        (ROLE_STAFF, "soc", ()),  # neither
    ],
)
def test_managed_among_asks_by_path_what_the_managed_ids_say(
    tree, role, own, named, django_assert_max_num_queries
):
    """The write policy asks ``managed_among`` about a tasker's few units: the same answer
    as the whole set of managed ids, in at most one query for the units' paths (a second
    for the roots of a manager named on several units), and none when asked again."""
    user = make_user(role=role)
    person = PersonFactory(user=user, organization_unit=tree[own])
    name_manager(person, *(tree[code] for code in named))
    expected = get_user_scope(user).managed_unit_ids
    clear_user_scope(user)
    scope = get_user_scope(user)
    every = [unit.pk for unit in tree.values()]
    with django_assert_max_num_queries(2):
        found = scope.managed_among(every)
    assert found == expected
    assert scope.manages_units == bool(expected)
    with django_assert_max_num_queries(0):
        assert scope.managed_among(every) == expected
        assert scope.managed_among([every[0], None]) == expected & {every[0]}
    assert scope._managed_unit_ids is None  # the ids were never read


def test_the_read_key_changes_with_everything_a_read_rule_reads(tree):
    """``read_key`` (what a query compiled once per reader is kept under) differs between two
    users, and for one user whenever their unit, clearance or roles change; a model every
    active user sees whole has one key for them all."""
    from actions.models import ExecutiveAction
    from execcoord.access import read_key
    from partners.models import OrganizationUnit

    user, other = make_user(role=ROLE_STAFF), make_user(role=ROLE_STAFF)
    person = PersonFactory(user=user, organization_unit=tree["csd"])
    PersonFactory(user=other, organization_unit=tree["csd"])
    keys = [read_key(ExecutiveAction, user)]
    assert read_key(ExecutiveAction, other) != keys[0]

    def changed(change):
        change()
        clear_user_scope(user)  # a new request reads a new scope
        keys.append(read_key(ExecutiveAction, user))

    changed(
        lambda: PersonFactory._meta.model.objects.filter(pk=person.pk).update(
            organization_unit=tree["ocfo"]
        )
    )
    changed(
        lambda: PersonFactory._meta.model.objects.filter(pk=person.pk).update(
            clearance_level=ClearanceLevel.SECRET
        )
    )
    changed(lambda: user.groups.add(*make_user(role=ROLE_MANAGER).groups.all()))
    changed(lambda: name_manager(person, tree["eab"]))
    assert len(set(keys)) == len(keys)  # every change a new key
    assert read_key(OrganizationUnit, user) == read_key(OrganizationUnit, other) == ("everyone",)
    assert read_key(ExecutiveAction, AnonymousUser()) == ("nobody",)


def test_a_readers_visibility_rule_is_built_once_per_process_and_is_their_own(
    tree, monkeypatch, settings
):
    """``ExecutiveAction.objects.visible_to`` builds a reader's rule once per process (kept
    by read key): the next request reads a copy, another reader gets their own rule, and a
    reader whose unit changed a new one; the checking mode of the tests finds a copy that
    differs from a fresh build."""
    from actions.demo.actions import ExecutiveActionFactory
    from actions.models import ExecutiveAction
    from actions.models import action as action_module

    action_module._RULES.clear()
    built = []
    real = ExecutiveAction.objects.get_queryset().__class__._visible_to
    monkeypatch.setattr(
        ExecutiveAction.objects.get_queryset().__class__,
        "_visible_to",
        lambda self, scope: built.append(scope.unit_id) or real(self, scope),
    )
    settings.EXECCOORD_CHECK_SHAPES = False
    user, other = make_user(role=ROLE_STAFF), make_user(role=ROLE_STAFF)
    person = PersonFactory(user=user, organization_unit=tree["csd"])
    PersonFactory(user=other, organization_unit=tree["ocfo"])
    mine = ExecutiveActionFactory(lead_unit=tree["csd"], visibility="restricted")
    theirs = ExecutiveActionFactory(lead_unit=tree["ocfo"], visibility="restricted")

    def seen(who):
        clear_user_scope(who)  # each call a new request
        return set(ExecutiveAction.objects.visible_to(who).values_list("pk", flat=True))

    assert mine.pk in seen(user) and theirs.pk not in seen(user)
    assert len(built) == 1  # the second request copied the rule
    assert theirs.pk in seen(other) and mine.pk not in seen(other)
    assert built == [tree["csd"].pk, tree["ocfo"].pk]
    PersonFactory._meta.model.objects.filter(pk=person.pk).update(organization_unit=tree["ocfo"])
    assert theirs.pk in seen(user) and mine.pk not in seen(user)
    assert built[-1] == tree["ocfo"].pk and len(built) == 3

    settings.EXECCOORD_CHECK_SHAPES = True
    for key in action_module._RULES:
        action_module._RULES[key] = ExecutiveAction.objects.none()  # another rule kept
    with pytest.raises(AssertionError, match="visible_to"):
        seen(user)


def test_a_manager_of_the_one_root_unit_sees_by_the_shorter_rule_exactly_what_the_long_one_shows(
    units,
):
    """A manager of the agency's root unit manages every unit, so their rule does not ask
    which units those are (no units in its SQL, issue 20); it shows the same taskers: a
    restricted one through its lead unit, its issuing unit or an assignment to a unit, not one
    that involves no unit and does not name them, not a confidential one. A second root unit
    (a second agency on the same site) brings the long rule back, and its taskers stay hidden.
    """
    from actions.choices import Visibility
    from actions.demo.actions import AssignmentFactory, ExecutiveActionFactory
    from actions.models import ExecutiveAction
    from partners.access import ROLE_MANAGER

    def tasker(title, visibility=Visibility.RESTRICTED, **fields):
        fields.setdefault("lead_unit", None)
        fields.setdefault("accountable_person", None)
        return ExecutiveActionFactory(title=title, visibility=visibility, **fields)

    led = tasker("led", lead_unit=units["OFF-B1"])
    issued = tasker("issued", issuing_unit=units["BUR-B"])
    assigned = tasker("assigned")
    AssignmentFactory(action=assigned, organization_unit=units["OFF-A1"], person=None)
    tasker("no unit")
    tasker("confidential", visibility=Visibility.CONFIDENTIAL, lead_unit=units["OFF-A1"])
    expected = {led.pk, issued.pk, assigned.pk}

    head = make_user("head", ROLE_MANAGER, units["AGENCY"])
    assert get_user_scope(head).covers_all
    visible = ExecutiveAction.objects.visible_to(head)
    assert "partners_organizationunit" not in str(visible.query)
    assert set(visible.values_list("pk", flat=True)) == expected
    # the root's named manager, whatever their role, manages every unit too
    named = make_user("named", "Staff", units["OFF-A1"])
    units["AGENCY"].manager = named.person
    units["AGENCY"].save()
    named = type(named).objects.get(pk=named.pk)
    assert get_user_scope(named).covers_all
    assert set(ExecutiveAction.objects.visible_to(named).values_list("pk", flat=True)) == expected

    other_root = OrganizationUnitFactory(code="OTHER", name="Another agency")
    elsewhere = tasker("elsewhere", lead_unit=other_root)
    head = make_user("head2", ROLE_MANAGER, units["AGENCY"])  # a new request's scope
    assert not get_user_scope(head).covers_all
    visible = ExecutiveAction.objects.visible_to(head)
    assert set(visible.values_list("pk", flat=True)) == expected
    assert elsewhere.pk not in set(visible.values_list("pk", flat=True))
    # staff of the root unit manage nothing: they never take the shorter rule
    assert not get_user_scope(make_user("clerk", "Staff", units["AGENCY"])).covers_all
