"""The dashboard's on-time rates from a maintained tally (``CompletionTally``), exact and
independent of how many completed taskers history holds and how many units the agency has
(issue 20).

**What a row counts.** A row holds the four figures of the completed taskers of one
visibility and classification led anywhere in one unit's subtree (the unit's own and every
unit under it). A dashboard of any unit then reads at most one row per visibility and
classification (a few dozen), whatever the number of taskers or of units under it.

**Maintenance.** Database triggers on ``actions_executiveaction`` subtract a row's old
contribution and add its new one, to its lead unit and to every unit above it, in the
statement that writes it (insert, update, delete), on PostgreSQL and on SQLite alike (the
same ``INSERT … ON CONFLICT DO UPDATE``), so no code path, bulk edit or import can leave the
tally stale and nothing is cached. The units above the lead unit are the ids its materialised
path spells, read by the trigger from the path itself (``trees.in_path_sql``). A row
contributes to ``on_time_*``/``late_*`` when it is completed with a completion date and the
deadline (original or current suspense) is set: the same rule as ``due.completed_on_time_q``;
a tasker without a lead unit is in no unit's subtree and counts nowhere.

A unit that moves changes the subtrees of the units it leaves and joins: every move of the
unit tree (``TreeNode.save`` and the bulk edits, which keep the paths) sends
``trees.tree_moved`` in its transaction, and :func:`units_moved` recounts exactly the units
whose subtree changed (those in the old path or the new one but not both).
:func:`rebuild` recounts everything (the benchmark generator loads with triggers off);
:func:`recount` is the full recount the tests compare the tally with, written without SQL.

**Visibility.** A tally row counts every tasker of its key, so it may serve a user only for
keys whose taskers the user sees *all* of: public ones; internal ones for agency staff;
restricted ones when the dashboard's unit is inside a subtree the user manages (every
restricted tasker led there involves a unit of theirs); never confidential ones (seen only
by those named on them); and only classifications the user's clearance allows.
Administrators see all. :func:`completion_counts` reads the covered keys from the tally and
counts the rest of the visible completed taskers live through ``visible_to``; with a
suspense-date filter (which the tally has no key for) it counts everything live.
"""

from collections import defaultdict

from django.db import connection, connections, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from actions.choices import ActionStatus, Visibility
from actions.models import CompletionTally, ExecutiveAction, allowed_classifications
from actions.models.action import ExecutiveActionQuerySet
from execcoord.db.compiled import aggregate_once
from execcoord.db.trees import in_path_sql, path_ids
from partners.access import get_user_scope
from partners.models import OrganizationUnit

FIGURES = ("on_time_original", "late_original", "on_time_current", "late_current")
KEY = ("unit_id", "visibility", "security_classification")


def _figures_sql(row):
    """SQL expressions (of ``NEW``, ``OLD`` or a table) of the four figures of one row."""
    done = f"{row}.status = '{ActionStatus.COMPLETED}' AND {row}.completed_date IS NOT NULL"

    def met(deadline, on_time):
        compare = "<=" if on_time else ">"
        return (
            f"CASE WHEN {done} AND {row}.{deadline} IS NOT NULL AND "
            f"{row}.completed_date {compare} {row}.{deadline} THEN 1 ELSE 0 END"
        )

    return [
        met("original_due_date", True),
        met("original_due_date", False),
        met("due_date", True),
        met("due_date", False),
    ]


def _upsert_sql(row, sign, vendor):
    """Add ``sign`` × the contribution of ``row`` (``NEW`` or ``OLD``) to its lead unit and
    every unit above it, when it counts: one ``INSERT … SELECT … WHERE … ON CONFLICT DO
    UPDATE`` (PostgreSQL and SQLite)."""
    table, units = CompletionTally._meta.db_table, OrganizationUnit._meta.db_table
    values = ", ".join(
        [
            "u.id",
            f"{row}.visibility",
            f"{row}.security_classification",
            *(f"{sign}({f})" for f in _figures_sql(row)),
        ]
    )
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIGURES)
    return (
        f"INSERT INTO {table} ({', '.join(KEY)}, {', '.join(FIGURES)}) SELECT {values} "
        f"FROM {units} l, {units} u WHERE l.id = {row}.lead_unit_id "
        f"AND {in_path_sql('u.id', 'l.path', vendor)} AND {_counts(row)} "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"
    )


