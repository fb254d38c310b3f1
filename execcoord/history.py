"""The only sanctioned ways to write tracked models in bulk.

``QuerySet.update()`` and ``bulk_create``/``bulk_update`` skip ``save()`` and therefore the
change history. These helpers do the bulk write and record one history row per object, so an
audit never has a gap (issue 6). A test scans the code for raw bulk writes outside this module.

A bulk update follows the compare-and-swap rule of ``BaseModel.save()``: the rows are locked,
a row saved by someone else since its object was read refuses the whole update
(:class:`StaleRows`), and every ``version`` grows by one.
"""

from django.db import router, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history as _bulk_create
from simple_history.utils import bulk_update_with_history as _bulk_update

from execcoord.db import trees


def bulk_create_with_history(objs, model=None, *, batch_size=1000, user=None, reason=None):
    """Insert ``objs`` in batches and write a "+" history row for each.

    Args:
        objs: unsaved model instances of one model.
        model: the model class (defaults to the first object's class).
        batch_size: rows per INSERT.
        user: the user to record as author (default: the request user, if any).
        reason: a change reason recorded on every history row.
    """
    objs = list(objs)
    if not objs:
        return []
    model = model or type(objs[0])
    created = _bulk_create(
        objs,
        model,
        batch_size=batch_size,
        default_user=user,
        default_change_reason=reason,
    )
    if trees.is_tree(model):
        _write_created_paths(created, model, batch_size)
    return created


def _write_created_paths(objs, model, batch_size):
    """The materialised paths of new tree nodes (``execcoord.db.trees``): they need the ids,
    so they are written after the insert, on the rows and on their creation history rows
    (part of the creation: no version grows, no "~" row)."""
    objs = trees.fill_created_paths(objs, model)
    if not objs:
        return
    model._base_manager.bulk_update(objs, ["path", "depth"], batch_size=batch_size)
    by_pk = {obj.pk: obj for obj in objs}
    history = model.history.model
    rows = list(history._base_manager.filter(history_type="+", id__in=list(by_pk)))
    for row in rows:
        row.path, row.depth = by_pk[row.id].path, by_pk[row.id].depth
    history._base_manager.bulk_update(rows, ["path", "depth"], batch_size=batch_size)


class StaleRows(Exception):
    """A bulk update found rows saved by someone else since their objects were read; nothing
    was written. ``instances`` are those objects (their ``version`` is the one read)."""

    def __init__(self, instances):
        self.instances = list(instances)
        super().__init__(f"{len(self.instances)} record(s) were changed meanwhile.")


def has_version(model):
    """Whether ``model`` carries the optimistic-concurrency ``version`` (every BaseModel)."""
    return any(f.name == "version" for f in model._meta.concrete_fields)


def lock_versions(objs, model=None, *, chunk=2000):
    """Lock the rows of ``objs`` until the transaction ends (``SELECT … FOR UPDATE``) and
    return the objects whose row no longer holds the ``version`` they were read at: saved by
    someone else since, or deleted. The caller must be inside a transaction."""
    objs = [obj for obj in objs if obj.pk is not None]
    if not objs:
        return []
    model = model or type(objs[0])
    pks = sorted({obj.pk for obj in objs})
    stored = {}
    for start in range(0, len(pks), chunk):
        stored.update(
            model._base_manager.select_for_update()
            .filter(pk__in=pks[start : start + chunk])
            .values_list("pk", "version")
        )
    return [obj for obj in objs if stored.get(obj.pk) != obj.version]


