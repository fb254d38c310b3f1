"""``COPY (query) TO STDOUT`` through psycopg 3: a queryset's rows as CSV, streamed.

PostgreSQL formats the rows itself, so a large export costs about what its ``SELECT`` costs:
no model instances, no Python value per cell. :func:`copy_csv_lines` compiles a ``values_list``
queryset to SQL (parameters inlined by the driver's own quoting, because ``COPY`` takes
none), and yields the output in blocks of lines.

Differences from Python's :mod:`csv` writer are made up for here, so the bytes are the same:
PostgreSQL ends lines with ``\\n`` (Python: ``\\r\\n``), and quotes an empty string that is not
``NULL`` (Python writes nothing): the caller turns empty values into ``NULL`` (``NULLIF``).
Both quote only the values holding a comma, a quote or a line break.
"""

from contextlib import nullcontext

BLOCK_ROWS = 2000


def copy_csv_lines(queryset, block_rows=BLOCK_ROWS):
    """Yield the CSV lines (bytes, ``\\r\\n`` line ends) of ``queryset``, a ``values_list``
    of text expressions, ``block_rows`` rows at a time. PostgreSQL only."""
    from django.db import connections

    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        logged = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, raw.copy(statement) as copy:  # logged: in DEBUG and CaptureQueriesContext
            block = []
            for row in copy:  # one data row per message from the server
                block.append(bytes(row[:-1]) + b"\r\n")
                if len(block) >= block_rows:
                    yield b"".join(block)
                    block = []
            if block:
                yield b"".join(block)
