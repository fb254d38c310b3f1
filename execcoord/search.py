"""Quick search (the ``q`` filter) and global search across the registered models.

A model opts in by declaring ``search_fields``. Everywhere, each word must appear
(``icontains``) in one of the fields, which also finds numbers such as ``EA-2026-00042`` and
name prefixes; ``search_related_fields`` (``{path: (fields of the related model)}``) lets a
word match a related record too, so a tasker is found under its accountable person's name.
On PostgreSQL trigram GIN indexes serve those matches
(``execcoord.search_indexes``). No model stores a search vector today, so there is no
full-text matching: computing ``to_tsvector`` on every row of a 100,000-row table costs
seconds a search (issue 7); the ``search_vector_field`` hook below would add ``SearchQuery``
for a model that stored one. Every model is reached through ``visible_to``.

Global search (``global_search``) asks every model at once: one query finds the capped
count and the first hits of each model, one more brings those rows, whatever the number of
models and matches. Counts stop at ``execcoord.db.counts.COUNT_CAP``, as the lists' do.
"""

from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, IntegerField, Q, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from execcoord import registry
from execcoord.access import visible
from execcoord.db.arrays import InArray
from execcoord.db.counts import COUNT_CAP, capped
from execcoord.db.union import load_together

MAX_HITS = 10  # hits shown a model


def search_queryset(queryset, q):
    """Filter ``queryset`` to the rows matching the search text ``q``.

    Args:
        queryset: a queryset of a model with ``search_fields``.
        q: the user's text; empty returns ``queryset`` unchanged.
    """
    model = queryset.model
    fields = getattr(model, "search_fields", ())
    words = (q or "").split()
    if not fields or not words:
        return queryset
    related = getattr(model, "search_related_fields", {})
    per_word = [
        reduce(
            or_, (Q(**{f"{f}__icontains": w}) for f in fields), _related_match(model, related, w)
        )
        for w in words
    ]
    condition = reduce(and_, per_word)
    if getattr(settings, "IS_POSTGRES", False) and getattr(
        queryset.model, "search_vector_field", None
    ):
        condition |= _fulltext_condition(queryset.model, fields, q)
    return queryset.filter(condition)


def _related_match(model, related, word):
    """Rows whose related record (``search_related_fields``) has ``word`` in one of the
    named fields: ``IN`` a subquery that the related model's trigram indexes serve (an empty
    ``Q`` when the model names none)."""
    condition = Q()
    for path, names in related.items():
        target = model._meta.get_field(path.split("__")[0])
        for part in path.split("__")[1:]:
            target = target.related_model._meta.get_field(part)
        matches = target.related_model._default_manager.filter(
            reduce(or_, (Q(**{f"{name}__icontains": word}) for name in names))
        ).values("pk")
        # ``= ANY(ARRAY(…))`` on PostgreSQL: an index serves it inside the ``OR`` with the
        # fields' trigram indexes (a ``BitmapOr``), where ``IN (…)`` made the database test
        # every row: a word found nowhere read all 1M taskers (1.1 s, issue 20)
        if "__" in path:
            condition |= Q(
                InArray("pk", model._base_manager.filter(**{f"{path}__in": matches}).values("pk"))
            )
        else:
            condition |= Q(InArray(path, matches))
    return condition


