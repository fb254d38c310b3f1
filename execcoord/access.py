"""Scoping helpers: every generic path reaches records through these (DESIGN.md §4)."""

from execcoord.models import VisibleQuerySet
from execcoord.policy import has_perm


def visible(model, user):
    """The records of ``model`` that ``user`` may see.

    Domain models answer through ``objects.visible_to(user)``. A model without that method
    (``auth.User`` behind ``Person.user``) is visible only with its view permission.

    Args:
        model: a model class.
        user: the request user.
    """
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    meta = model._meta
    if user.is_authenticated and has_perm(user, f"{meta.app_label}.view_{meta.model_name}"):
        return manager.all()
    return manager.none()


def is_restricted(model):
    """Whether ``model`` hides some rows from signed-in users (overrides ``visible_to``)."""
    queryset_class = type(model._default_manager.get_queryset())
    method = getattr(queryset_class, "visible_to", None)
    return method is None or method is not VisibleQuerySet.visible_to


def visible_pks(model, user, pks):
    """The subset of ``pks`` of ``model`` that ``user`` may see, in one query at most.

    Used where a page shows a related record (a table cell, a detail field) so that the
    name of a hidden record is never printed (STYLE.md §4: stricter than NetBox).

    Args:
        model: the related model class.
        user: the request user.
        pks: an iterable of primary keys (``None`` values are ignored).
    """
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return set()
    if not is_restricted(model) and user.is_authenticated and user.is_active:
        return pks
    return set(visible(model, user).filter(pk__in=pks).values_list("pk", flat=True))


def has_active_flag(model):
    """Whether ``model`` has an ``is_active`` field (inactive rows are not offered)."""
    return any(f.name == "is_active" for f in model._meta.concrete_fields)
