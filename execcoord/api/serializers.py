"""One serializer a registered model, generated: what a record looks like through the API.

The representation holds the id, the ``version`` (sent back on update), every column and
many-to-many (as ids) except the fields the reader may not see (``policy.hidden_fields``)
and the tree's bookkeeping; a reference to a record of a restricted model the reader may
not see is left out (``null``, or missing from a list of ids), as the pages never name one.

The serializer validates nothing of a write: the request's fields go to the model's
registered form (``execcoord.api.views``), so the messages are the forms'. Its writable
fields (for the schema) are the form's model fields; the others are read-only.
"""

from collections import defaultdict

from django.db import models
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from execcoord import api, policy
from execcoord.access import is_restricted, visible, visible_pks
from execcoord.forms import TOKEN_FIELD
from execcoord.submissions import FORM_KEY

# fields no representation shows: a tree's materialised path names every ancestor's id
NEVER_SHOWN = ("path", "depth")
# component name -> field names a reader may not see (the schema does not require them)
SENSITIVE = {}


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem (the schema of every error)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    changed = serializers.ListField(child=serializers.CharField(), required=False)


class LoadedManyIds(serializers.ManyRelatedField):
    """A many-to-many as ids: those :func:`many_to_many_ids` loaded for the rows in the
    serializer's context (``many_ids``), else the relation read as usual."""

    def get_attribute(self, instance):
        loaded = (self.context.get("many_ids") or {}).get(self.source)
        if loaded is None:
            return super().get_attribute(instance)
        return loaded.get(instance.pk, [])

    def to_representation(self, iterable):
        if isinstance(iterable, list):
            return iterable  # the ids already
        return super().to_representation(iterable)


class RelatedId(serializers.PrimaryKeyRelatedField):
    """A reference as its id; a many-to-many is a :class:`LoadedManyIds`."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        child = cls(*args, **{k: v for k, v in kwargs.items() if k != "many"})
        list_kwargs = {"child_relation": child}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return LoadedManyIds(**list_kwargs)


class RecordSerializer(serializers.ModelSerializer):
    """Base of the generated serializers (see the module docstring)."""

    serializer_related_field = RelatedId

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not self.context.get("schema"):
            for name in policy.hidden_fields(request.user, self.Meta.model):
                fields.pop(name, None)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        hidden = self.context.get("hidden_refs") or {}
        for name, pks in hidden.items():
            if name not in data or not pks:
                continue
            value = data[name]
            if isinstance(value, list):
                data[name] = [pk for pk in value if pk not in pks]
            elif value in pks:
                data[name] = None
        return data

    def to_internal_value(self, data):
        return data  # validated by the model's form (execcoord.api.views)


def form_model_fields(views):
    """The model fields the registered form may set (before the policy's field rules)."""
    names = {f.name for f in views.model._meta.get_fields()}
    return [n for n in views.form.base_fields if n in names]


def form_extra_fields(views):
    """The form's own fields beyond the model's (a reason for a changed due date)."""
    names = {f.name for f in views.model._meta.get_fields()}
    skip = {TOKEN_FIELD, FORM_KEY}
    return [n for n in views.form.base_fields if n not in names and n not in skip]


def shown_fields(model):
    """The model fields a representation holds (before hiding the sensitive ones)."""
    names = ["id"]
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in NEVER_SHOWN:
            continue
        if isinstance(field, models.FileField):
            continue  # a file is downloaded (``download``, the page's checked view), not sent
        names.append(field.name)
    names += [f.name for f in model._meta.many_to_many]
    return names


_serializers = {}


def serializer_for(views, *, update=False):
    """The serializer class of a registration (``update``: ``version`` is required); one
    class a registration, made on first use."""
    key = (views.label, update)
    if key not in _serializers:
        _serializers[key] = _make_serializer(views, update)
    return _serializers[key]


def _make_serializer(views, update):
    model = views.model
    fields = shown_fields(model)
    downloads = api.download_view(views.label) is not None
    writable = set(form_model_fields(views)) - set(policy.policy_for(model).system_fields)
    read_only = [n for n in fields if n not in writable]
    extra_kwargs = {}
    for name in writable & set(fields):
        form_field = views.form.base_fields[name]
        extra_kwargs[name] = {"required": bool(form_field.required) and not update}
    attrs = {}
    for name in read_only:
        field = model._meta.get_field(name) if name != "id" else None
        if field is not None and field.choices and field.blank and not field.many_to_many:
            # DRF drops ``allow_blank`` from read-only fields, and the schema then forbids
            # the empty value such a field holds ("not held": ``held_from_status``)
            attrs[name] = serializers.ChoiceField(
                choices=field.choices, read_only=True, allow_blank=True, allow_null=field.null
            )
    for name in form_extra_fields(views):
        attrs[name] = serializers.CharField(write_only=True, required=False, allow_blank=True)
    if update:
        read_only = [n for n in read_only if n != "version"]
        attrs["version"] = serializers.IntegerField(
            min_value=1,
            help_text="The version the change was made from (from the record as read); an "
            "older one is refused with 409 naming the fields changed since.",
        )
    if downloads:
        # the file is fetched from the record's download route (the page's download view)
        attrs["download"] = serializers.HyperlinkedIdentityField(
            view_name=f"{views.label}-download",
            lookup_field="pk",
            lookup_url_kwarg="id",
            help_text="The file (GET, with the token).",
        )
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": fields + (["download"] if downloads else []) + list(form_extra_fields(views)),
            "read_only_fields": read_only,
            "extra_kwargs": extra_kwargs,
        },
    )
    name = model.__name__ + ("Update" if update else "")
    sensitive = set(getattr(model, "sensitive_fields", None) or ())
    if sensitive:
        SENSITIVE[name] = sensitive
    return type(f"{name}Serializer", (RecordSerializer,), {"Meta": meta, **attrs})