def _fulltext_condition(model, fields, q):
    """A full-text match on the model's stored search vector (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(q, search_type="websearch", config="english")
    return Q(**{model.search_vector_field: query})


def global_search(user, q):
    """Search every searchable registered model the user may view, in two queries.

    A record's identifier typed whole answers that record alone (``_identified``).

    The first query is a ``UNION ALL`` with one branch a model: each branch takes at most
    ``COUNT_CAP + 1`` of the visible matches (no ``ORDER BY``, so the trigram indexes serve
    it), numbers them in the model's ordering and keeps the first ``MAX_HITS`` with the
    count. The second query brings the rows to show, every model in one ``UNION ALL``
    (``_fetch_rows``). So a search costs the same whatever the number of matches, and no
    query runs per model or per hit.

    When a model has more than ``COUNT_CAP`` matches its count is not exact and the hits
    shown are the first in the model's ordering among the ``COUNT_CAP + 1`` found; the list
    the group links to orders all of them.

    Args:
        user: the request user.
        q: the search text.

    Returns:
        ``[{"views": ObjectViews, "count": int, "exact": bool, "hits": [obj, ...]}, ...]``
        for the models with at least one hit, in registry order. ``count`` is at most
        ``COUNT_CAP``; ``exact`` is false when there are more matches than that.
    """
    if not (q or "").strip():
        return []
    registrations = [
        views
        for views in registry.all_registrations()
        if views.searchable and views.can(user, "view")
    ]
    identified = _identified(registrations, user, q)
    if identified is not None:
        return [identified]
    located = _locate(registrations, user, q)
    rows = _fetch_rows(registrations, located)
    groups = []
    for index, (found, pks) in sorted(located.items()):
        hits = [rows[index, pk] for pk in pks if (index, pk) in rows]
        groups.append(
            {
                "views": registrations[index],
                "count": min(found, COUNT_CAP),
                "exact": found <= COUNT_CAP,
                "hits": hits,
            }
        )
    return groups


def _identified(registrations, user, q):
    """The group of the one visible record whose identifier is ``q``, or ``None``.

    A model names its identifier, a unique field people type whole (an action's number),
    in ``search_identifier_field``. When the text is one word equal to a visible record's
    identifier, as stored or upper-cased, the search answers that record alone: one lookup
    through the field's unique index instead of a search of every model.
    """
    words = q.split()
    if len(words) != 1:
        return None
    for views in registrations:
        field = getattr(views.model, "search_identifier_field", None)
        if not field:
            continue
        values = {words[0], words[0].upper()}
        found = list(visible(views.model, user).filter(**{f"{field}__in": values})[:1])
        if found:
            return {"views": views, "count": 1, "exact": True, "hits": found}
    return None


def _locate(registrations, user, q):
    """``{index: (found, [pk, ...])}``: capped count and shown keys of each model with hits.

    One query. Each branch is ``SELECT … FROM (SELECT …, ROW_NUMBER() OVER (ORDER BY
    <ordering>), COUNT(*) OVER () FROM model WHERE pk IN (<visible matches> LIMIT cap + 1))
    WHERE rank <= MAX_HITS``: the window runs over at most ``cap + 1`` rows, fetched by
    primary key. A branch whose model the user sees nothing of drops out of the union.

    The matches are compiled to SQL once and placed in the branch as such: given as a
    queryset, Django would resolve their nested visibility subqueries again for the outer
    query, about a quarter of the Python time of a search.
    """
    branches = []
    for index, views in enumerate(registrations):
        model = views.model
        matches = search_queryset(visible(model, user), q).order_by().values("pk")
        try:
            sql, params = capped(matches, COUNT_CAP).query.get_compiler(matches.db).as_sql()
        except EmptyResultSet:
            continue
        ordering = [*model._meta.ordering, "pk"]
        branches.append(
            model._default_manager.filter(pk__in=RawSQL(sql, params))
            .order_by()
            .annotate(
                search_index=Value(index, output_field=IntegerField()),
                search_rank=Window(RowNumber(), order_by=ordering),
                search_found=Window(Count("*")),
            )
            .filter(search_rank__lte=MAX_HITS)
            .values_list("search_index", "pk", "search_rank", "search_found")
        )
    if not branches:
        return {}
    located = {}
    for index, pk, rank, found in branches[0].union(*branches[1:], all=True):
        located.setdefault(index, (found, []))[1].append((rank, pk))
    return {
        index: (found, [pk for _, pk in sorted(hits)]) for index, (found, hits) in located.items()
    }


def _fetch_rows(registrations, located):
    """``{(index, pk): instance}`` for the located keys, in one query whatever the models
    (:func:`execcoord.db.union.load_together`). Only primary keys are looked up: ``_locate``
    already applied ``visible_to``."""
    loaded = load_together(
        {
            index: registrations[index].model._default_manager.filter(pk__in=pks).order_by()
            for index, (_, pks) in located.items()
        }
    )
    return {(index, obj.pk): obj for index, objs in loaded.items() for obj in objs}
