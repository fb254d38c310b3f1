"""A ``values()`` query compiled once per process and run again with another value.

Every request reads the signed-in user's scope (roles, person, unit) and permissions with
queries whose SQL is the same for every user but for the user's id. Django built and
compiled them anew each time, which cost several times what the database spent running
them. This keeps the SQL and its parameters, finds the parameters that carry the value
(built with a marker value), and sends the same SQL with the value in their place.

On PostgreSQL the statement is also prepared, once per connection: the database then plans
it once rather than on every request (the scope query's planning was 0.5 ms of its 0.6 ms;
prepared, the whole round trip is 0.1 ms). The connection prepares only what is asked to
(``prepare_threshold`` in the settings): Django's own queries, whose SQL carries their
values, are never prepared.

Rows come back as dicts named as ``values()`` names them, with the values the database
driver returns (no field converters): use it for queries of numbers, text and booleans,
and read booleans with ``bool()`` (SQLite answers ``EXISTS`` with 0 or 1).
"""

import threading

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

# a value no caller passes: its place in the parameters is where the value goes
MARKER = -2_046_813_579  # within a 32-bit integer column (a larger one matches no row)

_COMPILED = {}


def compiled_rows(key, build, value, using=DEFAULT_DB_ALIAS):
    """The rows of ``build(value)``, from SQL compiled on the first call for ``key``.

    Args:
        key: names the query (one compiled SQL a key and database).
        build: ``fn(value) -> values() queryset`` whose SQL does not depend on ``value``
            except as parameters (one or more, each exactly ``value``).
        value: the value of this run (an integer).

    Returns:
        ``[{name: value}]``, in the query's order.
    """
    entry = _COMPILED.get((key, using))
    if entry is None:
        entry = _COMPILED[(key, using)] = _compile(build, using)
    sql, params, positions, names = entry
    params = list(params)
    for position in positions:
        params[position] = value
    return _dict_rows(_cursor(connections[using]), sql, params, names)


