"""Pages past the first, and pages sorted by a related record, read by a deferred join.

``queryset[m:n]`` makes the database join and sort every matching row (wide rows, with their
related records) to throw all but the page's away. :func:`deferred_join_page` reads the page
as ``WHERE pk IN (SELECT pk … ORDER BY … LIMIT … OFFSET …)`` instead: the offset is skipped on
the narrow key scan, and only the page's rows are joined and drawn (page 200 of the open
actions at 100,000 actions: 170 → 55 ms of SQL). The first page too, when its order reads a
related record (the accountable person's name): the database sorts every matching row by it,
and sorting narrow keys instead of whole joined rows halved it (the open actions of 1M by
person: 128 → 61 ms of SQL).
"""

from django.core.exceptions import FieldDoesNotExist


def can_defer_join(queryset):
    """Whether a page of ``queryset`` can be read by key: not with annotations, grouping,
    ``distinct`` or set operations (their rows are not the table's rows)."""
    query = queryset.query
    return not (query.annotations or query.group_by or query.distinct or query.combinator)


def orders_by_relation(queryset):
    """Whether ``queryset``'s order reads a related record (``"lead_unit__name"``, or
    ``"accountable_person"``, which Django orders by the person's own ordering)."""
    meta = queryset.model._meta
    for key in queryset.query.order_by:
        if not isinstance(key, str):
            continue
        try:
            field = meta.get_field(key.lstrip("-").split("__")[0])
        except FieldDoesNotExist:  # "pk", an annotation
            continue
        if field.is_relation:
            return True
    return False


def deferred_join_page(queryset, page):
    """The rows ``queryset[page]`` (a slice) as ``pk IN (keys of the page)``.

    The outer query keeps the related records, columns and prefetches but not the filters,
    which the inner one applied (repeating them made PostgreSQL scan again). Only for a
    queryset :func:`can_defer_join` accepts.
    """
    query = queryset.query
    rows = queryset.model._base_manager.filter(pk__in=queryset.values("pk")[page])
    rows.query.select_related = query.select_related
    rows.query.deferred_loading = query.deferred_loading
    rows._prefetch_related_lookups = queryset._prefetch_related_lookups
    return rows.order_by(*query.order_by) if query.order_by else rows
