"""The completion tally counts each unit's whole subtree (issue 20): a dashboard reads one row
per visibility and classification instead of one per unit under it. The triggers of 0018
(per lead unit) are replaced by those of ``actions/tallies.py`` (the lead unit and every unit
above it), and the tally is recounted."""

from django.db import migrations, models


def uninstall(apps, schema_editor):
    from actions import tallies

    tallies.uninstall(schema_editor)


def install(apps, schema_editor):
    from actions import tallies

    tallies.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0021_dashboard_reads_current_work"),
    ]

    operations = [
        # the per-lead-unit triggers go first: they write the column renamed below
        migrations.RunPython(uninstall, migrations.RunPython.noop),
        migrations.RunSQL("DELETE FROM actions_completiontally", migrations.RunSQL.noop),
        migrations.RemoveConstraint(
            model_name="completiontally",
            name="completion_tally_key",
        ),
        migrations.RenameField(
            model_name="completiontally",
            old_name="lead_unit_id",
            new_name="unit_id",
        ),
        migrations.AddConstraint(
            model_name="completiontally",
            constraint=models.UniqueConstraint(
                fields=("unit_id", "visibility", "security_classification"),
                name="completion_tally_key",
            ),
        ),
        # going back leaves no triggers: 0018's are those of this module's current code
        migrations.RunPython(install, uninstall),
    ]
