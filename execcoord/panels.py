"""Declarative detail-page panels and relation discovery (NetBox ``ui/panels``, STYLE.md §3).

The default detail layout is a :class:`FieldsPanel` with every concrete field, then one
:class:`RelatedPanel` per relation found in ``_meta`` (reverse foreign keys, many-to-many in
both directions), so a model added in ``actions`` appears on an ``analysis`` page without
``analysis`` importing it. A registration may pass ``detail_layout=[...]`` to group fields,
reorder panels or add a :class:`TemplatePanel`, and ``detail_actions=[Button(...)]``.

Every panel reaches records through ``visible_to``: counts, rows and field links never reveal a
record the user may not see.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from execcoord import registry
from execcoord.access import visible, visible_pks
from execcoord.tables import EMPTY, optimize_queryset
from execcoord.utils import viewname
from execcoord.widgets import AutocompleteSelectMultiple

RELATED_LIMIT = 10


class Panel:
    """A card on the detail page.

    Args:
        title: the card heading.
        template_name: the template (extends ``panels/_card.html``).
        width: Bootstrap column class of the card.
    """

    template_name = "panels/_card.html"
    title = ""
    width = "col-12 col-xl-6"

    def __init__(self, title=None, template_name=None, width=None):
        self.title = title or self.title
        self.template_name = template_name or self.template_name
        self.width = width or self.width

    def get_context(self, request, obj):
        """The panel's template context, or ``None`` to leave the panel out."""
        return {}

    def render(self, request, obj):
        """The panel's HTML (rendered without context processors: they run once per page)."""
        context = self.get_context(request, obj)
        if context is None:
            return ""
        context = {
            "panel": self,
            "object": obj,
            "request": request,
            "user": request.user,
            "csrf_token": get_token(request),
            **context,
        }
        return render_to_string(self.template_name, context)


class TemplatePanel(Panel):
    """A panel drawn by an app template (transition buttons, a timeline, a board …).

    Args:
        template_name: the app's template, e.g. ``"actions/panels/timeline.html"``.
        context_fn: optional ``fn(request, obj) -> dict`` (``None`` hides the panel); it must
            scope what it reads with ``visible_to``.
        title, width: as for :class:`Panel`.
    """

    def __init__(self, template_name, context_fn=None, title=None, width=None):
        super().__init__(title=title, template_name=template_name, width=width)
        self.context_fn = context_fn

    def get_context(self, request, obj):
        return self.context_fn(request, obj) if self.context_fn else {}


class FieldsPanel(Panel):
    """The record's fields, as label/value rows.

    Args:
        fields: names to show (default: every concrete field but the primary key).
        fieldsets: ``(("Legend", ("a", "b")), ...)`` to group the rows (one card each group).
        title: the heading when not grouped.
    """

    template_name = "panels/fields.html"
    title = "Details"
    width = "col-12"

    def __init__(self, fields=None, fieldsets=None, title=None, width=None):
        super().__init__(title=title, width=width)
        self.fields = fields
        self.fieldsets = fieldsets

    def get_context(self, request, obj):
        model = type(obj)
        names = self.fields or [f.name for f in model._meta.concrete_fields if not f.primary_key]
        fields = {n: model._meta.get_field(n) for n in names}
        allowed = _visible_fk_pks(obj, fields.values(), request.user)
        groups = self.fieldsets or ((None, names),)
        rows = [
            (
                legend,
                [
                    (fields[n].verbose_name, display_value(obj, fields[n], allowed))
                    for n in (spec["fields"] if isinstance(spec, dict) else spec)
                    if n in fields
                ],
            )
            for legend, spec in groups
        ]
        overdue = getattr(obj, "is_overdue", False)
        return {"groups": rows, "overdue": overdue() if callable(overdue) else overdue}


def _visible_fk_pks(obj, fields, user):
    """``{related_model: visible pks}`` for the forward FKs of ``obj`` (one query a model)."""
    by_model = {}
    for field in fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            by_model.setdefault(field.related_model, set()).add(getattr(obj, field.attname))
    return {model: visible_pks(model, user, pks) for model, pks in by_model.items()}


