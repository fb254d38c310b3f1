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

import psycopg
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
    connection = connections[using]
    with _cursor(connection) as cursor:
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
