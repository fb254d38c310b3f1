"""The sub-tasker tree of a tasker: its visible descendants at every depth in one query, in
tree order with depths.

Assigning is in ``actions.assigning``, the coordination board and reminders in
``actions.coordination``, their e-mails in ``actions.mail``, the timeline in
``actions.timeline``; status changes, due dates and extensions in ``actions.services``.
"""

from dataclasses import dataclass, field

from actions.models import ExecutiveAction
from execcoord.access import read_key
from execcoord.db.union import Shaped

# --- sub-tasker tree -------------------------------------------------------------------


@dataclass
class TreeNode:
    action: ExecutiveAction
    depth: int
    due_after_parent: bool
    children: list = field(default_factory=list)


def descendants_queryset(action, user):
    """The visible actions below ``action`` at any depth, in one query, with what the tree
    shows: a prefix match on the materialised path (``execcoord.db.trees``), one range of
    its index, so the visibility rule is checked on the sub-taskers' rows only.

    A :class:`~execcoord.db.union.Shaped` queryset: compiled once per reader, then sent
    again with each tasker's id and path (``load_together`` loads it)."""
    if not action.path:
        return ExecutiveAction.objects.none()
    return Shaped(
        ("tree", read_key(ExecutiveAction, user)),
        lambda pk, path: _descendants(pk, path, user),
        action.pk,
        action.path,
    )


def _descendants(pk, path, user):
    return (
        ExecutiveAction.objects.visible_to(user)
        .below(path, pk)
        .select_related("lead_unit")
        .only(*TREE_FIELDS)
        .order_by("due_date", "number", "pk")
    )


# what the tree, the roll-up and the timeline's sub-tasker events read of each row: the
# whole tasker and its accountable person were 82 columns, the page's widest part (issue 20)
TREE_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "parent",
    "path",
    "due_date",
    "completed_date",
    "percent_complete",
    "created_at",
    "updated_at",
    "lead_unit",
    *(f"lead_unit__{name}" for name in ("name", "abbreviation")),
)


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
    rows = _descendants(action.pk, action.path, user) if action.path else []
    return build_tree(action, list(rows))
