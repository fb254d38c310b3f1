"""Trees kept as materialised paths, and the one cycle check of every tree.

A node of a :class:`TreeNode` model stores ``path``: the zero-padded ids of its ancestors and
its own, each followed by ``/`` (``"0000000001/0000000007/"``), and ``depth`` (0 for a root).
"This node and everything under it" is then one ``path LIKE 'prefix%'`` query, served by the
column's index (on PostgreSQL the ``varchar_pattern_ops`` index Django adds to an indexed
``CharField``), and a node's ancestors are read from its own path without a query. The
dashboards and the visibility rules of executive actions ask for subtrees of units on every
request; the action page asks for the sub-taskers of an action the same way.

The path is maintained on every write path: :meth:`TreeNode.save` (a new node, a moved node
and its descendants), and the bulk helpers of ``execcoord.history``
(:func:`fill_created_paths`, :func:`prepare_bulk_move`). Both send :data:`tree_moved` once the
moved nodes and their descendants have their new paths, in the same transaction, for what is
kept per subtree elsewhere (the dashboards' completion tally of each unit). A node cannot be
placed under itself or one of its descendants (:func:`cycle_error`, the same check for the
trees without a path).

Organization units and executive actions (sub-taskers) are trees of this kind.
"""

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q, Value
from django.dispatch import Signal

from execcoord.db.constraints import check

PATH_DIGITS = 10
PATH_MAX_LENGTH = 1100  # 100 levels of "0000000001/"
CYCLE_MESSAGE = "A record cannot be placed under itself or one of its descendants."

#: Sent by every move of a tree's nodes, once they and their descendants have their new
#: paths, inside the move's transaction: ``sender`` the model, ``moves`` the
#: ``[(old path, new path)]`` of the nodes whose parent changed, ``using`` the database.
tree_moved = Signal()


def path_segment(pk):
    """The piece of a path that stands for the node ``pk``: ``"0000000005/"``."""
    return f"{pk:0{PATH_DIGITS}d}/"


def path_ids(path):
    """The node ids in ``path``, root first."""
    return [int(part) for part in path.split("/") if part]


