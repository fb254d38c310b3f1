"""Trigram indexes for the quick and global search (issue 7), as a migration operation.

Search matches each word with ``icontains``, which Django writes on PostgreSQL as
``UPPER(col::text) LIKE UPPER('%word%')``. A GIN trigram index on exactly that expression
turns a 100,000-row scan (50–300 ms) into an index lookup (~0.1 ms). The operation does
nothing on other databases (SQLite in development and tests), and the indexes are not part
of the model state: they serve a query shape, not a field.

The columns come from the registration: :func:`searched_columns` lists those of every
registered model's ``search_fields``, and the system check execcoord.E002
(``execcoord.checks``) fails, with the operation to add in its hint, when one of them has no
index in a migration (:func:`declared_columns`). A migration keeps its own frozen list: a
later change of ``search_fields`` must not change what an applied migration did.
"""

from django.db import migrations

from execcoord import registry


def trigram_indexes(columns):
    """A ``RunPython`` operation creating ``pg_trgm`` and one GIN index per column.

    Args:
        columns: ``[(table, column), ...]``, the searched columns of an app's models.
    """

    def name(table, column):
        return f"{table}_{column}_trgm"[:63]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name(table, column))} ON {quote(table)} "
                f"USING gin (UPPER({quote(column)}::text) gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(
                f"DROP INDEX IF EXISTS {schema_editor.quote_name(name(table, column))}"
            )

    operation = migrations.RunPython(forwards, backwards, elidable=False)
    operation.trigram_columns = tuple((table, column) for table, column in columns)
    return operation


def searched_columns():
    """``[(model, table, column)]``: the columns the search matches with ``icontains``, from
    every registered model's ``search_fields`` (a ``relation__field`` path names the related
    model's column)."""
    found = []
    for views in registry.all_registrations():
        for path in getattr(views.model, "search_fields", ()):
            model, field = views.model, None
            for part in path.split("__"):
                field = model._meta.get_field(part)
                if field.is_relation:
                    model = field.related_model
            if field is not None and not field.is_relation:
                found.append((views.model, field.model._meta.db_table, field.column))
    return found


def declared_columns():
    """``{(table, column)}`` indexed by the :func:`trigram_indexes` operations of the
    project's migrations (read from the migration files; no database)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        column
        for migration in loader.disk_migrations.values()
        for operation in migration.operations
        for column in getattr(operation, "trigram_columns", ())
    }