def rebuild_sql(vendor):
    """The statement that fills an empty tally from the actions table: the figures of each
    lead unit first (one pass over the completed taskers), then added up into every unit
    above it."""
    table, actions = CompletionTally._meta.db_table, ExecutiveAction._meta.db_table
    units = OrganizationUnit._meta.db_table
    sums = ", ".join(
        f"SUM({f}) AS {name}" for f, name in zip(_figures_sql("a"), FIGURES, strict=True)
    )
    return (
        f"INSERT INTO {table} ({', '.join(KEY)}, {', '.join(FIGURES)}) "
        f"SELECT u.id, g.visibility, g.security_classification, "
        f"{', '.join(f'SUM(g.{f})' for f in FIGURES)} FROM ("
        f"SELECT a.lead_unit_id, a.visibility, a.security_classification, {sums} "
        f"FROM {actions} a WHERE {_counts('a')} AND a.lead_unit_id IS NOT NULL "
        f"GROUP BY a.lead_unit_id, a.visibility, a.security_classification) g, "
        f"{units} l, {units} u WHERE l.id = g.lead_unit_id "
        f"AND {in_path_sql('u.id', 'l.path', vendor)} "
        f"GROUP BY u.id, g.visibility, g.security_classification"
    )


def _unit_recount_sql():
    """The statement that fills the (emptied) rows of one unit, ``%s`` its id and ``%s`` its
    path followed by ``%``: the completed taskers led in its subtree (the path's index)."""
    table, actions = CompletionTally._meta.db_table, ExecutiveAction._meta.db_table
    units = OrganizationUnit._meta.db_table
    sums = ", ".join(f"SUM({f})" for f in _figures_sql("a"))
    return (
        f"INSERT INTO {table} ({', '.join(KEY)}, {', '.join(FIGURES)}) "
        f"SELECT %s, a.visibility, a.security_classification, {sums} "
        f"FROM {actions} a, {units} l WHERE l.id = a.lead_unit_id AND l.path LIKE %s "
        f"AND {_counts('a')} GROUP BY a.visibility, a.security_classification"
    )


def recount_units(unit_ids, using=None):
    """Recount the rows of the units ``unit_ids`` from the actions (their subtrees as the
    unit tree stands now)."""
    conn = connections[using or "default"]
    unit_ids = sorted(set(unit_ids))
    if not unit_ids:
        return
    paths = dict(
        OrganizationUnit._base_manager.using(conn.alias)
        .filter(pk__in=unit_ids)
        .values_list("pk", "path")
    )
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        CompletionTally._base_manager.using(conn.alias).filter(unit_id__in=unit_ids).delete()
        for unit_id, path in sorted(paths.items()):
            cursor.execute(_unit_recount_sql(), [unit_id, f"{path}%"])


def units_moved(sender, moves, using=None, **kwargs):
    """``trees.tree_moved`` of the unit tree: recount the units whose subtree changed.

    A unit in the old path of a moved unit but not in its new path lost that unit's subtree;
    one in the new path only gained it; the ones in both (above where the paths part, and
    the moved unit itself) kept it. Whatever else moved in the same edit, a unit whose
    subtree changed is in one path of some move and not the other, so recounting these
    (from the tree as it now stands) is exact.

    Args:
        moves: ``[(old path, new path)]`` of the units whose parent changed (not of their
            descendants, which moved with them).
    """
    changed = set()
    for old, new in moves:
        changed |= set(path_ids(old or "")) ^ set(path_ids(new or ""))
    recount_units(changed, using)


def _counts(row):
    """SQL true when the row counts in some figure (the others add nothing)."""
    return f"({row}.status = '{ActionStatus.COMPLETED}' AND {row}.completed_date IS NOT NULL)"


