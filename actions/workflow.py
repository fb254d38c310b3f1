"""The sub-tasker tree of a tasker: its visible descendants at every depth in one query, in
tree order with depths.

Assigning is in ``actions.assigning``, the coordination board and reminders in
``actions.coordination``, their e-mails in ``actions.mail``, the timeline in
``actions.timeline``; status changes, due dates and extensions in ``actions.services``.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL

from actions.models import ExecutiveAction

# --- sub-tasker tree -------------------------------------------------------------------


@dataclass
class TreeNode:
    action: ExecutiveAction
    depth: int
    due_after_parent: bool
    children: list = field(default_factory=list)


def descendants_queryset(action, user):
    """The visible actions below ``action`` at any depth, in one query (a recursive common
    table expression walks ``parent``; ``UNION`` stops on a cycle), with what the tree shows.
    """
    connection = connections[ExecutiveAction.objects.db]
    quote = connection.ops.quote_name
    table, pk, parent = (
        quote(ExecutiveAction._meta.db_table),
        quote(ExecutiveAction._meta.pk.column),
        quote(ExecutiveAction._meta.get_field("parent").column),
    )
    below = (
        f"WITH RECURSIVE ec_tree(id) AS (SELECT {pk} FROM {table} WHERE {parent} = %s "
        f"UNION SELECT child.{pk} FROM {table} child "
        f"INNER JOIN ec_tree ON child.{parent} = ec_tree.id) SELECT id FROM ec_tree"
    )
    if connection.vendor == "postgresql":
        # the ids as an array computed first, then fetched by key: the visibility rule is
        # checked on those rows only (with ``IN``, the planner guesses hundreds of
        # descendants and checks the rule on every action to hash-join them)
        below_only = _AnyOfArray(F("pk"), below, [action.pk])
    else:
        below_only = Q(pk__in=RawSQL(below, [action.pk]))
    return (
        ExecutiveAction.objects.visible_to(user)
        .filter(below_only)
        .select_related("lead_unit", "accountable_person")
        .order_by("due_date", "number", "pk")
    )


class _AnyOfArray(Func):
    """``expression = ANY(ARRAY(subquery))`` (PostgreSQL): an index condition on the values
    the subquery returns, computed once before the scan."""

    output_field = BooleanField()

    def __init__(self, expression, sql, params):
        super().__init__(expression)
        self.sql, self.params = sql, list(params)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(ARRAY({self.sql}))", [*params, *self.params]


def build_tree(action, rows):
    """The sub-taskers of ``action`` as a flat list in tree order with depths, from the rows
    of :func:`descendants_queryset`: a sub-tasker under a hidden one is left out, as the
    tree is walked from ``action`` through visible rows only."""
    by_parent = {}
    for child in rows:
        by_parent.setdefault(child.parent_id, []).append(child)
    flat, seen = [], {action.pk}

    def walk(parent, depth):
        for child in by_parent.get(parent.pk, []):
            if child.pk in seen:
                continue
            seen.add(child.pk)
            late = bool(child.due_date and parent.due_date and child.due_date > parent.due_date)
            flat.append(TreeNode(child, depth, late))
            walk(child, depth + 1)

    walk(action, 1)
    return flat


def descendants(action, user):
    """The visible sub-taskers of ``action`` at every depth (one query, whatever the number
    of children and levels), as a flat list in tree order with depths."""
    return build_tree(action, list(descendants_queryset(action, user)))
