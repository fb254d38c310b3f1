"""Data migration: the roles' permissions on the coordination route (issue 16).

| role          | route steps and their events                                     |
|---------------|------------------------------------------------------------------|
| Viewer        | view                                                             |
| Staff         | view; add and change (acting on a step, building a route: who    |
|               | may, on which tasker, is ``actions.policy``'s)                   |
| Manager       | Staff                                                            |
| Administrator | every permission                                                 |
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("routestep", "routestepevent")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_route_roles(apps)


def assign_route_roles(apps):
    """Add the route's permissions to the role groups (the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(verbs):
        return list(
            Permission.objects.filter(
                content_type__app_label="actions",
                codename__in=[f"{verb}_{model}" for model in MODELS for verb in verbs],
            )
        )

    for name, verbs in (
        ("Viewer", ("view",)),
        ("Staff", ("view", "add", "change")),
        ("Manager", ("view", "add", "change")),
        ("Administrator", ("view", "add", "change", "delete")),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms(verbs))


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0010_coordination_routes"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