def _dict_rows(cursor, sql, params, names):
    """The rows of ``sql`` as dicts named by ``names``, with the driver's values."""
    with cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _cursor(connection):
    """A cursor of ``connection`` (Django's wrapper: logged, counted, errors translated);
    on PostgreSQL one that binds the parameters on the server and prepares the statement."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedCursor(raw, connection)
    return connection.make_cursor(raw)


class _PreparingCursor(psycopg.Cursor):
    """psycopg's server-side binding cursor, preparing every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedCursor(CursorDebugWrapper):
    """Django's logging wrapper; the statement is logged with its values written in, as
    Django logs its own (psycopg keeps no text of a prepared statement's run)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


def _compile(build, using):
    """``(sql, params, indexes of the marker's parameters, column names)``."""
    queryset = build(MARKER).using(using)
    query = queryset.query
    if queryset._fields is None:
        raise ValueError("compiled_rows: the query must be a values() queryset")
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    positions = tuple(i for i, param in enumerate(params) if param == MARKER)
    if not positions:
        raise ValueError("compiled_rows: the value must be a parameter of the query")
    # the columns in the order the SQL selects them, named as values() names them
    names = [alias for _, _, alias in compiler.select]
    if None in names:
        raise ValueError("compiled_rows: every selected column must be named")
    return sql, tuple(params), positions, names


class Kept(dict):
    """What is compiled once per process, by key: at most ``limit`` entries, the oldest
    dropped first (``aggregate_once``, ``values_once`` and ``execcoord.db.union.Shaped`` keep
    theirs here)."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def keep(self, key, value):
        """Store ``value`` under ``key`` (dropping the oldest entries over the limit)."""
        with self._lock:
            while len(self) >= self.limit:
                self.pop(next(iter(self)), None)
            self[key] = value
        return value


def checking():
    """Whether every reuse of compiled SQL is compared with a fresh compile
    (``settings.EXECCOORD_CHECK_SHAPES``, on in the tests)."""
    return getattr(settings, "EXECCOORD_CHECK_SHAPES", False)


_AGGREGATES = Kept(2_000)


def aggregate_once(shape, build, using=DEFAULT_DB_ALIAS):
    """``queryset.aggregate(**counts)`` of ``build() -> (queryset, counts)``, from SQL made
    once per ``shape`` (a hashable naming everything the query is built from; one holding
    ``None`` is never reused).

    The first call runs Django's own ``aggregate`` and keeps the SQL and parameters it sent
    (``connection.execute_wrapper``); the next calls with the shape send them again without
    building the queryset. For counts and sums of integer columns (``Count``, ``Sum``: values
    that need no converter; an empty sum is ``None``). With
    ``settings.EXECCOORD_CHECK_SHAPES`` (on in the tests) each reuse is compared with
    Django's own answer.
    """
    if shape is None or None in shape:
        queryset, counts = build()
        return queryset.using(using).aggregate(**counts)
    entry = _AGGREGATES.get((shape, using))
    if entry is None:
        result, sent = _aggregate(build, using)
        if len(sent) != 1:  # not one plain query: nothing to reuse
            return result
        _AGGREGATES.keep((shape, using), (*sent[0], tuple(result)))
        return result
    sql, params, names = entry
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    result = dict(zip(names, row, strict=True))
    if checking():
        expected, sent = _aggregate(build, using)
        if sent != [(sql, params)] or result != expected:
            raise AssertionError(
                f"aggregate_once {shape!r} reused SQL that differs from its queryset's:\n"
                f"{(sql, params)!r}\n!=\n{sent!r}"
            )
    return result


def _aggregate(build, using):
    """Django's answer for ``build()`` and the ``[(sql, params)]`` it sent."""
    queryset, counts = build()
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(capture):
        result = queryset.using(using).aggregate(**counts)
    return result, sent


_VALUES = Kept(2_000)


def values_once(shape, build, using=DEFAULT_DB_ALIAS):
    """The rows of the ``values()`` queryset ``build()``, from SQL compiled once per ``shape``
    (a hashable naming everything the queryset is built from; one holding ``None`` is never
    reused).

    For a ``GROUP BY`` of many rows read on every request (the dashboard's): Django built
    the queryset, compiled it and passed every value of every row through its converters.
    Here the first call compiles it and the next calls with the shape send the same SQL and
    parameters. Rows are dicts named as ``values()`` names them, with the values the driver
    returns, as :func:`compiled_rows` gives them: numbers, text, booleans (0 or 1 on SQLite)
    and ``NULL``. With ``settings.EXECCOORD_CHECK_SHAPES`` (on in the tests) each reuse is
    compared with a fresh compile.
    """
    if shape is None or None in shape:
        return _values_rows(_compile_values(build(), using), using)
    entry = _VALUES.get((shape, using))
    if entry is None:
        entry = _VALUES.keep((shape, using), _compile_values(build(), using))
    elif checking():
        fresh = _compile_values(build(), using)
        if fresh != entry:
            raise AssertionError(
                f"values_once {shape!r} reused SQL that differs from its queryset's:\n"
                f"{entry!r}\n!=\n{fresh!r}"
            )
    return _values_rows(entry, using)


def _compile_values(queryset, using):
    """``(sql, params, column names)`` of a ``values()`` queryset; ``None`` when Django knows
    without asking that it has no rows."""
    if queryset._fields is None:
        raise ValueError("values_once: the query must be a values() queryset")
    query = queryset.query
    try:
        sql, params = query.get_compiler(using=using).as_sql()
    except EmptyResultSet:
        return None
    # the columns in the order the SQL selects them, named as values() names them
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return sql, tuple(params), names


def _values_rows(entry, using):
    if entry is None:
        return []
    sql, params, names = entry
    return _dict_rows(connections[using].cursor(), sql, params, names)
