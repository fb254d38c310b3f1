"""``execcoord.db``: the techniques that reach past Django's public ORM, each on its own.

Run on SQLite and on PostgreSQL (``DATABASE_URL``): each test asserts what the technique
promises on the database it runs on.
"""

import datetime
import importlib
import types
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from actions.demo.actions import ExecutiveActionFactory, StatusUpdateFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.demo.partners import OrganizationUnitFactory
from actions.models import ExecutiveAction, StatusUpdate
from execcoord.db.arrays import InArray
from execcoord.db.counts import (
    capped,
    capped_count,
    estimated_count,
    is_whole_table,
)
from execcoord.db.pages import can_defer_join, deferred_join_page
from execcoord.db.trees import compute_paths, path_segment
from execcoord.db.union import count_together, load_together
from execcoord.history import bulk_create_with_history, bulk_update_with_history
from partners.models import OrganizationUnit, Person

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _queries(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, len(captured.captured_queries)


# --- union: several querysets in one UNION ALL ------------------------------------------------


def test_load_together_rebuilds_rows_of_different_models_exactly_in_one_query(units):
    action = ExecutiveActionFactory(
        estimated_budget=Decimal("1234567890.12"),
        issue_date=datetime.date(2026, 1, 31),
        lead_unit=units["OFF-A1"],
    )
    StatusUpdateFactory.create_batch(3, action=action, percent_complete=40)
    querysets = {
        "actions": ExecutiveAction.objects.filter(pk=action.pk),
        "units": OrganizationUnit.objects.order_by("-code")[1:4],
        "people": Person.objects.select_related("organization_unit"),
        "updates": StatusUpdate.objects.filter(action=action).order_by("-pk"),
        "empty": ExecutiveAction.objects.none(),
    }
    loaded, count = _queries(lambda: load_together(querysets))
    assert count == 1
    for key, queryset in querysets.items():
        assert [_fields(o) for o in loaded[key]] == [_fields(o) for o in queryset], key
    [row] = loaded["actions"]
    assert row.estimated_budget == Decimal("1234567890.12")  # not a float on the way
    assert isinstance(row.created_at, datetime.datetime) and row.created_at.tzinfo is not None
    assert row.issue_date == datetime.date(2026, 1, 31)
    _, reads = _queries(lambda: [str(p.organization_unit) for p in loaded["people"]])
    assert reads == 0  # the joined records came with the rows


def test_count_together_counts_several_querysets_in_one_query(units):
    ExecutiveActionFactory.create_batch(3, lead_unit=units["BUR-A"])
    counts, count = _queries(
        lambda: count_together(
            {
                "led": ExecutiveAction.objects.filter(lead_unit=units["BUR-A"]),
                "units": OrganizationUnit.objects.all(),
                "none": ExecutiveAction.objects.none(),
            }
        )
    )
    assert count == 1
    assert counts == {"led": 3, "units": OrganizationUnit.objects.count(), "none": 0}


def test_global_search_fetches_the_hits_of_every_model_through_the_same_union(units, superuser):
    from execcoord.search import global_search

    ExecutiveActionFactory(title="Harbour inspection", estimated_budget=Decimal("10.50"))
    OrganizationUnitFactory(name="Harbour inspection office", code="HARBOUR")
    global_search(superuser, "harbour inspection")  # the user's permissions, once
    with CaptureQueriesContext(connection) as captured:
        groups = global_search(superuser, "harbour inspection")
    assert len(captured.captured_queries) == 2  # locate, then fetch: whatever the models
    hits = {type(hit): hit for group in groups for hit in group["hits"]}
    assert set(hits) == {ExecutiveAction, OrganizationUnit}
    action = hits[ExecutiveAction]
    assert _fields(action) == _fields(ExecutiveAction.objects.get(pk=action.pk))


# --- arrays: ids as one parameter -------------------------------------------------------------


def test_in_array_matches_exactly_the_listed_ids_and_an_empty_list_matches_nothing():
    first, second, _third = ExecutiveActionFactory.create_batch(3)
    assert set(ExecutiveAction.objects.filter(InArray("pk", [first.pk, second.pk]))) == {
        first,
        second,
    }
    assert not ExecutiveAction.objects.filter(InArray("pk", [])).exists()
    assert ExecutiveAction.objects.exclude(InArray("pk", [first.pk])).count() == 2
    both = Q(InArray("pk", [first.pk, second.pk])) & Q(title=second.title)
    assert list(ExecutiveAction.objects.filter(both)) == [second]
    counted = ExecutiveAction.objects.aggregate(n=Count("pk", filter=Q(InArray("pk", [first.pk]))))
    assert counted == {"n": 1}


def test_in_array_sends_the_ids_as_one_parameter_on_postgresql():
    query = ExecutiveAction.objects.filter(InArray("pk", range(1, 501))).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    if POSTGRES:
        assert "= ANY(" in sql and len(params) == 1
    else:
        assert " IN (" in sql and len(params) == 500


def test_in_array_of_a_subquery_matches_its_rows_and_an_index_serves_it_inside_an_or():
    """``InArray("pk", queryset)``: the same rows as ``pk__in=queryset``, as an array the
    planner can read from the primary key's index inside an ``OR`` (PostgreSQL)."""
    first, second, third = ExecutiveActionFactory.create_batch(3)
    chosen = ExecutiveAction.objects.filter(pk__in=[first.pk, third.pk]).values("pk")
    assert set(ExecutiveAction.objects.filter(InArray("pk", chosen))) == {first, third}
    either = Q(InArray("pk", chosen)) | Q(title=second.title)
    assert ExecutiveAction.objects.filter(either).count() == 3
    none = ExecutiveAction.objects.filter(pk__in=[]).values("pk")
    assert not ExecutiveAction.objects.filter(InArray("pk", none.filter(pk=-1))).exists()
    sql, _params = (
        ExecutiveAction.objects.filter(either).query.get_compiler(connection=connection).as_sql()
    )
    assert ("= ANY(ARRAY(SELECT" in sql) if POSTGRES else (" IN (SELECT" in sql)


def test_is_untouched_is_true_only_for_a_manager_s_own_queryset():
    """A rule built on the whole table may be copied onto another whole table, never onto a
    queryset with filters, columns, order, slices, joins or locks of its own."""
    from execcoord.db.shape import is_untouched

    table = ExecutiveAction.objects
    assert is_untouched(table.all())
    for changed in (
        table.filter(pk=1),
        table.values("pk"),
        table.order_by("title"),
        table.all()[:5],
        table.select_related("lead_unit"),
        table.prefetch_related("tags"),
        table.only("title"),
        table.annotate(n=Count("pk")),
        table.distinct(),
        table.select_for_update(),
        table.exclude(title=""),
    ):
        assert not is_untouched(changed), changed.query


def test_in_on_an_integer_column_ignores_values_it_cannot_hold():
    action = ExecutiveActionFactory()
    huge = 10**20
    assert list(ExecutiveAction.objects.filter(pk__in=[huge, action.pk])) == [action]
    assert not ExecutiveAction.objects.filter(pk__in=[huge]).exists()


# --- counts: capped at COUNT_CAP ------------------------------------------------------------


def test_capped_count_stops_after_cap_plus_one_rows():
    ExecutiveActionFactory.create_batch(6)
    rows = ExecutiveAction.objects.order_by("title")
    assert capped_count(rows, cap=3) == 4
    assert capped_count(rows, cap=10) == 6
    sql = str(capped(rows, cap=3).query).upper()
    assert "LIMIT 4" in sql and "ORDER BY" not in sql


def test_estimated_count_is_exact_under_the_cap_and_never_below_the_rows_counted():
    ExecutiveActionFactory.create_batch(6, priority="high")
    everything = ExecutiveAction.objects.all()
    assert is_whole_table(everything.query)
    assert not is_whole_table(everything.filter(priority="high").query)
    assert estimated_count(everything, cap=10) == 6
    filtered, count = _queries(lambda: estimated_count(everything.filter(priority="high"), cap=3))
    if POSTGRES:
        assert filtered >= 4 and count == 2  # capped count, then the planner's estimate
    else:
        assert (filtered, count) == (6, 1)


def test_the_lists_admin_and_search_share_one_cap():
    from execcoord import admin, search, tables
    from execcoord.db.counts import COUNT_CAP

    paginator = admin.BaseAdmin.get_paginator(None, None, ExecutiveAction.objects.all(), 50)
    assert type(paginator) is tables.CappedCountPaginator and paginator.estimate_above_cap
    assert tables.CappedCountPaginator.cap == COUNT_CAP
    assert search.COUNT_CAP == COUNT_CAP == 1000


# --- pages: deferred join -------------------------------------------------------------------


def test_a_deferred_join_page_gives_the_rows_of_the_slice_with_their_joins(units):
    ExecutiveActionFactory.create_batch(7, lead_unit=units["OFF-B1"])
    rows = ExecutiveAction.objects.select_related("lead_unit").order_by("-title", "pk")
    assert can_defer_join(rows)
    page = deferred_join_page(rows, slice(2, 5))
    assert list(page) == list(rows[2:5])
    sql = str(page.query).upper()
    assert "OFFSET 2" in sql or "LIMIT 3 OFFSET 2" in sql
    _, reads = _queries(lambda: [str(a.lead_unit) for a in deferred_join_page(rows, slice(2, 5))])
    assert reads == 1  # the page's one query; the units came joined
    assert not can_defer_join(rows.annotate(n=Count("children")))
    assert not can_defer_join(rows.distinct())


# --- trees: materialised paths --------------------------------------------------------------


def _tree():
    top = ExecutiveActionFactory(title="Top")
    middle = ExecutiveActionFactory(title="Middle", parent=top)
    bottom = ExecutiveActionFactory(title="Bottom", parent=middle)
    other = ExecutiveActionFactory(title="Other")
    return top, middle, bottom, other


def _fresh(*objs):
    return [type(o).objects.get(pk=o.pk) for o in objs]


def test_an_action_keeps_its_path_and_its_subtree_is_a_prefix_match():
    top, middle, bottom, other = _fresh(*_tree())
    assert top.path == path_segment(top.pk) and top.depth == 0
    assert bottom.path == top.path + path_segment(middle.pk) + path_segment(bottom.pk)
    assert bottom.depth == 2
    assert set(ExecutiveAction.objects.subtree(top)) == {top, middle, bottom}
    assert list(ExecutiveAction.objects.descendants_of(top).order_by("depth")) == [middle, bottom]
    assert list(bottom.get_ancestors()) == [top, middle]
    assert top.is_ancestor_of(bottom) and not bottom.is_ancestor_of(top)
    assert top.version == 1  # writing the path after the insert is part of the creation
    created = top.history.get()
    assert (created.history_type, created.path) == ("+", top.path)


def test_moving_an_action_carries_its_sub_taskers_with_history():
    top, middle, bottom, other = _fresh(*_tree())
    middle.parent = other
    middle.save()
    middle, bottom = _fresh(middle, bottom)
    assert middle.path == other.path + path_segment(middle.pk)
    assert bottom.path == middle.path + path_segment(bottom.pk) and bottom.depth == 2
    assert set(ExecutiveAction.objects.subtree(top)) == {top}
    assert bottom.history.first().path == bottom.path


def test_a_save_that_keeps_the_parent_reads_nothing_for_the_tree():
    _, middle, _, _ = _fresh(*_tree())
    middle.title = "Renamed"
    _, count = _queries(middle.save)
    before = count
    middle.notes = "again"
    _, count = _queries(lambda: middle.save(update_fields=["notes"]))
    assert count <= before
    with CaptureQueriesContext(connection) as captured:
        middle.save()
    assert not any('"path" LIKE' in q["sql"] for q in captured.captured_queries)


def test_one_cycle_check_for_every_tree_with_each_models_message():
    top, middle, bottom, _ = _fresh(*_tree())
    top.parent = bottom
    with pytest.raises(ValidationError) as error:
        top.full_clean()
    assert error.value.message_dict["parent"] == [
        "This parent would make the action a sub-tasker of itself."
    ]
    with pytest.raises(ValidationError), transaction.atomic():
        top.save()  # save refuses too: the paths would loop

    root = OrganizationUnitFactory(code="R")
    leaf = OrganizationUnitFactory(code="L", parent=OrganizationUnitFactory(code="C", parent=root))
    root.parent = leaf
    with pytest.raises(ValidationError) as error:
        root.full_clean()
    assert "own sub-units" in error.value.message_dict["parent"][0]

    upper = LegalAuthorityFactory()
    lower = LegalAuthorityFactory(parent=upper)
    upper.parent = lower
    with pytest.raises(ValidationError) as error:
        upper.full_clean()  # a tree without a path: the parent walk of the same check
    assert "under itself" in error.value.message_dict["parent"][0]


def test_the_database_refuses_a_unit_as_its_own_parent():
    unit = OrganizationUnitFactory()
    unit.parent_id = unit.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_bulk_created_actions_get_their_paths_and_creation_rows_carry_them():
    parent = ExecutiveActionFactory()
    new = [
        ExecutiveActionFactory.build(
            parent=parent,
            number=f"EA-2026-9{i:04d}",
            action_type=parent.action_type,
            lead_unit=parent.lead_unit,
            accountable_person=parent.accountable_person,
        )
        for i in range(3)
    ]
    bulk_create_with_history(new, ExecutiveAction)
    for action in ExecutiveAction.objects.filter(parent=parent):
        assert action.path == parent.path + path_segment(action.pk)
        assert (action.depth, action.version) == (1, 1)
        assert action.history.get().path == action.path


def test_bulk_parent_updates_move_the_nodes_and_their_descendants():
    top, middle, bottom, other = _fresh(*_tree())
    below_bottom = ExecutiveActionFactory(parent=bottom)
    # two moves in one batch, the second under a node the first moves
    middle.parent = other
    top.parent = bottom
    bulk_update_with_history([middle, top], ["parent"], ExecutiveAction)
    top, middle, bottom, other, below_bottom = _fresh(top, middle, bottom, other, below_bottom)
    assert middle.path == other.path + path_segment(middle.pk)
    assert bottom.path == middle.path + path_segment(bottom.pk)
    assert top.path == bottom.path + path_segment(top.pk) and top.depth == 3
    assert below_bottom.path == bottom.path + path_segment(below_bottom.pk)
    assert set(ExecutiveAction.objects.subtree(other)) == {other, middle, bottom, top, below_bottom}


def test_a_bulk_move_under_its_own_descendant_is_refused():
    top, middle, bottom, _ = _fresh(*_tree())
    top.parent = bottom
    with pytest.raises(ValidationError), transaction.atomic():
        bulk_update_with_history([top], ["parent"], ExecutiveAction)
    assert ExecutiveAction.objects.get(pk=top.pk).parent_id is None


def test_compute_paths_builds_a_forest_and_refuses_a_loop():
    assert compute_paths({1: None, 2: 1, 3: 2, 4: None}) == {
        1: path_segment(1),
        2: path_segment(1) + path_segment(2),
        3: path_segment(1) + path_segment(2) + path_segment(3),
        4: path_segment(4),
    }
    with pytest.raises(ValueError, match="loop"):
        compute_paths({1: 2, 2: 1})


def test_the_migration_fills_the_paths_of_existing_actions():
    from django.apps import apps

    top, middle, bottom, other = _tree()
    for action in (top, middle, bottom, other):
        action.path, action.depth = "", 0
    ExecutiveAction._base_manager.bulk_update([top, middle, bottom, other], ["path", "depth"])
    migration = importlib.import_module("actions.migrations.0009_action_tree_paths")
    migration.fill_paths(apps, types.SimpleNamespace(connection=connection))
    top, middle, bottom, other = _fresh(top, middle, bottom, other)
    assert bottom.path == path_segment(top.pk) + path_segment(middle.pk) + path_segment(bottom.pk)
    assert (bottom.depth, other.path) == (2, path_segment(other.pk))


def test_sub_taskers_are_read_in_one_query_through_the_path(units, alice):
    from actions.workflow import descendants

    top = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    child = ExecutiveActionFactory(parent=top, lead_unit=units["OFF-A1"])
    grandchild = ExecutiveActionFactory(parent=child, lead_unit=units["OFF-A1"])
    ExecutiveActionFactory(lead_unit=units["OFF-A1"])  # not below
    descendants(top, alice)  # the user's scope, once
    nodes, count = _queries(lambda: descendants(top, alice))
    assert count == 1
    assert [(n.action, n.depth) for n in nodes] == [(child, 1), (grandchild, 2)]
    sql = str(ExecutiveAction.objects.descendants_of(top).query)
    assert "RECURSIVE" not in sql.upper() and "LIKE" in sql.upper()


def test_a_compiled_query_gives_what_the_orm_gives_for_each_value():
    """``compiled_rows`` compiles once and runs again with another value: the rows equal the
    ORM's own, for several values (the value may be several parameters), and a build whose
    SQL does not carry the value as a parameter is refused. On PostgreSQL the statement is
    prepared once per connection, and logged with its values as Django logs its own."""
    from django.db.models import Exists, OuterRef

    from execcoord.db.compiled import _COMPILED, compiled_rows

    units = [OrganizationUnitFactory() for _ in range(3)]
    child = OrganizationUnitFactory(parent=units[1])

    def build(pk):
        children = OrganizationUnit.objects.filter(parent=OuterRef("pk"))
        return (
            OrganizationUnit.objects.filter(pk=pk)
            .annotate(has_children=Exists(children))
            .values("name", "path", "has_children")
            .order_by()
        )

    _COMPILED.clear()
    with CaptureQueriesContext(connection) as seen:
        for unit in [*units, child]:
            rows = compiled_rows("test-units", build, unit.pk)
            expected = list(build(unit.pk))
            assert [{**row, "has_children": bool(row["has_children"])} for row in rows] == (
                expected
            )
    assert len(seen.captured_queries) == 8  # each value: the compiled query, the ORM's
    logged = seen.captured_queries[-2]["sql"]
    assert "%s" not in logged and str(child.pk) in logged
    assert compiled_rows("test-units", build, -1) == []

    def either(pk):  # the value twice
        return OrganizationUnit.objects.filter(Q(pk=pk) | Q(parent=pk)).values("pk").order_by("pk")

    assert compiled_rows("test-either", either, units[1].pk) == [
        {"pk": units[1].pk},
        {"pk": child.pk},
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%has_children%"],
            )
            assert cursor.fetchone()[0] == 1  # four runs, one statement prepared
    with pytest.raises(ValueError):
        compiled_rows("test-no-marker", lambda pk: OrganizationUnit.objects.values("pk"), 1)
    with pytest.raises(ValueError):
        compiled_rows("test-not-values", lambda pk: OrganizationUnit.objects.filter(pk=pk), 1)


def test_a_shaped_queryset_is_compiled_once_and_gives_the_orm_s_rows_for_every_value(
    settings,
):
    """``Shaped``: the first call compiles, the next ones only put their values in; the rows
    equal the ORM's own for each tasker (a string value, a missing one and a count
    included), the link to the record is set on each row as a related manager sets it, and
    the checking mode of the tests finds a build that reads what its shape does not name."""
    from execcoord.db import union
    from execcoord.db.union import Counted, Shaped, related_rows

    settings.EXECCOORD_CHECK_SHAPES = False  # the compilations counted are the shapes' own
    tops = [ExecutiveActionFactory() for _ in range(3)]
    for top in tops[:2]:
        child = ExecutiveActionFactory(parent=top)
        ExecutiveActionFactory(parent=child)
        StatusUpdateFactory.create_batch(2, action=top)
    no_unit = ExecutiveActionFactory(lead_unit=None)
    compiled = []
    real_compile = union._compile_part

    def counting(key, queryset):
        compiled.append(key)
        return real_compile(key, queryset)

    def shaped(action, tag):
        return {
            "below": Shaped(
                ("test-below", tag),
                lambda pk, path: ExecutiveAction.objects.below(path, pk).order_by("path"),
                action.pk,
                action.path,
            ),
            "updates": related_rows(action, "status_updates", lambda rows: rows.order_by("-pk")),
            "led": Shaped(
                ("test-led", tag),
                lambda unit: Counted(ExecutiveAction.objects.filter(lead_unit=unit)),
                action.lead_unit_id,
                counted=True,
            ),
        }

    union._SHAPES.clear()
    union._compile_part = counting
    try:
        for action in [*tops, no_unit]:
            loaded, count = _queries(lambda a=action: load_together(shaped(a, "a")))
            assert count == 1
            assert loaded["below"] == list(
                ExecutiveAction.objects.descendants_of(action).order_by("path")
            )
            assert loaded["updates"] == list(action.status_updates.order_by("-pk"))
            assert (
                loaded["led"]
                == ExecutiveAction.objects.filter(lead_unit=action.lead_unit_id).count()
            )
            _, reads = _queries(lambda rows=loaded["updates"]: [u.action for u in rows])
            assert reads == 0  # the row's tasker is the page's
        # twice per shape (two sets of markers), and once more for the missing unit
        assert len(compiled) == 2 * 3 + 2
    finally:
        union._compile_part = real_compile

    lead = {"unit": tops[0].lead_unit_id}

    def reads_a_variable(pk):  # the unit comes from outside the shape
        return Counted(ExecutiveAction.objects.filter(pk__gte=pk, lead_unit=lead["unit"]))

    settings.EXECCOORD_CHECK_SHAPES = True
    load_together({"n": Shaped(("test-outside",), reads_a_variable, tops[0].pk, counted=True)})
    lead["unit"] = tops[1].lead_unit_id
    with pytest.raises(AssertionError, match="test-outside"):
        load_together({"n": Shaped(("test-outside",), reads_a_variable, tops[0].pk, counted=True)})

    # a value sent changed (``path + "%"``), or deciding the SQL, is refused at once
    with pytest.raises(ValueError, match="test-like"):
        load_together(
            {
                "n": Shaped(
                    ("test-like",),
                    lambda path: ExecutiveAction.objects.filter(path__startswith=path),
                    tops[0].path,
                )
            }
        )
    with pytest.raises(ValueError, match="test-decides"):
        load_together(
            {
                "n": Shaped(
                    ("test-decides",),
                    lambda pk: ExecutiveAction.objects.filter(pk__in=list(range(pk % 3 + 1))),
                    tops[0].pk,
                )
            }
        )
    with pytest.raises(ValueError, match="local variables"):
        related_rows(tops[0], "status_updates", lambda rows: rows.filter(pk__in=lead))


def test_an_aggregate_made_once_per_shape_gives_django_s_counts(settings):
    """``aggregate_once`` runs Django's aggregate the first time and sends its SQL again
    for the same shape without building the queryset; the checking mode of the tests
    finds a build that reads what its shape does not name."""
    from execcoord.db import compiled
    from execcoord.db.compiled import aggregate_once

    compiled._AGGREGATES.clear()
    units = [OrganizationUnitFactory() for _ in range(2)]
    ExecutiveActionFactory.create_batch(3, lead_unit=units[0])
    built = []

    def counts_of(unit):
        def build():
            built.append(unit.pk)
            counts = {"led": Count("pk", filter=Q(lead_unit=unit)), "all": Count("pk")}
            return ExecutiveAction.objects.all(), counts

        return build

    settings.EXECCOORD_CHECK_SHAPES = False
    first = aggregate_once(("test-counts", units[0].pk), counts_of(units[0]))
    ExecutiveActionFactory(lead_unit=units[0])
    again, queries = _queries(
        lambda: aggregate_once(("test-counts", units[0].pk), counts_of(units[0]))
    )
    other = aggregate_once(("test-counts", units[1].pk), counts_of(units[1]))
    total = ExecutiveAction.objects.count()
    assert first == {"led": 3, "all": total - 1}
    assert again == {"led": 4, "all": total} and queries == 1  # the same SQL, today's rows
    assert other == {"led": 0, "all": total}
    assert built == [units[0].pk, units[1].pk]  # each shape built once

    settings.EXECCOORD_CHECK_SHAPES = True
    with pytest.raises(AssertionError, match="test-counts"):  # the shape names another unit
        aggregate_once(("test-counts", units[0].pk), counts_of(units[1]))


def test_values_made_once_per_shape_give_django_s_rows(settings, monkeypatch):
    """``values_once`` compiles a ``values()`` queryset once per shape and sends its SQL
    again, reading today's rows; a queryset with no possible rows sends nothing; the checking
    mode of the tests finds a build that reads what its shape does not name."""
    from execcoord.db import compiled
    from execcoord.db.compiled import values_once

    compiled._VALUES.clear()
    compiles = []
    real = compiled._compile_values
    monkeypatch.setattr(compiled, "_compile_values", lambda *a: compiles.append(1) or real(*a))
    units = [OrganizationUnitFactory() for _ in range(2)]
    ExecutiveActionFactory.create_batch(2, lead_unit=units[0], priority="high")
    ExecutiveActionFactory(lead_unit=units[0], priority="low")

    def grouped(unit):
        def build():
            return (
                ExecutiveAction.objects.filter(lead_unit=unit)
                .values("priority")
                .annotate(n=Count("pk"))
                .order_by("priority")
            )

        return build

    def django(unit):
        return [dict(row) for row in grouped(unit)()]

    settings.EXECCOORD_CHECK_SHAPES = False
    first = values_once(("test-values", units[0].pk), grouped(units[0]))
    assert (
        first
        == django(units[0])
        == [
            {"priority": "high", "n": 2},
            {"priority": "low", "n": 1},
        ]
    )
    ExecutiveActionFactory(lead_unit=units[0], priority="low")
    again, queries = _queries(lambda: values_once(("test-values", units[0].pk), grouped(units[0])))
    assert again == django(units[0]) and again[1]["n"] == 2 and queries == 1
    assert values_once(("test-values", units[1].pk), grouped(units[1])) == []
    assert len(compiles) == 2  # one a shape
    nothing, queries = _queries(
        lambda: values_once(("test-none",), lambda: ExecutiveAction.objects.none().values("pk"))
    )
    assert nothing == [] and queries == 0

    settings.EXECCOORD_CHECK_SHAPES = True
    with pytest.raises(AssertionError, match="test-values"):  # the shape names another unit
        values_once(("test-values", units[0].pk), grouped(units[1]))


def test_in_path_sql_names_the_nodes_a_path_spells():
    """``trees.in_path_sql`` (raw SQL, for triggers) picks exactly ``path_ids`` of a path,
    read from another row's path as the tally's triggers read it, at every depth."""
    from execcoord.db.trees import in_path_sql, path_ids

    root = OrganizationUnitFactory()
    middle = OrganizationUnitFactory(parent=root)
    leaf = OrganizationUnitFactory(parent=middle)
    OrganizationUnitFactory()  # in no one's path
    table = OrganizationUnit._meta.db_table
    condition = in_path_sql("u.id", "l.path", connection.vendor)
    for node in (root, middle, leaf):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT u.id FROM {table} l, {table} u WHERE l.id = %s AND {condition} "  # noqa: S608
                "ORDER BY u.depth",
                [node.pk],
            )
            assert [row[0] for row in cursor.fetchall()] == path_ids(node.path)


def test_a_first_page_sorted_by_a_related_record_is_read_by_key_with_the_same_rows(units):
    """Sorted by a related record (the lead unit, by its own ordering), even the first page
    is read by key: the database sorts narrow keys, not whole joined rows."""
    from execcoord.db.pages import orders_by_relation
    from execcoord.tables import DeferredJoinData

    for unit in ("OFF-A1", "OFF-B1", "BUR-A"):
        ExecutiveActionFactory.create_batch(2, lead_unit=units[unit])
    rows = ExecutiveAction.objects.select_related("lead_unit").order_by("lead_unit", "pk")
    assert orders_by_relation(rows)
    assert orders_by_relation(rows.order_by("-lead_unit__name", "pk"))
    assert not orders_by_relation(rows.order_by("-due_date", "pk"))
    data = DeferredJoinData(rows)
    first = data[0:4]
    assert "IN (SELECT" in str(first.query).upper()
    assert list(first) == list(rows[0:4])
