"""Quick search (the ``q`` filter) and global search across the registered models.

A model opts in by declaring ``search_fields``. Everywhere, each word must appear
(``icontains``) in one of the fields, which also finds numbers such as ``EA-2026-00042`` and
name prefixes; on PostgreSQL trigram GIN indexes serve those matches
(``execcoord.search_indexes``). Full-text matching (``SearchQuery``) is added only for a model
that stores its vector (``search_vector_field``): computing ``to_tsvector`` on every row of
a 100,000-row table costs seconds a search (issue 7). Every model is reached through
``visible_to``.
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
    if getattr(settings, "IS_POSTGRES", False) and getattr(
        queryset.model, "search_vector_field", None
    ):
        condition |= _fulltext_condition(queryset.model, fields, q)
    return queryset.filter(condition)


def _fulltext_condition(model, fields, q):
    """A full-text match on the model's stored search vector (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(q, search_type="websearch", config="english")
    return Q(**{model.search_vector_field: query})


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
        # Count first: without ORDER BY … LIMIT the planner uses the trigram indexes. A
        # LIMIT over the ordering index is only safe when matches are dense; with a few
        # matches it may walk the whole table, so a short list is fetched without LIMIT.
        count = queryset.count()
        if count:
            hits = list(queryset if count <= MAX_HITS else queryset[:MAX_HITS])
            groups.append({"views": views, "count": count, "hits": hits})
    return groups