def display_value(obj, field, allowed):
    """The HTML of one field's value on the detail page ("—" when empty or hidden)."""
    if field.is_relation:
        pk = getattr(obj, field.attname)
        if pk is None or pk not in allowed.get(field.related_model, ()):
            return EMPTY
        related = getattr(obj, field.name)
        if registry.get(field.related_model) is None:
            return str(related)
        return format_html('<a href="{}">{}</a>', related.get_absolute_url(), related)
    value = getattr(obj, field.name)
    if value in (None, ""):
        return EMPTY
    if field.choices:
        color = obj.get_choice_color(field.name) if hasattr(obj, "get_choice_color") else None
        label = getattr(obj, f"get_{field.name}_display")()
        return format_html('<span class="badge text-bg-{}">{}</span>', color or "secondary", label)
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.DateTimeField):
        return formats.date_format(value.astimezone(), "j M Y H:i")
    if isinstance(field, models.DateField):
        return formats.date_format(value, "j M Y")
    if isinstance(field, models.URLField):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', value, value)
    if isinstance(field, models.EmailField):
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if isinstance(field, models.TextField):
        return mark_safe(linebreaks(value, autoescape=True))  # escaped, then <p>/<br>
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1]
    return str(value)


@dataclass
class Relation:
    """One relation of a model to another registered model, seen from the model's side.

    Attributes:
        name: the accessor on the record (``obj.<name>``).
        related_model: the model on the other side.
        kind: ``reverse_fk``, ``m2m`` (forward) or ``reverse_m2m``.
        lookup: filter of the related model that selects the record's rows.
        filter_param: the related list's filter parameter (``<lookup>_id``).
        form_field: the related add form's field that takes the record (or ``None``).
    """

    name: str
    related_model: type
    kind: str
    lookup: str
    filter_param: str
    form_field: str | None
    verbose_name: str


def discover_relations(model):
    """Every reverse FK and M2M (both directions) of ``model`` to a registered model.

    History tables and ``related_name="+"`` relations are skipped.
    """
    result = []
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if related is None or registry.get(related) is None:
            continue
        if field.auto_created and not field.concrete:  # reverse side
            name = field.get_accessor_name()
            if not name or name.endswith("+"):
                continue
            remote = field.field
            if field.one_to_many:
                kind = "reverse_fk"
            elif field.many_to_many:
                kind = "reverse_m2m"
            else:
                continue
            result.append(
                Relation(
                    name,
                    related,
                    kind,
                    remote.name,
                    f"{remote.name}_id",
                    remote.name,
                    str(related._meta.verbose_name_plural),
                )
            )
        elif field.many_to_many and field.concrete:
            reverse_name = field.remote_field.get_accessor_name()
            lookup = field.related_query_name()
            result.append(
                Relation(
                    field.name,
                    related,
                    "m2m",
                    lookup,
                    f"{reverse_name}_id",
                    None,
                    str(field.verbose_name),
                )
            )
    return _disambiguate(model, result)


def _disambiguate(model, relations):
    """Name reverse relations by their field when one model is reached twice or is ``model``.

    E.g. "Executive actions (parent)" for sub-taskers, "Dependencies (predecessor)".
    """
    seen = {}
    for relation in relations:
        seen[relation.related_model] = seen.get(relation.related_model, 0) + 1
    for relation in relations:
        twice = seen[relation.related_model] > 1 or relation.related_model is model
        if relation.kind != "m2m" and twice:
            field = relation.related_model._meta.get_field(relation.lookup)
            relation.verbose_name = f"{relation.verbose_name} ({field.verbose_name})"
    return relations


