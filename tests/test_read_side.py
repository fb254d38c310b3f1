"""The actions app's homes: one definition of "due" (``actions.due``) read alike by the
querysets, the list filters, the dashboard and the reminders; My work and the dashboard as
declared lists (``actions.queries``); numbering with its counter."""

import ast
import datetime
import itertools
from pathlib import Path

import pytest
import time_machine
from django.http import QueryDict

from actions import due, queries
from actions.choices import ActionStatus
from actions.demo.actions import ExecutiveActionFactory
from actions.management.commands.send_reminders import build_digests
from actions.models import ActionNumberSequence, ExecutiveAction
from execcoord import registry
from tests.dashboard_fixtures import NOW, TODAY

ACTIONS = Path(queries.__file__).parent


@pytest.fixture
def spread(db, units, alice):
    """A tasker for every status and suspense date from 3 days ago to 10 days ahead (and
    none), all accountable to alice."""
    dates = [None, *(TODAY + datetime.timedelta(days=n) for n in range(-3, 11))]
    with time_machine.travel(NOW, tick=False):
        return [
            ExecutiveActionFactory(
                status=status,
                due_date=date,
                lead_unit=units["OFF-A1"],
                accountable_person=alice.person,
            )
            for status, date in itertools.product(ActionStatus.values, dates)
        ]


def test_overdue_and_due_soon_mean_one_thing_everywhere(rf, admin_user, spread):
    """The queryset, the list filter, the loaded tasker, the dashboard's count and the
    reminders all count the same taskers as overdue and as due soon."""
    days = 7
    overdue = {a.pk for a in spread if due.is_overdue(a, TODAY)}
    soon = {
        a.pk
        for a in spread
        if a.status in (s for s in ActionStatus.values if s not in ("completed", "cancelled"))
        and a.due_date
        and TODAY <= a.due_date <= TODAY + datetime.timedelta(days=days)
    }
    assert overdue and soon  # the spread has both
    everything = ExecutiveAction.objects.all()
    assert set(everything.overdue(TODAY).values_list("pk", flat=True)) == overdue
    assert set(everything.due_within(days, TODAY).values_list("pk", flat=True)) == soon

    views = registry.get(ExecutiveAction)
    request = rf.get("/")
    request.user = admin_user
    with time_machine.travel(NOW, tick=False):
        for query, expected in (("overdue=true", overdue), (f"due_within={days}", soon)):
            filterset = views.filterset(QueryDict(query), queryset=everything, request=request)
            assert {a.pk for a in filterset.qs} == expected, query
        counts, _, _ = queries.dashboard_counts(
            lambda: (everything, None), TODAY, days, queries.week_starts(TODAY), 20
        )
        digests = build_digests(TODAY)
    assert counts["overdue"] == len(overdue)
    assert counts["due_soon"] == len(soon)
    (digest,) = digests.values()  # alice's
    assert {item.action.pk for item in digest.overdue} == overdue


def test_my_work_draws_the_sections_it_is_given(alice, spread):
    """A section is one entry of ``MY_WORK``: a list of specs makes the page."""
    picked = [s for s in queries.MY_WORK if s.key in ("overdue", "accountable")]
    with time_machine.travel(NOW, tick=False):
        sections, pid = queries.my_work(alice, TODAY, specs=picked)
    assert pid == alice.person.pk
    assert [s.key for s in sections] == ["accountable", "overdue"]
    overdue = sections[1]
    assert overdue.count == ExecutiveAction.objects.overdue(TODAY).count()
    assert "overdue=true" in overdue.url and f"involving_person={pid}" in overdue.url


def test_my_work_leaves_out_managers_sections_for_others(alice, bob, spread):
    with time_machine.travel(NOW, tick=False):
        staff = {s.key for s in queries.my_work(alice, TODAY)[0]}
        manager = {s.key for s in queries.my_work(bob, TODAY)[0]}
    managers_only = {s.key for s in queries.MY_WORK if s.managers}
    assert managers_only == {"reviews", "extensions", "needs_officer"}
    assert not staff & managers_only
    assert managers_only <= manager


def test_every_dashboard_tile_is_declared_once_and_counted(admin_user, units, spread):
    keys = [tile.key for tile in queries.TILES]
    assert len(keys) == len(set(keys))
    filters = queries.DashboardFilters(unit=units["AGENCY"])
    with time_machine.travel(NOW, tick=False):
        page = queries.dashboard(admin_user, filters, TODAY, [], {})
    by_label = {number.label: number.value for number in page["tiles"]}
    assert by_label["Overdue"] == ExecutiveAction.objects.overdue(TODAY).count()
    assert by_label["Open"] == ExecutiveAction.objects.open().count()
    assert [r["label"] for r in page["rates"]] == [r.label for r in queries.RATES]


@pytest.mark.django_db
def test_numbers_come_from_the_counter_in_order():
    assert ActionNumberSequence.take("QQ", 3, year=2030) == [
        "QQ-2030-00001",
        "QQ-2030-00002",
        "QQ-2030-00003",
    ]
    assert ActionNumberSequence.take("QQ", year=2030) == ["QQ-2030-00004"]


def _names(node):
    return {alias.name for alias in node.names}


def _imports_inside_functions(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [
                f"{path.name}:{inner.lineno}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    return found


def test_the_models_do_not_reach_for_the_services():
    """Numbering lives with its counter: no model imports ``actions.services`` (the cycle
    once broken by a deferred import), and the services import everything at the top."""
    for path in (ACTIONS / "models").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "actions.services", path.name
                assert not (node.module == "actions" and "services" in _names(node)), path.name
    assert _imports_inside_functions(ACTIONS / "services.py") == []
    assert _imports_inside_functions(ACTIONS / "due.py") == []