TRIGGER_NAMES = ("ea_tally_insert", "ea_tally_update", "ea_tally_delete")


def install_sql(vendor):
    """The statements that install the triggers on ``vendor`` (``postgresql``, ``sqlite``)."""
    actions = ExecutiveAction._meta.db_table
    if vendor == "postgresql":
        body = f"""
CREATE OR REPLACE FUNCTION ea_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_upsert_sql("OLD", "-", vendor)};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_upsert_sql("NEW", "", vendor)};
  END IF;
  RETURN NULL;
END $$;
"""
        return [
            body,
            *(f"DROP TRIGGER IF EXISTS {name} ON {actions}" for name in TRIGGER_NAMES),
            *(
                f"CREATE TRIGGER ea_tally_{op.lower()} AFTER {op} ON {actions} "
                "FOR EACH ROW EXECUTE FUNCTION ea_tally()"
                for op in ("INSERT", "UPDATE", "DELETE")
            ),
        ]
    if vendor == "sqlite":
        return [
            *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGER_NAMES),
            f"CREATE TRIGGER ea_tally_insert AFTER INSERT ON {actions} "
            f"BEGIN {_upsert_sql('NEW', '', vendor)}; END",
            f"CREATE TRIGGER ea_tally_update AFTER UPDATE ON {actions} "
            f"BEGIN {_upsert_sql('OLD', '-', vendor)}; {_upsert_sql('NEW', '', vendor)}; END",
            f"CREATE TRIGGER ea_tally_delete AFTER DELETE ON {actions} "
            f"BEGIN {_upsert_sql('OLD', '-', vendor)}; END",
        ]
    raise NotImplementedError(f"the completion tally has no triggers for {vendor}")


def install(schema_editor=None):
    """Install (or replace) the triggers on the current database, and fill the tally."""
    conn = schema_editor.connection if schema_editor is not None else connection
    with conn.cursor() as cursor:
        for statement in install_sql(conn.vendor):
            cursor.execute(statement)
    rebuild(conn)


def uninstall(schema_editor=None):
    conn = schema_editor.connection if schema_editor is not None else connection
    actions = ExecutiveAction._meta.db_table
    with conn.cursor() as cursor:
        for name in TRIGGER_NAMES:
            on = f" ON {actions}" if conn.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if conn.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS ea_tally()")


def _figure_expressions():
    done = Q(status=ActionStatus.COMPLETED, completed_date__isnull=False)

    def met(deadline, on_time):
        lookup = "lte" if on_time else "gt"
        when = (
            done
            & Q(**{f"{deadline}__isnull": False})
            & Q(**{f"completed_date__{lookup}": F(deadline)})
        )
        return Sum(Case(When(when, then=Value(1)), default=Value(0), output_field=IntegerField()))

    return {
        "on_time_original": met("original_due_date", True),
        "late_original": met("original_due_date", False),
        "on_time_current": met("due_date", True),
        "late_current": met("due_date", False),
    }


def recount(queryset=None):
    """``{key tuple: (four figures)}`` counted from the actions (non-zero keys only): each
    lead unit's figures, added up in Python into every unit its path names."""
    queryset = ExecutiveAction._base_manager.all() if queryset is None else queryset
    rows = (
        queryset.filter(
            status=ActionStatus.COMPLETED, completed_date__isnull=False, lead_unit__isnull=False
        )
        .values("lead_unit__path", "visibility", "security_classification")
        .annotate(**_figure_expressions())
        .order_by()
    )
    totals = defaultdict(lambda: [0] * len(FIGURES))
    for row in rows:
        for unit_id in path_ids(row["lead_unit__path"]):
            key = (unit_id, row["visibility"], row["security_classification"])
            for i, figure in enumerate(FIGURES):
                totals[key][i] += row[figure]
    return {key: tuple(figures) for key, figures in totals.items() if any(figures)}


def stored():
    """``{key tuple: (four figures)}`` as the tally holds them (non-zero keys only)."""
    return {
        tuple(row[:3]): tuple(row[3:])
        for row in CompletionTally.objects.values_list(*KEY, *FIGURES)
        if any(row[3:])
    }


