"""A ``values()`` query compiled once per process and run again with another value.

Every request reads the signed-in user's scope (roles, person, unit) with one query whose
SQL is the same for every user but for the user's id. Django built and compiled that query
anew each time, which cost several times what the database spent running it. This keeps
the SQL and its parameters, finds the one parameter that carries the value (built with a
marker value), and sends the same SQL with the value in its place.

Rows come back as dicts named as ``values()`` names them, with the values the database
driver returns (no field converters): use it for queries of numbers, text and booleans,
and read booleans with ``bool()`` (SQLite answers ``EXISTS`` with 0 or 1).
"""

from django.db import DEFAULT_DB_ALIAS, connections

# a value no caller passes: its place in the parameters is where the value goes
MARKER = -2_046_813_579  # within a 32-bit integer column (a larger one matches no row)

_COMPILED = {}


def compiled_rows(key, build, value, using=DEFAULT_DB_ALIAS):
    """The rows of ``build(value)``, from SQL compiled on the first call for ``key``.

    Args:
        key: names the query (one compiled SQL a key and database).
        build: ``fn(value) -> values() queryset`` whose SQL does not depend on ``value``
            except as one parameter.
        value: the value of this run (an integer).

    Returns:
        ``[{name: value}]``, in the query's order.
    """
    entry = _COMPILED.get((key, using))
    if entry is None:
        entry = _COMPILED[(key, using)] = _compile(build, using)
    sql, params, position, names = entry
    params = list(params)
    params[position] = value
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _compile(build, using):
    """``(sql, params, index of the marker's parameter, column names)``."""
    queryset = build(MARKER).using(using)
    query = queryset.query
    if queryset._fields is None:
        raise ValueError("compiled_rows: the query must be a values() queryset")
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    positions = [i for i, param in enumerate(params) if param == MARKER]
    if len(positions) != 1:
        raise ValueError(f"compiled_rows: the value must be one parameter, not {len(positions)}")
    # the columns in the order the SQL selects them, named as values() names them
    names = [alias for _, _, alias in compiler.select]
    if None in names:
        raise ValueError("compiled_rows: every selected column must be named")
    return sql, tuple(params), positions[0], names
