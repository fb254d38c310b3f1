"""The completion tally behind the dashboard's on-time rates, and the triggers on the actions
table that keep it exact in the statement of every write (``actions/tallies.py``)."""

from django.db import migrations, models


def install(apps, schema_editor):
    """Nothing since 0022: ``actions.tallies`` now writes the tally's columns as 0022 names
    them, and 0022 installs its triggers (a database migrated before it had these, which
    0022 replaces)."""


def uninstall(apps, schema_editor):
    from actions import tallies

    tallies.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompletionTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("lead_unit_id", models.IntegerField()),
                ("visibility", models.CharField(max_length=20)),
                ("security_classification", models.CharField(max_length=20)),
                ("on_time_original", models.IntegerField(default=0)),
                ("late_original", models.IntegerField(default=0)),
                ("on_time_current", models.IntegerField(default=0)),
                ("late_current", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lead_unit_id", "visibility", "security_classification"),
                        name="completion_tally_key",
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
