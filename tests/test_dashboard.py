"""The manager dashboard: right numbers, every number's link lists exactly its rows, the unit
roll-up, visibility, and a query count that does not grow with units or taskers."""

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from actions.choices import ActionStatus, Visibility
from actions.demo.partners import OrganizationUnitFactory
from actions.filtersets import ExecutiveActionFilterSet
from actions.models import ExecutiveAction
from tests.dashboard_fixtures import NOW, action, build, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(frozen, units, bob):
    return build(units)


def get_dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return response.context


def list_count(user, url):
    """How many rows the action list at ``url`` shows ``user``: the list view's own path,
    its filterset on ``visible_to(user)`` (a full page render per number is slow)."""
    path, _, query = url.partition("?")
    assert resolve(path).url_name == "executiveaction_list"
    request = RequestFactory().get(url)
    request.user = user
    filterset = ExecutiveActionFilterSet(
        QueryDict(query), queryset=ExecutiveAction.objects.visible_to(user), request=request
    )
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def numbers(ctx):
    """Every linked number on the page, as (name, value, url)."""
    out = [(t.label, t.value, t.url) for t in ctx["tiles"]]
    for rate in ctx["rates"]:
        out += [(f"{rate['label']} on time", rate["on_time"].value, rate["on_time"].url)]
        out += [(f"{rate['label']} late", rate["late"].value, rate["late"].url)]
    for chart in ("ageing", "by_unit", "by_type", "by_priority"):
        out += [(f"{chart} {b.label}", b.value, b.url) for b in ctx[chart]]
    for week in ctx["weekly"]:
        out += [(f"opened {week['monday']}", week["opened"].value, week["opened"].url)]
        out += [(f"completed {week['monday']}", week["closed"].value, week["closed"].url)]
    return out


def test_headline_numbers_match_the_hand_counted_fixture(client, bob, units, data):
    ctx = get_dashboard(client, bob, unit=units["BUR-A"].pk)
    tiles = {t.label: t.value for t in ctx["tiles"]}
    # In BUR-A's subtree: A1–A8 and A10 (A9 is OFF-B1's). Counted by hand from the fixture:
    assert tiles == {
        "Open": 5,  # A1 A2 A3 A4 A5
        "Overdue": 4,  # A1 A2 A3 A4
        "Due in 7 days": 1,  # A5
        "Completed this month": 2,  # A6 (16 Nov) A7 (17 Nov); A8 was 29 Oct
        "Taskers extended": 1,  # A7
    }
    original, current = ctx["rates"]
    assert (original["on_time"].value, original["late"].value, original["percent"]) == (1, 2, 33)
    assert (current["on_time"].value, current["late"].value, current["percent"]) == (2, 1, 67)
    assert [b.value for b in ctx["ageing"]] == [1, 1, 1, 1]  # A1, A2, A4, A3
    assert {b.label: b.value for b in ctx["by_priority"]} == {
        "Critical": 1,
        "High": 1,
        "Medium": 1,
        "Low": 1,
    }
    assert [a.title for a in ctx["oldest"]] == ["A3", "A4", "A2", "A1"]
    last_week = ctx["weekly"][-1]  # Monday 16 November
    assert (last_week["opened"].value, last_week["closed"].value) == (1, 2)  # A5; A6 A7
    assert ctx["weekly"][-4]["closed"].value == 1  # A8, week of 26 October
    assert sum(w["opened"].value for w in ctx["weekly"]) == 1


def test_a_grandchild_units_overdue_taskers_roll_up_under_its_ancestors(client, bob, units, data):
    by_unit = {
        b.label: b.value for b in get_dashboard(client, bob, unit=units["BUR-A"].pk)["by_unit"]
    }
    name = {code: unit.abbreviation for code, unit in units.items()}
    # OFF-A1: its own A1 plus A2 and A3 of its child TEAM-A1X
    assert by_unit == {f"{name['BUR-A']} itself": 1, name["OFF-A1"]: 3}
    agency = get_dashboard(client, bob, unit=units["AGENCY"].pk)
    by_unit = {b.label: b.value for b in agency["by_unit"]}
    assert by_unit[name["BUR-A"]] == 4 and by_unit[name["BUR-B"]] == 1


@pytest.mark.parametrize("unit_code", ["BUR-A", "AGENCY", "OFF-A1"])
def test_every_number_links_to_a_list_with_exactly_that_many_rows(
    client, bob, units, data, unit_code
):
    ctx = get_dashboard(client, bob, unit=units[unit_code].pk)
    checked = 0
    for name, value, url in numbers(ctx):
        assert list_count(bob, url) == value, (name, url)
        checked += 1
    assert checked > 30