def bulk_update_with_history(objs, fields, model=None, *, batch_size=1000, user=None, reason=None):
    """Update ``fields`` of ``objs`` in batches and write a "~" history row for each.

    For a model with a ``version`` the update is compare-and-swap, as ``save()`` is: the
    rows are locked in this transaction, :class:`StaleRows` is raised (and nothing written)
    when any of them was saved since its object was read, and each object's ``version``
    grows by one (the history rows carry the new one).
    """
    objs = list(objs)
    if not objs:
        return 0
    model = model or type(objs[0])
    fields = list(fields)
    versioned = has_version(model)
    with transaction.atomic():
        moves = {}
        if trees.is_tree(model) and {"parent", "parent_id"} & set(fields):
            moves = trees.prepare_bulk_move(objs, model)
            if moves:
                fields += [name for name in ("path", "depth") if name not in fields]
        if versioned:
            stale = lock_versions(objs, model)
            if stale:
                raise StaleRows(stale)
            for obj in objs:
                obj.version = (obj.version or 0) + 1
            if "version" not in fields:
                fields.append("version")
        try:
            written = _bulk_update(
                objs,
                model,
                fields,
                batch_size=batch_size,
                default_user=user,
                default_change_reason=reason,
            )
        except Exception:
            if versioned:
                for obj in objs:
                    obj.version -= 1
            raise
        if moves:  # the moved nodes' descendants follow them
            descendants = trees.moved_descendants(model, moves.values(), exclude=list(moves))
            bulk_update_with_history(
                descendants,
                ["path", "depth"],
                model,
                batch_size=batch_size,
                user=user,
                reason=reason,
            )
            trees.tree_moved.send(
                model, moves=list(moves.values()), using=router.db_for_write(model)
            )
        return written


def update_with_history(queryset, *, user=None, reason=None, **values):
    """``queryset.update(**values)`` that records history: returns the number of rows changed."""
    objs = list(queryset)
    if objs and any(f.name == "updated_at" for f in objs[0]._meta.concrete_fields):
        values.setdefault("updated_at", timezone.now())
    for obj in objs:
        for name, value in values.items():
            setattr(obj, name, value)
    bulk_update_with_history(
        objs, list(values), type(objs[0]) if objs else None, user=user, reason=reason
    )
    return len(objs)


def bulk_create_links(through, links, *, batch_size=2000):
    """Insert many-to-many rows (``through`` objects) in batches.

    Link tables carry no history of their own (simple-history tracks the models, not their
    auto-created ``through`` tables), so nothing is skipped here; the helper exists so that
    every bulk write in the code base goes through this module.
    """
    if through._meta.auto_created is False and hasattr(through, "history"):
        raise TypeError(f"{through.__name__} is tracked: use bulk_create_with_history")
    return through.objects.bulk_create(links, batch_size=batch_size)


def _m2m_field(model, through):
    """The many-to-many field of ``model`` whose link table is ``through``."""
    for field in model._meta.many_to_many:
        if field.remote_field.through is through:
            return field
    return None


def record_link_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A many-to-many change is a change of the record that declares the field: its
    ``version`` grows and a history row names what was linked or unlinked, wherever the
    link was made (form, link page, import, admin, either side).

    Connected to ``m2m_changed`` for every model (``ExeccoordConfig.ready``).
    """
    from execcoord.models import BaseModel

    if action == "pre_clear" and reverse:
        forward = model
        field = _m2m_field(forward, sender)
        if field is not None:
            instance._cleared_owner_pks = list(
                forward._default_manager.filter(**{field.name: instance}).values_list(
                    "pk", flat=True
                )
            )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    forward = model if reverse else type(instance)
    if not issubclass(forward, BaseModel):
        return
    field = _m2m_field(forward, sender)
    if field is None:
        return
    verb = "Linked" if action == "post_add" else "Unlinked"
    if reverse:
        owner_pks = (
            pk_set if action != "post_clear" else instance.__dict__.pop("_cleared_owner_pks", [])
        )
        owners = list(forward._default_manager.filter(pk__in=owner_pks or []))
        what = f"{verb} {field.verbose_name}: {instance}"
    else:
        owners = [instance]
        if action == "post_clear":
            what = f"Unlinked every {field.verbose_name}"
        else:
            names = [str(r) for r in field.related_model._default_manager.filter(pk__in=pk_set)]
            what = f"{verb} {field.verbose_name}: {'; '.join(sorted(names))}"
    for owner in owners:
        owner._change_reason = what[:100]
        owner.save(update_fields=["updated_at"])


trees.write_moved = bulk_update_with_history  # a moved node's descendants keep their history
