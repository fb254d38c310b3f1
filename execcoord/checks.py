"""What a new model must bring, checked: the steps of CONTRIBUTING's "Adding a model".

Each registered model (``execcoord.registry``) is checked by Django's system checks, which
``manage.py check``, ``runserver``, ``migrate`` and the test suite run
(``tests/test_model_checklist.py``):

- **execcoord.E001**, satellites are scoped for reading: a model with a foreign key to a
  model whose records are not visible to every user (its queryset overrides ``visible_to``)
  overrides ``visible_to`` too, so it does not show the satellites of hidden records. The
  write side has its own check in the domain app (``actions.E001``: a scoped write policy).
- **execcoord.E002**, searched columns are indexed: every column named in a registered
  model's ``search_fields`` has a trigram index created by a migration
  (``execcoord.search_indexes.trigram_indexes``); the hint prints the line to add.

The role permissions need the database, so they are a function the tests call
(:func:`missing_role_permissions`), not a system check: ``migrate`` runs the checks before
the role groups exist.
"""

from django.core import checks

from execcoord import registry
from execcoord.models import VisibleQuerySet
from execcoord.search_indexes import declared_columns, searched_columns


def scoped_for_reading(model):
    """Whether ``model``'s records are not all visible to every user: its default manager's
    queryset overrides ``VisibleQuerySet.visible_to``."""
    queryset = type(model._default_manager.all())
    method = getattr(queryset, "visible_to", None)
    return method is not None and method is not VisibleQuerySet.visible_to


def satellites_are_scoped(app_configs=None, **kwargs):
    """execcoord.E001: a registered model linked to a scoped model is scoped itself."""
    errors = []
    for views in registry.all_registrations():
        model = views.model
        if scoped_for_reading(model):
            continue
        links = [
            f
            for f in model._meta.concrete_fields
            if f.many_to_one and f.related_model is not None
            if scoped_for_reading(f.related_model)
        ]
        for link in links:
            target = link.related_model._meta.label
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{link.name} links to {target}, whose records are "
                    f"scoped (visible_to), but {model._meta.label} shows every row to every "
                    "user: it would list the satellites of records hidden from them.",
                    hint=f"Give {model.__name__} a queryset (objects = ….as_manager()) whose "
                    f"visible_to follows {target}'s.",
                    obj=model,
                    id="execcoord.E001",
                )
            )
    return errors


def search_fields_are_indexed(app_configs=None, **kwargs):
    """execcoord.E002: every searched column has a trigram index migration."""
    indexed = declared_columns()
    missing = {}
    for model, table, column in searched_columns():
        if (table, column) not in indexed:
            missing.setdefault(model, []).append((table, column))
    return [
        checks.Error(
            f"{model._meta.label} searches {', '.join(c for _, c in columns)} without a "
            "trigram index: search reads every row on PostgreSQL.",
            hint=f"Add a migration to {model._meta.app_label} with the operation "
            f"execcoord.search_indexes.trigram_indexes({columns!r}).",
            obj=model,
            id="execcoord.E002",
        )
        for model, columns in missing.items()
    ]


def missing_role_permissions(roles, full_roles=()):
    """The model permissions the role groups lack for the registered models:
    ``[(role, "app_label.codename")]``, empty when complete.

    Every role in ``roles`` views every registered model; every role in ``full_roles`` also
    adds, changes and deletes it. (A role group that does not exist lacks everything.)

    Args:
        roles: role group names that see every registered model.
        full_roles: role group names that hold every permission of them.
    """
    from django.contrib.auth.models import Group

    held = {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.filter(name__in={*roles, *full_roles})
    }
    missing = []
    for views in registry.all_registrations():
        meta = views.model._meta
        for role in dict.fromkeys([*roles, *full_roles]):
            verbs = ("view", "add", "change", "delete") if role in full_roles else ("view",)
            for verb in verbs:
                codename = f"{meta.app_label}.{verb}_{meta.model_name}"
                if codename not in held.get(role, ()):
                    missing.append((role, codename))
    return missing


def register():
    """Register the checks (``ExeccoordConfig.ready``)."""
    checks.register(satellites_are_scoped)
    checks.register(search_fields_are_indexed)