def hidden_refs(model, user, instances):
    """``{field name: ids the user may not see}`` over ``instances``' foreign keys to records
    of restricted models (one query a field at most). Many-to-many ids come already scoped
    (:func:`many_to_many_ids`)."""
    found = {}
    instances = list(instances)
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model is None or not field.null:
            continue
        related = field.related_model
        if not is_restricted(related):
            continue
        pks = {getattr(obj, field.attname) for obj in instances} - {None}
        if pks:
            found[field.name] = pks - visible_pks(related, user, pks)
    return found


def many_to_many_ids(model, user, instances):
    """``{field name: {row id: [related ids]}}`` of every many-to-many of ``instances``, in
    one query: a ``UNION ALL`` of the through tables, each limited to the related records
    ``user`` sees, as the list page's scoped prefetch (``execcoord.tables.optimize_queryset``)
    is. One query whatever the number of many-to-many fields and of rows (none without
    either), where a prefetch a field would be one a field; a hidden record is never named."""
    fields = list(model._meta.many_to_many)
    pks = [obj.pk for obj in instances if obj.pk is not None]
    if not fields or not pks:
        return {}
    parts = []
    for index, field in enumerate(fields):
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = through._base_manager.filter(**{f"{source}__in": pks})
        if is_restricted(field.related_model):
            rows = rows.filter(**{f"{target}__in": visible(field.related_model, user).values("pk")})
        position = models.Value(index, output_field=models.IntegerField())
        rows = rows.annotate(m2m_index=position).order_by()
        parts.append(rows.values_list("m2m_index", f"{source}_id", f"{target}_id"))
    ids = {field.name: defaultdict(list) for field in fields}
    for index, owner, target in parts[0].union(*parts[1:], all=True):
        ids[fields[index].name][owner].append(target)
    for by_row in ids.values():
        for related in by_row.values():
            related.sort()
    return ids
