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


def read_key(model, user):
    """A hashable value equal for two users only if :func:`visible` gives both the same SQL
    for ``model`` (``execcoord.db.union.Shaped`` keys a compiled query by it), or ``None``
    when it cannot tell (no domain app named the users' scope): then nothing is reused.

    A ``visible_to`` rule reads the user's id and flags and the domain's scope of the user
    (its person, unit, roles, clearance: ``register_scope_key``); the default rule lets
    every active user see every record (one key for them all); without the method the view
    permission decides.
    """
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        meta = model._meta
        perm = f"{meta.app_label}.view_{meta.model_name}"
        return ("perm", user.is_authenticated and has_perm(user, perm))
    if user is None or not user.is_authenticated or not user.is_active:
        return ("nobody",)
    if not is_restricted(model):  # every active user sees every record
        return ("everyone",)
    if _scope_key is None:
        return None
    return ("rule", user.pk, user.is_staff, user.is_superuser, _scope_key(user))


_scope_key = None


def register_scope_key(func):
    """Name ``func(user) -> hashable``: everything of the user a ``visible_to`` rule reads
    besides the user's id and flags (the domain app's scope of the user)."""
    global _scope_key
    _scope_key = func
    return func


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
