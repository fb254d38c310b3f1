"""Executive actions keep a materialised path, as organization units do
(``execcoord.db.trees``): the schema, then the paths of the existing actions."""

from django.db import migrations, models

from execcoord.db.trees import compute_paths, path_depth


def fill_paths(apps, schema_editor):
    """Write ``path``/``depth`` of every action from its ``parent`` links (in batches)."""
    action = apps.get_model("actions", "ExecutiveAction")
    rows = action._base_manager.using(schema_editor.connection.alias)
    parents = dict(rows.values_list("pk", "parent_id"))
    try:
        paths = compute_paths(parents)
    except ValueError as error:
        raise RuntimeError(f"Executive actions: {error}; break the loop, then migrate.") from None
    objs = [action(pk=pk, path=path, depth=path_depth(path)) for pk, path in paths.items()]
    rows.bulk_update(objs, ["path", "depth"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_version_help_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="executiveaction",
            name="depth",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="executiveaction",
            name="path",
            field=models.CharField(db_index=True, default="", editable=False, max_length=1100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalexecutiveaction",
            name="depth",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="historicalexecutiveaction",
            name="path",
            field=models.CharField(db_index=True, default="", editable=False, max_length=1100),
            preserve_default=False,
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop, elidable=True),
    ]
