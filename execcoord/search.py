"""Quick search (the ``q`` filter) and global search across the registered models.

A model opts in by declaring ``search_fields``. On PostgreSQL the text fields are also
matched with full-text search (``SearchVector``/``SearchQuery``); everywhere, each word must
appear (``icontains``) in one of the fields, which also finds numbers such as
``EA-2026-00042`` and name prefixes. Every model is reached through ``visible_to``.
"""

from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.db.models import Q

from execcoord import registry
from execcoord.access import visible

MAX_HITS = 10


def search_queryset(queryset, q):
    """Filter ``queryset`` to the rows matching the search text ``q``.

    Args:
        queryset: a queryset of a model with ``search_fields``.
        q: the user's text; empty returns ``queryset`` unchanged.
    """
    fields = getattr(queryset.model, "search_fields", ())
    words = (q or "").split()
    if not fields or not words:
        return queryset
    per_word = [reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words]
    condition = reduce(and_, per_word)
    if getattr(settings, "IS_POSTGRES", False):
        condition |= _fulltext_condition(queryset.model, fields, q)
    return queryset.filter(condition)


def _fulltext_condition(model, fields, q):
    """A full-text match over the model's text ``search_fields`` (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    text = [f for f in fields if "__" not in f]
    if not text:
        return Q(pk__in=[])
    ids = (
        model._default_manager.annotate(_sv=SearchVector(*text, config="english"))
        .filter(_sv=SearchQuery(q, search_type="websearch", config="english"))
        .values("pk")
    )
    return Q(pk__in=ids)


def global_search(user, q):
    """Search every searchable registered model the user may view.

    Args:
        user: the request user.
        q: the search text.

    Returns:
        ``[{"views": ObjectViews, "count": int, "hits": [obj, ...]}, ...]`` for the models
        with at least one hit, in registry order.
    """
    if not (q or "").strip():
        return []
    groups = []
    for views in registry.all_registrations():
        if not views.searchable or not views.can(user, "view"):
            continue
        queryset = search_queryset(visible(views.model, user), q).order_by(
            *views.model._meta.ordering, "pk"
        )
        count = queryset.count()
        if count:
            groups.append({"views": views, "count": count, "hits": list(queryset[:MAX_HITS])})
    return groups
