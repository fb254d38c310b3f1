"""Data migration: the four role groups and their model permissions (issue 6).

Kept apart from the schema migrations. The matrix is frozen here on purpose: a later change
of the roles is a new migration, so every installation can say which rules it ran.

| role          | partners / analysis / actions data                                 |
|---------------|--------------------------------------------------------------------|
| Viewer        | view everything                                                    |
| Staff         | view; add and change taskers and their satellites, analyses,       |
|               | impacts, risk items and agreements; their own saved views          |
| Manager       | Staff, plus delete satellites and analysis records                 |
| Administrator | every permission of the domain apps, users and groups              |

Object-level rules (whose taskers a user may change) live in ``actions/permissions.py``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAIN_APPS = ("partners", "analysis", "actions", "execcoord")
STAFF_EDITS = {
    "actions": (
        "executiveaction", "assignment", "statusupdate", "decisionlogentry", "dependency",
        "extensionrequest", "attachment", "tag",
    ),
    "analysis": ("analysis", "impact", "riskitem"),
    "partners": ("agreement",),
}
MANAGER_DELETES = {
    "actions": ("assignment", "statusupdate", "decisionlogentry", "dependency", "attachment"),
    "analysis": ("analysis", "impact", "riskitem"),
    "partners": ("agreement",),
}


def _codenames(spec, verbs):
    for app_label, models in spec.items():
        for model in models:
            for verb in verbs:
                yield app_label, f"{verb}_{model}"


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_roles(apps)


def assign_roles(apps):
    """Create the groups and set their permissions (permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs):
        found = []
        for app_label, codename in pairs:
            found.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        return found

    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS)
    view = list(domain.filter(codename__startswith="view_"))
    saved_views = perms(_codenames({"execcoord": ("savedview",)}, ("add", "change", "delete")))
    staff = view + saved_views + perms(_codenames(STAFF_EDITS, ("add", "change")))
    manager = staff + perms(_codenames(MANAGER_DELETES, ("delete",)))
    administrator = list(domain) + list(
        Permission.objects.filter(content_type__app_label="auth")
    )
    for name, permissions in (
        ("Viewer", view),
        ("Staff", staff),
        ("Manager", manager),
        ("Administrator", administrator),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Viewer", "Staff", "Manager", "Administrator"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("analysis", "0001_initial"),
        ("partners", "0001_initial"),
        ("execcoord", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