class RelatedPanel(Panel):
    """A small scoped table of the records linked through one relation.

    Args:
        relation: the accessor name on the record (e.g. ``"legal_authorities"``,
            ``"assignments"``, ``"executive_actions"``).
        title: heading (default: the related model's plural name).
        limit: rows shown; "View all" links to the related list filtered by the record.
    """

    template_name = "panels/related.html"

    def __init__(self, relation, title=None, limit=RELATED_LIMIT, width=None):
        super().__init__(title=title, width=width)
        self.relation = relation
        self.limit = limit

    def get_context(self, request, obj):
        relation = next((r for r in discover_relations(type(obj)) if r.name == self.relation), None)
        views = registry.get(relation.related_model) if relation else None
        if views is None or not views.can(request.user, "view"):
            return None
        user = request.user
        rows = visible(relation.related_model, user).filter(**{relation.lookup: obj.pk})
        names = [n for n in views.table.Meta.default_columns[:4] if n != "pk"]
        accessors = [str(views.table.base_columns[n].accessor or n) for n in names]
        ordering = relation.related_model._meta.ordering or []
        page = optimize_queryset(rows.order_by(*ordering, "pk"), accessors, user)
        # One query for the first rows (and one more); count only when there are more
        # (issue 7: a count and a row query per panel made the detail page ~45 queries).
        fetched = list(page[: self.limit + 1])
        count = len(fetched) if len(fetched) <= self.limit else rows.count()
        table = None
        if fetched:
            table = views.table(
                fetched[: self.limit],
                user=user,
                columns=names,
                exclude=("pk",),
                orderable=False,
            )
        return {
            "relation": relation,
            "panel_id": f"rel-{relation.name}",
            "count": count,
            "table": table,
            "title": self.title or str(relation.verbose_name).capitalize(),
            "list_url": _url(
                viewname(relation.related_model, "list"), {relation.filter_param: obj.pk}
            ),
            **_related_actions(request, obj, relation, views),
        }


def _url(name, params):
    return f"{reverse(name)}?{urlencode(params)}"


def _related_actions(request, obj, relation, views):
    """The "Add new" URL and the "Link existing" picker the user is allowed to use."""
    user, back = request.user, obj.get_absolute_url()
    add_url = link_widget = None
    if views.can(user, "add"):
        if relation.kind == "m2m":
            params = {"link_to": f"{obj._meta.label_lower}:{obj.pk}"}
        else:
            params = {relation.form_field: obj.pk}
        add_url = _url(viewname(relation.related_model, "add"), {**params, "return_url": back})
    own = registry.get(obj)
    if relation.kind != "reverse_fk" and views.can(user, "change") and own.can(user, "change", obj):
        widget = AutocompleteSelectMultiple(relation.related_model)
        link_widget = widget.render(
            "targets", [], attrs={"id": f"link-{relation.name}", "class": "form-select"}
        )
    return {
        "add_url": add_url,
        "link_widget": link_widget,
        "link_url": reverse(viewname(obj, "link"), args=[obj.pk, relation.name]),
        "return_url": back,
    }


def default_layout(views):
    """The default detail layout of a registration: fields, then one panel per relation."""
    fields = FieldsPanel(fieldsets=views.fieldsets)
    return [fields, *[RelatedPanel(r.name) for r in discover_relations(views.model)]]


@dataclass
class Button:
    """A button on the detail page header (``registration.detail_actions``).

    Args:
        label: the text.
        url: ``fn(obj) -> str`` giving the target.
        permission: model permission needed (``view``/``add``/``change``/``delete``), checked
            with the object-level hook for change and delete.
        style: Bootstrap button colour.
        method: ``get`` (a link) or ``post`` (a small form with CSRF token).
        condition: optional ``fn(request, obj) -> bool``.
    """

    label: str
    url: object
    permission: str = "change"
    style: str = "outline-primary"
    method: str = "get"
    condition: object = None

    def bind(self, request, obj, views):
        """``{"label", "url", "style", "method"}`` if the user may use it, else ``None``."""
        if not views.can(request.user, self.permission, obj):
            return None
        if self.condition and not self.condition(request, obj):
            return None
        return {
            "label": self.label,
            "url": self.url(obj),
            "style": self.style,
            "method": self.method,
        }