def rebuild(using=None):
    """Recount the tally from the actions (after a load with triggers off)."""
    conn = connection if using is None else using
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CompletionTally._meta.db_table}")  # noqa: S608
        cursor.execute(rebuild_sql(conn.vendor))


def covered(user, unit):
    """``(visibilities, classifications)`` of the taskers led in ``unit``'s subtree that
    ``user`` sees all of (``classifications`` ``None``: every one), see the module's text."""
    scope = get_user_scope(user)
    if scope.is_admin:
        return set(Visibility.values), None
    visibilities = {Visibility.PUBLIC}
    if scope.is_internal:
        visibilities.add(Visibility.INTERNAL)
    if scope.person_id and scope.manages_path(unit.path):
        visibilities.add(Visibility.RESTRICTED)
    return visibilities, set(allowed_classifications(scope.clearance_rank))


def completion_plan(user, filters):
    """``(tallied, rest)``: :func:`tallied_figures` and :func:`live_rest`."""
    return tallied_figures(user, filters), live_rest(user, filters)


def _served(filters):
    """Whether the tally can serve ``filters``: it has no key for a type, a priority, a
    suspense date or the issuing unit, so with one of those filters (or the secretariat's
    "issued by" scope) everything is counted live."""
    return not (
        filters.due_after
        or filters.due_before
        or filters.action_type_id
        or filters.priority
        or filters.issued
    )


def tallied_figures(user, filters, shape=None):
    """The four figures read from the tally for the keys ``user`` sees all of under
    ``filters`` (``None`` when the tally cannot serve the filters).

    ``shape``: names the user's scope and the filters; the query is then compiled once for
    it (``compiled.aggregate_once``).
    """
    if not _served(filters):
        return None

    def build():
        visibilities, classifications = covered(user, filters.unit)
        # one row per visibility and classification: the unit's subtree is counted in its rows
        tally = CompletionTally.objects.filter(unit_id=filters.unit.pk, visibility__in=visibilities)
        if classifications is not None:
            tally = tally.filter(security_classification__in=classifications)
        return tally, {f: Sum(f) for f in FIGURES}

    totals = aggregate_once(shape, build)
    return {f: int(totals[f] or 0) for f in FIGURES}


def live_rest(user, filters):
    """The ``Q`` of the completed taskers the tally leaves out for ``user`` under
    ``filters`` (among those ``user`` sees): everything when it cannot serve them."""
    if not _served(filters):
        return Q()
    visibilities, _ = covered(user, filters.unit)
    return _rest(user, visibilities)


def _rest(user, covered_visibilities):
    """The ``Q`` of the completed taskers the tally's part leaves out: those of the other
    visibilities that ``user`` may see (``ExecutiveActionQuerySet.seen_q``, read through
    indexes), so the live part is the user's own few and does not grow with history. A
    classification above the user's clearance is neither in the tally's part nor visible."""
    scope = get_user_scope(user)
    rest = Q(pk__in=[])
    for visibility in sorted(set(Visibility.values) - covered_visibilities):
        seen = ExecutiveActionQuerySet.seen_q(scope, visibility, indexed=True)
        rest |= Q(visibility=visibility) & seen
    return rest


def completion_counts(user, filters, base):
    """The four figures for the dashboard's ``filters`` as ``user`` sees them: the tally's
    part and a live count of the rest (the dashboard folds the live part into its one
    ``GROUP BY``; this is the same sum in two queries, for tests and other readers).

    Args:
        user: the signed-in user.
        filters: a ``queries.DashboardFilters``.
        base: the visible, filtered taskers (``visible_to(user)`` and ``filters``).
    """
    tallied, rest = completion_plan(user, filters)
    extra = _live(base.filter(rest, status=ActionStatus.COMPLETED, completed_date__isnull=False))
    if tallied is None:
        return extra
    return {f: tallied[f] + extra[f] for f in FIGURES}


def _live(queryset):
    totals = queryset.aggregate(**_figure_expressions(), n=Count("pk"))
    return {f: totals[f] or 0 for f in FIGURES}
