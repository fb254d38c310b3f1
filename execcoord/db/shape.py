"""What a queryset is, read from its query: whether it is still its manager's untouched
queryset.

A rule built once on a queryset can be copied onto another only when neither has filters,
joins, columns, order or locks of its own (``ExecutiveAction.objects.visible_to`` keeps the
visibility rule of a user's scope so, and the tasker page asks it three times). This reads
Django's ``Query`` internals, so it lives here with the other private-ORM techniques; which
rows it selects is :func:`execcoord.db.counts.is_whole_table`'s question, asked first.
"""

from execcoord.db.counts import is_whole_table


def is_untouched(queryset):
    """Whether ``queryset`` is its model's whole table as its manager gives it: every row
    (:func:`~execcoord.db.counts.is_whole_table`) and no columns, order, annotations,
    related loading or locks of its own, so a copy of a rule built on another such queryset
    is the same rule on it."""
    query = queryset.query
    return (
        is_whole_table(query)
        and queryset._fields is None
        and not queryset._prefetch_related_lookups
        and not queryset._known_related_objects
        and not query.alias_map
        and not query.annotations
        and not query.order_by
        and not query.extra_order_by
        and not query.extra
        and query.default_ordering
        and not query.select_for_update
        and query.select_related is False
        and query.deferred_loading == (frozenset(), True)
    )
