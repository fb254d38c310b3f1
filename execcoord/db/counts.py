"""Counting rows without counting them all: at most ``COUNT_CAP + 1`` (issue 7).

A list of 100,000 rows is never counted whole. The lists and the admin (one paginator,
``tables.CappedCountPaginator``) and global search count at most
``COUNT_CAP + 1`` rows, ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``, and say "more than
{cap}" beyond. On PostgreSQL the admin replaces "more than" by an estimate: the table's
statistics (``pg_class.reltuples``) for a whole table, the planner's row estimate otherwise.
"""

import json

from django.db import connections

COUNT_CAP = 1000


def capped(queryset, cap=COUNT_CAP):
    """At most ``cap + 1`` of the rows, unordered (so an index can serve the scan): more than
    ``cap`` of them means the count is not exact."""
    return queryset.order_by()[: cap + 1]


def capped_count(queryset, cap=COUNT_CAP):
    """The number of rows, counted up to ``cap + 1`` in one query."""
    return capped(queryset, cap).count()


def is_whole_table(query):
    """Whether ``query`` selects every row of its table: no ``WHERE``, join, ``DISTINCT`` or
    slice (an administrator's unfiltered list; anyone else's goes through ``visible_to``, a
    ``WHERE``)."""
    return not (
        query.where
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.extra_tables
        or len(query.alias_map) > 1
    )


def capped_count_and_table_rows(queryset, cap=COUNT_CAP):
    """``(capped count, rows in the table's statistics or None)`` in one query (PostgreSQL).

    The statistics are those of the whole table: use them only for a whole-table query
    (:func:`is_whole_table`), so no one's count shows rows outside their scope.
    """
    connection = connections[queryset.db]
    sql, params = capped(queryset.values("pk"), cap).query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({sql}) AS capped), "
            "(SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s))",
            (*params, table),
        )
        count, reltuples = cursor.fetchone()
    return count, int(reltuples) if reltuples is not None else None


def planner_estimate(queryset):
    """The planner's estimate of the rows of ``queryset`` (one ``EXPLAIN``, no scan;
    PostgreSQL)."""
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def estimated_count(queryset, cap=COUNT_CAP):
    """The exact count up to ``cap``, beyond it an estimate never below the rows counted.

    PostgreSQL: the capped count, then (above the cap) the table's statistics for a whole
    table, read in the same query, or the planner's estimate for a filtered one. Other
    databases (SQLite, in development and tests) count exactly, in one query.
    """
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count()
    queryset = queryset.order_by()
    if is_whole_table(queryset.query):
        count, estimate = capped_count_and_table_rows(queryset, cap)
    else:
        count, estimate = capped_count(queryset, cap), None
    if count <= cap:
        return count
    if estimate is None or estimate <= cap:  # a filter, or statistics not gathered yet
        estimate = planner_estimate(queryset)
    return max(estimate, count)
