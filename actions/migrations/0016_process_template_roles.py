"""Data migration: the roles' permissions on the process templates (issue 16).

Every role views them (the create form and the apply page offer them); only administrators
add, change and delete them, as the other reference data. Applying a template is the right
to add sub-taskers, not a permission on the template.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("processtemplate", "templatesubtasker", "templateroutestep")
ROLES = ("Viewer", "Staff", "Manager", "Administrator")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    mine = Permission.objects.filter(content_type__app_label="actions", content_type__model__in=MODELS)
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name == "Administrator":
            group.permissions.add(*mine)
        else:
            group.permissions.add(*mine.filter(codename__startswith="view_"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    mine = Permission.objects.filter(content_type__app_label="actions", content_type__model__in=MODELS)
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*mine)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0015_process_template_search_indexes"),
        ("actions", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
