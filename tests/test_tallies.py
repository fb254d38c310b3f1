"""The completion tally behind the dashboard's on-time rates (``actions/tallies.py``): random
writes through the services, bulk edits and plain updates, and moves of the unit tree (one
unit saved, several in one bulk edit, nested ones included), each followed by a comparison of
every maintained figure (each unit's subtree) with a full recount; and the rates a user is
shown equal a live count of what they see (the tally serves only the keys the user sees all
of). Runs on SQLite and PostgreSQL: each has its triggers."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import services, tallies
from actions.choices import ActionStatus, Priority, SecurityClassification, Visibility
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.demo.partners import OrganizationUnitFactory
from actions.models import ExecutiveAction
from actions.queries import DashboardFilters
from execcoord.history import bulk_update_with_history, update_with_history
from partners.models import OrganizationUnit

pytestmark = pytest.mark.django_db

STEPS = 160


def _check():
    assert tallies.stored() == tallies.recount()


def test_random_writes_keep_every_tally_figure_equal_to_a_full_recount(
    units, administrator, alice, bob, charlie
):
    rng = random.Random(21)
    today = timezone.localdate()
    types = [ExecutiveActionTypeFactory(), ExecutiveActionTypeFactory()]
    # a deeper tree than the fixture's, so that moves change several levels at once
    team = OrganizationUnitFactory(code="TEAM-A1", parent=units["OFF-A1"])
    OrganizationUnitFactory(code="CELL-A1", parent=team)
    OrganizationUnitFactory(code="OFF-A2", parent=units["BUR-A"])
    OrganizationUnitFactory(code="OFF-B2", parent=units["BUR-B"])
    unit_list = list(OrganizationUnit.objects.all())
    people = [alice.person, bob.person, charlie.person]

    def day(low, high):
        return today + datetime.timedelta(days=rng.randint(low, high))

    def create():
        return ExecutiveActionFactory(
            action_type=rng.choice(types),
            lead_unit=rng.choice(unit_list),
            accountable_person=rng.choice(people),
            status=rng.choice([ActionStatus.DRAFT, ActionStatus.IN_PROGRESS]),
            priority=rng.choice(Priority.values),
            visibility=rng.choice(Visibility.values),
            security_classification=rng.choice(
                [SecurityClassification.UNCLASSIFIED, SecurityClassification.CUI]
            ),
            issue_date=day(-200, -100),
            due_date=day(-60, 60),
            original_due_date=day(-60, 60),
        )

    def new_parents(count):
        """``count`` units (fresh from the database) each with a new parent outside its
        own subtree."""
        chosen = rng.sample([u for u in unit_list if u.code != "AGENCY"], count)
        moved = []
        for unit in chosen:
            unit = OrganizationUnit.objects.get(pk=unit.pk)
            outside = [u for u in unit_list if not u.path.startswith(unit.path)]
            unit.parent = OrganizationUnit.objects.get(pk=rng.choice(outside).pk)
            moved.append(unit)
        return moved

    def move(action, target):
        try:
            services.transition(action, target, administrator, comment="test", strict=False)
        except services.TransitionError:
            pass

    actions = [create() for _ in range(12)]
    moves = 0
    _check()
    for _ in range(STEPS):
        actions = [a for a in actions if ExecutiveAction._base_manager.filter(pk=a.pk).exists()]
        action = ExecutiveAction._base_manager.get(pk=rng.choice(actions).pk)
        step = rng.choice(
            [
                "create",
                "issue",
                "complete",
                "reopen",
                "cancel",
                "due",
                "unit",
                "backdate",
                "bulk",
                "update",
                "delete",
                "visibility",
                "move_unit",
                "move_units",
            ]
        )
        if step == "create":
            actions.append(create())
        elif step == "issue":
            move(action, ActionStatus.NOT_STARTED)
        elif step == "complete":  # through the statuses the table of moves asks for
            for target in (ActionStatus.IN_PROGRESS, ActionStatus.SUBMITTED):
                move(action, target)
            move(action, ActionStatus.COMPLETED)
        elif step == "reopen":
            move(action, ActionStatus.IN_PROGRESS)
        elif step == "cancel":
            move(action, ActionStatus.CANCELLED)
        elif step == "due":
            services.change_due_date(action, day(-60, 60), administrator, "Moved for the test")
        elif step == "unit":  # an edit through the model's save
            action.lead_unit = rng.choice(unit_list)
            action.save()
        elif step == "backdate" and action.status == ActionStatus.COMPLETED:
            completed = max(action.issue_date or day(-1, -1), day(-90, -1))
            update_with_history(
                ExecutiveAction._base_manager.filter(pk=action.pk), completed_date=completed
            )
        elif step == "bulk":  # a bulk edit of several taskers (the history helpers)
            chosen = rng.sample(actions, min(4, len(actions)))
            update_with_history(
                ExecutiveAction._base_manager.filter(pk__in=[a.pk for a in chosen]),
                priority=rng.choice(Priority.values),
                action_type=rng.choice(types),
            )
        elif step == "update":  # a plain queryset update, no save() at all
            ExecutiveAction._base_manager.filter(pk=action.pk).update(
                original_due_date=day(-60, 60)
            )
        elif step == "delete" and len(actions) > 4 and not action.children.exists():
            action.delete()
        elif step == "visibility":
            action.visibility = rng.choice(Visibility.values)
            action.save()
        elif step == "move_unit":  # one unit saved under a new parent
            new_parents(1)[0].save()
            moves += 1
        elif step == "move_units":  # a bulk edit of several parents, perhaps one inside another
            before = dict(OrganizationUnit.objects.values_list("pk", "path"))
            try:
                bulk_update_with_history(new_parents(rng.choice([2, 3])), ["parent"])
                moves += 1
            except ValidationError:  # together they would make a cycle: refused
                assert dict(OrganizationUnit.objects.values_list("pk", "path")) == before
        if step.startswith("move"):
            unit_list = list(OrganizationUnit.objects.all())
        _check()
    # whatever the random walk did, one tasker completed late and one on time, through the
    # same moves, so that every figure is exercised (the factories' own data vary with the
    # tests run before this one)
    for due in (day(-60, -30), day(30, 60)):
        action = create()
        ExecutiveAction._base_manager.filter(pk=action.pk).update(
            due_date=due, original_due_date=due
        )
        action.refresh_from_db()
        for target in (
            ActionStatus.NOT_STARTED,
            ActionStatus.IN_PROGRESS,
            ActionStatus.SUBMITTED,
            ActionStatus.COMPLETED,
        ):
            move(action, target)
        _check()
    assert any(tallies.stored().values())  # the loop completed taskers on time and late
    figures = [sum(f[i] for f in tallies.stored().values()) for i in range(4)]
    assert all(figures), figures
    assert moves >= 10  # the unit tree moved often, nested moves among them


@pytest.mark.parametrize("who", ["administrator", "alice", "bob", "charlie", "viewer"])
def test_the_rates_a_user_sees_equal_a_live_count_of_what_they_see(
    request, units, who, administrator
):
    user = request.getfixturevalue(who)
    rng = random.Random(7)
    today = timezone.localdate()
    for i in range(40):
        due = today + datetime.timedelta(days=rng.randint(-40, 10))
        ExecutiveActionFactory(
            lead_unit=rng.choice(list(units.values())),
            status=ActionStatus.COMPLETED,
            visibility=Visibility.values[i % len(Visibility.values)],
            security_classification=rng.choice(
                [SecurityClassification.UNCLASSIFIED, SecurityClassification.CUI]
            ),
            issue_date=today - datetime.timedelta(days=90),
            due_date=due,
            original_due_date=due - datetime.timedelta(days=rng.randint(0, 10)),
            completed_date=today - datetime.timedelta(days=rng.randint(0, 30)),
            accountable_person=rng.choice([None, user.person]) if hasattr(user, "person") else None,
        )
    _check()
    for unit in units.values():
        filters = DashboardFilters(unit=unit)
        base = ExecutiveAction.objects.visible_to(user).filter(filters.queryset_filter())
        live = tallies._live(base.filter(status=ActionStatus.COMPLETED))
        assert tallies.completion_counts(user, filters, base) == live, unit.code
        priority = DashboardFilters(unit=unit, priority=Priority.HIGH)
        base = ExecutiveAction.objects.visible_to(user).filter(priority.queryset_filter())
        live = tallies._live(base.filter(status=ActionStatus.COMPLETED))
        assert tallies.completion_counts(user, priority, base) == live, unit.code


def test_rebuild_recounts_what_a_load_without_triggers_wrote(units):
    ExecutiveActionFactory.create_batch(5, status=ActionStatus.COMPLETED)
    tallies.rebuild()
    _check()