def test_following_a_number_opens_the_list_page_with_that_many_rows(client, bob, units, data):
    ctx = get_dashboard(client, bob, unit=units["BUR-A"].pk)
    for tile in ctx["tiles"] + [ctx["ageing"][-1], ctx["by_unit"][1]]:
        response = client.get(tile.url)
        assert response.status_code == 200
        assert response.context["table"].paginator.count == tile.value, tile.label


def test_filtered_dashboard_numbers_still_match_their_lists(client, bob, units, data):
    ctx = get_dashboard(
        client,
        bob,
        unit=units["BUR-A"].pk,
        priority="medium",
        due_after=days(-120).isoformat(),
        due_before=days(10).isoformat(),
    )
    assert {t.label: t.value for t in ctx["tiles"]}["Overdue"] == 1  # A3 only
    for name, value, url in numbers(ctx):
        assert list_count(bob, url) == value, (name, url)


def test_a_staff_users_counts_exclude_a_restricted_action_of_another_unit(
    client, alice, units, data
):
    before = {
        t.label: t.value for t in get_dashboard(client, alice, unit=units["AGENCY"].pk)["tiles"]
    }
    action(
        "SECRET",
        units["OFF-B1"],
        ActionStatus.IN_PROGRESS,
        days(-4),
        visibility=Visibility.RESTRICTED,
    )
    ctx = get_dashboard(client, alice, unit=units["AGENCY"].pk)
    after = {t.label: t.value for t in ctx["tiles"]}
    assert after == before
    by_unit = {b.label: b.value for b in ctx["by_unit"]}
    assert by_unit[units["BUR-B"].abbreviation] == 1  # A9 only
    assert "SECRET" not in [a.title for a in ctx["oldest"]]


def test_the_unit_picker_offers_units_and_defaults_to_the_managed_unit(client, bob, units, data):
    ctx = get_dashboard(client, bob)
    assert ctx["unit"] == units["BUR-A"]


def test_the_unit_picker_checks_the_chosen_unit_and_the_chart_shows_its_children(
    client, bob, units, data
):
    """The picker looks up the one unit chosen (never the agency's whole tree): a unit shows
    with its child units in the chart, by name; an unknown id is a field error and the
    dashboard opens on the default unit."""
    from partners.models import OrganizationUnit

    unit = units["BUR-A"]
    ctx = get_dashboard(client, bob, unit=unit.pk)
    assert ctx["unit"] == unit
    children = OrganizationUnit.objects.filter(parent=unit).order_by("name", "pk")
    assert [bar.label for bar in ctx["by_unit"]] == [
        f"{unit.abbreviation or unit.name} itself",
        *(child.abbreviation or child.name for child in children),
    ]
    assert children
    for wrong in (10**6, "x", 10**20):
        ctx = get_dashboard(client, bob, unit=wrong)
        assert ctx["form"].errors["unit"]
        assert ctx["unit"] == unit  # bob's managed unit, the default


def count_queries(client, user, unit):
    client.force_login(user)
    client.get(reverse("dashboard"), {"unit": unit.pk})  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard"), {"unit": unit.pk}).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_units_or_taskers(client, bob, units, data):
    small = count_queries(client, bob, units["BUR-A"])
    for i in range(6):
        unit = OrganizationUnitFactory(code=f"EXTRA-{i}", parent=units["BUR-A"])
        sub = OrganizationUnitFactory(code=f"EXTRA-{i}-SUB", parent=unit)
        for j in range(4):
            action(f"X{i}{j}", sub, ActionStatus.IN_PROGRESS, days(-j * 20 - 1))
    large = count_queries(client, bob, units["BUR-A"])
    assert large == small
    assert large <= 16  # session, user, scope and permissions take 7 of them


def test_a_readers_next_visit_compiles_no_counts_and_shows_new_work(
    client, bob, units, data, monkeypatch
):
    """The counts' and the dwell times' queries are compiled once per reader, filters and day
    (``compiled.values_once``): the next visit sends them again without building them, and a
    tasker that became overdue since is counted."""
    from execcoord.db import compiled

    compiled._VALUES.clear()
    compiles = []
    real = compiled._compile_values
    monkeypatch.setattr(compiled, "_compile_values", lambda *a: compiles.append(1) or real(*a))
    monkeypatch.setattr("django.conf.settings.EXECCOORD_CHECK_SHAPES", False)
    unit = units["BUR-A"]
    first = {t.label: t.value for t in get_dashboard(client, bob, unit=unit.pk)["tiles"]}
    assert len(compiles) == 2  # the counts, the dwell times
    action("A11", unit, ActionStatus.IN_PROGRESS, days(-3))
    again = {t.label: t.value for t in get_dashboard(client, bob, unit=unit.pk)["tiles"]}
    assert len(compiles) == 2  # the same SQL, sent again
    assert again["Overdue"] == first["Overdue"] + 1
    assert again["Open"] == first["Open"] + 1
    get_dashboard(client, bob, unit=units["OFF-A1"].pk)
    assert len(compiles) == 4  # another unit is another query