def in_path_sql(column, path, vendor):
    """SQL true when ``column`` is one of the node ids the path ``path`` spells (both SQL
    expressions): :func:`path_ids` for raw SQL such as a trigger's, a path holding at most
    ``PATH_MAX_LENGTH`` characters.

    On PostgreSQL an ``= ANY(ARRAY[…])``, which an index on ``column`` serves (an ``IN (…)`` of
    expressions reading another table's columns becomes an ``OR`` the planner tests against
    every row); elsewhere an ``IN (…)`` list, looked up one by one."""
    segment = PATH_DIGITS + 1  # "0000000007/"
    ids = ", ".join(
        f"CAST(NULLIF(substr({path}, {level * segment + 1}, {PATH_DIGITS}), '') AS INTEGER)"
        for level in range(PATH_MAX_LENGTH // segment)
    )
    if vendor == "postgresql":
        return f"{column} = ANY(ARRAY[{ids}])"
    return f"{column} IN ({ids})"


def path_depth(path):
    """The depth of the node whose path is ``path`` (0 for a root)."""
    return path.count("/") - 1


def subtree_q(paths, field="path"):
    """The condition "under one of ``paths``" on ``field`` (a node's path, or a relation's,
    such as ``"lead_unit__path"``): one ``LIKE 'prefix%'`` per path, each served by the index.
    No path matches nothing."""
    condition = Q(pk__in=[])
    for path in sorted(set(paths)):
        condition |= Q(**{f"{field}__startswith": path})
    return condition


class TreeQuerySet(models.QuerySet):
    """Subtree and ancestor queries on the materialised path."""

    def subtree(self, nodes):
        """The given node(s) and all their descendants.

        Args:
            nodes: a node, a node id, or an iterable / queryset of either.
        """
        paths = subtree_roots(self.model, nodes)
        if not paths:
            return self.none()
        return self.filter(subtree_q(paths))

    def descendants_of(self, node):
        """The nodes strictly below ``node`` (none when ``node`` has no path yet)."""
        if not node.path:
            return self.none()
        return self.below(node.path, node.pk)

    def below(self, path, pk):
        """The nodes under the node ``pk`` of materialised ``path``. The path reaches the SQL
        as one parameter, unchanged (escaped for ``LIKE`` in SQL, an index range all the
        same), so that the query compiled for one node serves them all
        (``execcoord.db.union.Shaped``)."""
        return self.filter(path__startswith=Value(path)).exclude(pk=pk)

    def ancestors_of(self, node):
        """The nodes above ``node``, root first (ids read from its path)."""
        return self.filter(pk__in=path_ids(node.path)[:-1]).order_by("depth")


def subtree_roots(model, nodes):
    """The minimal set of paths covering ``nodes`` (a path under another is dropped)."""
    if isinstance(nodes, models.QuerySet):
        paths = list(nodes.values_list("path", flat=True))
    else:
        if isinstance(nodes, model | int):
            nodes = [nodes]
        paths, ids = [], []
        for node in nodes:
            if isinstance(node, model):
                paths.append(node.path)
            elif node is not None:
                ids.append(node)
        if ids:
            paths += model._base_manager.filter(pk__in=ids).values_list("path", flat=True)
    roots = []
    for path in sorted(p for p in paths if p):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def cycle_error(instance, field_name="parent"):
    """The error message if ``instance``'s parent would make it its own ancestor, else ``None``.

    A :class:`TreeNode` reads the chosen parent's path (one query); another tree walks up
    the ``field_name`` chain, one query a level. The message is the model's
    ``tree_cycle_message``.
    """
    parent_id = getattr(instance, f"{field_name}_id")
    if parent_id is None or instance.pk is None:
        return None  # a record not yet saved cannot be anybody's ancestor
    message = getattr(instance, "tree_cycle_message", CYCLE_MESSAGE)
    if parent_id == instance.pk:
        return message
    if isinstance(instance, TreeNode):
        return message if instance.pk in path_ids(instance._parent_path()) else None
    manager = type(instance)._base_manager
    seen = set()
    current = parent_id
    while current is not None and current not in seen:
        if current == instance.pk:
            return message
        seen.add(current)
        current = manager.filter(pk=current).values_list(f"{field_name}_id", flat=True).first()
    return None


def ensure_no_cycle(instance, field_name="parent"):
    """Raise ``ValidationError({field_name: …})`` if :func:`cycle_error` finds a cycle."""
    message = cycle_error(instance, field_name)
    if message:
        raise ValidationError({field_name: message})


def _history_not_loaded(objs, fields, model, *, reason=None):
    raise RuntimeError("execcoord.history is not loaded: add execcoord to INSTALLED_APPS")


# How the descendants of a moved node are written: ``execcoord.history`` installs its bulk
# update (history rows, versions) when it loads, so this module needs no import of it.
write_moved = _history_not_loaded


class TreeNode(models.Model):
    """A model in one tree through its ``parent`` foreign key, with a materialised path.

    The concrete model declares ``parent`` (``on_delete=PROTECT``: deleting a node with
    children would leave their paths pointing at a missing node) with a check constraint
    refusing a node as its own parent (``not_own_parent_constraint``), and may set
    ``tree_cycle_message``. Its queryset should include :class:`TreeQuerySet`.

    ``path`` and ``depth`` are maintained by :meth:`save`: a new node is inserted first (its id
    is part of its path), then its path is written and copied onto the creation history row;
    a node whose parent changed rewrites its descendants' paths, with history.
    """

    path = models.CharField(max_length=PATH_MAX_LENGTH, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    tree_cycle_message = CYCLE_MESSAGE

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save, keeping ``path``/``depth`` of this node and its descendants in step."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"parent", "parent_id"} & set(update_fields):
            return super().save(*args, **kwargs)  # the node stays where it is
        stored = self.__dict__.get("_tree_stored")  # (parent id, path) as loaded
        if stored is not None and stored[1] != self.path:
            stored = None  # the path was set from outside: ask the database
        if stored is not None and stored[0] == self.parent_id and self.path:
            return super().save(*args, **kwargs)  # loaded here, parent unchanged
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "path", "depth"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            parent_path = self._parent_path(using)
            # a node as its own parent is refused by the database (``not_own_parent``)
            if self.parent_id != self.pk and self.pk in path_ids(parent_path):
                raise ValidationError({"parent": self.tree_cycle_message})
            if self.pk is None:
                self._insert(parent_path, *args, **kwargs)
            else:
                old_path = None
                if not self._state.adding:
                    old_path = (
                        stored[1]
                        if stored is not None
                        else type(self)
                        ._base_manager.using(using)
                        .filter(pk=self.pk)
                        .values_list("path", flat=True)
                        .first()
                    )
                self._set_path(parent_path)
                super().save(*args, **kwargs)
                if old_path and old_path != self.path:
                    self._move_descendants(old_path, using)
                    tree_moved.send(type(self), moves=[(old_path, self.path)], using=using)
            self._tree_stored = (self.parent_id, self.path)

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the stored parent and path: a save that keeps the parent costs nothing."""
        instance = super().from_db(db, field_names, values)
        if "parent_id" in field_names and "path" in field_names:
            instance._tree_stored = (instance.__dict__["parent_id"], instance.__dict__["path"])
        return instance

    def clean(self):
        super().clean()
        ensure_no_cycle(self)

    def _parent_path(self, using=None):
        """The parent's stored path ("" for a root), read from the database: a parent object
        in memory may have moved since it was loaded."""
        if self.parent_id is None:
            return ""
        return (
            type(self)
            ._base_manager.using(using)
            .filter(pk=self.parent_id)
            .values_list("path", flat=True)
            .first()
        ) or ""

    def _set_path(self, parent_path):
        self.path = parent_path + path_segment(self.pk)
        self.depth = path_depth(self.path)

    def _insert(self, parent_path, *args, **kwargs):
        using = kwargs.get("using")
        super().save(*args, **kwargs)  # the history row written here has no path yet
        self._set_path(parent_path)
        # The second write is part of the creation, not a change: it records no "~" row,
        # does not grow the version (``models.Model.save`` skips the subclasses' ``save``),
        # and the creation row is completed instead.
        self.skip_history_when_saving = True
        try:
            models.Model.save(self, using=using, update_fields=["path", "depth"])
        finally:
            del self.skip_history_when_saving
        history = getattr(self, "history", None)
        if history is None:
            return
        created = history.using(using).filter(history_type="+").order_by("-pk").first()
        if created is not None:
            created.path, created.depth = self.path, self.depth
            created.save(update_fields=["path", "depth"])

    def _move_descendants(self, old_path, using):
        descendants = moved_descendants(
            type(self), [(old_path, self.path)], exclude=[self.pk], using=using
        )
        write_moved(
            descendants, ["path", "depth"], type(self), reason=f"Moved with {self.tree_label()}"
        )

    def tree_label(self):
        """How the history of a node moved with this one names it ("Moved with …")."""
        return str(self)

    def get_ancestors(self):
        """The nodes above this one, root first."""
        return type(self)._default_manager.ancestors_of(self)

    def get_descendants(self, include_self=True):
        """This node's subtree, with the node itself unless ``include_self`` is false."""
        nodes = type(self)._default_manager.subtree(self)
        return nodes if include_self else nodes.exclude(pk=self.pk)

    def is_ancestor_of(self, other):
        """Whether ``other`` lies strictly below this node."""
        return other.pk != self.pk and other.path.startswith(self.path)


def not_own_parent_constraint(message):
    """The check constraint of a tree model: no node is its own parent."""
    return check(Q(parent__isnull=True) | ~Q(parent=models.F("pk")), "not_own_parent", message)


def is_tree(model):
    """Whether ``model`` keeps a materialised path (:class:`TreeNode`)."""
    return isinstance(model, type) and issubclass(model, TreeNode)


def compute_paths(parents):
    """``{pk: path}`` for a whole forest given as ``{pk: parent_id}`` (a parent outside the
    mapping counts as missing: the node becomes a root). A node on a loop is refused with
    ``ValueError``. No query: for data migrations and generators."""
    paths = {}
    for start in parents:
        chain, current = [], start
        while current is not None and current not in paths:
            if current in chain:
                raise ValueError(f"the parent links of {current} make a loop")
            chain.append(current)
            current = parents.get(current)
        prefix = paths.get(current, "")
        for pk in reversed(chain):
            prefix += path_segment(pk)
            paths[pk] = prefix
    return paths


def fill_created_paths(objs, model, using=None):
    """Set ``path``/``depth`` of freshly bulk-created ``objs`` (with ids), in memory; their
    parents are stored rows or earlier objects of ``objs``. Returns the objects changed."""
    objs = [obj for obj in objs if obj.pk is not None]
    by_pk = {obj.pk: obj for obj in objs}
    outside = {obj.parent_id for obj in objs if obj.parent_id and obj.parent_id not in by_pk}
    stored = dict(model._base_manager.using(using).filter(pk__in=outside).values_list("pk", "path"))
    done = {}

    def path_of(obj, seen=()):
        if obj.pk in done:
            return done[obj.pk]
        if obj.parent_id is None:
            prefix = ""
        elif obj.parent_id in by_pk:
            if obj.parent_id in seen:
                raise ValidationError({"parent": model.tree_cycle_message})
            prefix = path_of(by_pk[obj.parent_id], (*seen, obj.pk))
        else:
            prefix = stored.get(obj.parent_id, "")
        done[obj.pk] = prefix + path_segment(obj.pk)
        return done[obj.pk]

    for obj in objs:
        obj.path = path_of(obj)
        obj.depth = path_depth(obj.path)
    return objs


def prepare_bulk_move(objs, model, using=None):
    """Before a bulk update of ``parent``: set the new ``path``/``depth`` of the moved ``objs``
    in memory and return ``{pk: (old path, new path)}`` of the moves, whose descendants the
    caller rewrites after the update (:func:`moved_descendants`).

    A parent that is itself moved in the same batch, or lies under a moved node, is followed
    to its new place. A move that would put a node under itself raises ``ValidationError``.
    """
    stored = {
        pk: (parent_id, path)
        for pk, parent_id, path in model._base_manager.using(using)
        .filter(pk__in=[obj.pk for obj in objs])
        .values_list("pk", "parent_id", "path")
    }
    moved = {obj.pk: obj for obj in objs if obj.pk in stored and stored[obj.pk][0] != obj.parent_id}
    if not moved:
        return {}
    outside = {o.parent_id for o in moved.values() if o.parent_id and o.parent_id not in moved}
    parent_paths = dict(
        model._base_manager.using(using).filter(pk__in=outside).values_list("pk", "path")
    )
    new = {}

    def new_path(pk, seen=()):
        if pk in new:
            return new[pk]
        if pk in seen:
            raise ValidationError({"parent": model.tree_cycle_message})
        parent_id = moved[pk].parent_id
        if parent_id is None:
            prefix = ""
        elif parent_id in moved:
            prefix = new_path(parent_id, (*seen, pk))
        else:
            prefix = parent_paths.get(parent_id, "")
            # a parent under a moved node goes with it: the deepest moved ancestor decides
            above = [a for a in path_ids(prefix) if a in moved]
            if above:
                top = above[-1]
                if top == pk:
                    raise ValidationError({"parent": model.tree_cycle_message})
                old = stored[top][1]
                prefix = new_path(top, (*seen, pk)) + prefix[len(old) :]
        new[pk] = prefix + path_segment(pk)
        return new[pk]

    moves = {}
    for pk, obj in moved.items():
        obj.path = new_path(pk)
        obj.depth = path_depth(obj.path)
        moves[pk] = (stored[pk][1], obj.path)
    return moves


def moved_descendants(model, moves, exclude=(), using=None):
    """The stored nodes under the old paths of ``moves``, each set (in memory) to its place
    under its nearest moved ancestor, except the nodes ``exclude`` names (moved themselves).
    One query."""
    olds = sorted((old for old, _ in moves if old), key=len, reverse=True)
    if not olds:
        return []
    new_of = dict(moves)
    condition = Q()
    for old in olds:
        condition |= Q(path__startswith=old)
    nodes = list(model._base_manager.using(using).filter(condition).exclude(pk__in=exclude))
    for node in nodes:
        old = next(o for o in olds if node.path.startswith(o))
        node.path = new_of[old] + node.path[len(old) :]
        node.depth = path_depth(node.path)
    return nodes
