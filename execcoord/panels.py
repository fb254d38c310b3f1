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
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from execcoord import policy, registry
from execcoord.access import is_restricted, read_key, visible, visible_pks
from execcoord.db.union import Counted, Shaped, count_together, load_together
from execcoord.formats import format_date, format_datetime
from execcoord.tables import EMPTY, optimize_queryset
from execcoord.utils import is_user_model, user_name, viewname
from execcoord.widgets import AutocompleteSelectMultiple

RELATED_LIMIT = 10


class Panel:
    """A card on the detail page.

    A panel names the querysets it reads (:meth:`querysets`); the detail view loads those of
    every panel of the page in one query (:func:`load_panel_data`) and hands the rows to
    :meth:`get_context` as ``data[key]``.

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

    def querysets(self, request, obj):
        """``{key: queryset}`` the panel reads, each scoped with ``visible_to``.

        Panels of one page share a key when they read the same rows (the first panel's
        queryset is used).
        """
        return {}

    def count_querysets(self, request, obj, data):
        """``{key: queryset}`` to count once the rows are loaded (all counted in one query)."""
        return {}

    def linked_records(self, request, obj, data):
        """``{model: pks}`` of the records the panel's cells link to; the page checks the
        restricted ones for all panels at once (``data["visible"]``)."""
        return {}

    def prepare(self, request, obj, data):
        """Called with the page's loaded rows before anything is rendered."""

    def get_context(self, request, obj, data):
        """The panel's template context, or ``None`` to leave the panel out."""
        return {}

    def render(self, request, obj, data=None):
        """The panel's HTML (rendered without context processors: they run once per page).

        Args:
            data: the page's rows from :func:`load_panel_data` (loaded for this panel alone
                when omitted).
        """
        if data is None:
            data = load_panel_data([self], request, obj)
        context = self.get_context(request, obj, data)
        if context is None:
            return ""
        context = {
            "panel": self,
            "object": obj,
            "request": request,
            "user": request.user,
            "csrf_token": _page_token(request),
            **context,
        }
        return render_to_string(self.template_name, context)


def _page_token(request):
    """The CSRF token of the page's forms, masked once a page (not once a panel)."""
    token = request.__dict__.get("_panel_csrf_token")
    if token is None:
        token = request.__dict__["_panel_csrf_token"] = get_token(request)
    return token


def load_panel_data(panels, request, obj):
    """The rows every panel of a page reads, in one query, then what they need checked.

    Also loads the records ``obj`` links to through its foreign keys (cached on ``obj``, as
    ``select_related`` would, without joining them all into the record's own query).

    Returns:
        ``{key: [instances]}`` for the panels' :meth:`Panel.querysets`, ``{key: int}`` for
        their :meth:`Panel.count_querysets` (one more query, only if any), and under
        ``"visible"`` the visible pks of the restricted records the panels link to (one
        query a model, only if any).
    """
    forward = _forward_relations(obj)
    querysets = {
        f"forward:{model._meta.label_lower}": _forward_rows(model, pks, request.user, obj)
        for model, pks in forward.items()
    }
    for panel in panels:
        for key, queryset in panel.querysets(request, obj).items():
            querysets.setdefault(key, queryset)
    data = load_together(querysets)
    _cache_forward(obj, forward, data)
    counts = {}
    for panel in panels:
        counts.update(panel.count_querysets(request, obj, data))
    data.update(count_together(counts))
    linked = {}
    for panel in panels:
        for model, pks in panel.linked_records(request, obj, data).items():
            linked.setdefault(model, set()).update(pks)
    data["visible"] = {
        model: _visible_linked(model, pks, request.user, obj) for model, pks in linked.items()
    }
    for panel in panels:
        panel.prepare(request, obj, data)
    return data


def _visible_linked(model, pks, user, obj):
    """The visible ones of ``pks``; the page's record is known to be visible (the view
    found it through ``visible_to``), so it is not asked again."""
    if model is not type(obj) or obj.pk not in pks:
        return visible_pks(model, user, pks)
    return visible_pks(model, user, pks - {obj.pk}) | {obj.pk}


def _forward_relations(obj):
    """``{model: pks}`` of the records ``obj`` links to through foreign keys not loaded yet
    (a record of a restricted model is loaded, so cached, only if the user may see it)."""
    by_model = {}
    for field in type(obj)._meta.concrete_fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            pk = getattr(obj, field.attname)
            if pk is not None and not field.is_cached(obj):
                by_model.setdefault(field.related_model, set()).add(pk)
    return by_model


def _forward_rows(model, pks, user, obj):
    """The records of ``model`` among ``pks`` that ``obj``'s page shows (those ``user`` may
    see, for a restricted model), compiled once per model, number of records and reader
    (``Shaped``)."""
    db = obj._state.db
    if is_restricted(model) and not is_user_model(model):
        key = read_key(model, user)

        def build(*ids):
            return visible(model, user).filter(pk__in=ids)

    else:
        key = "all"

        def build(*ids):
            return model._base_manager.using(db).filter(pk__in=ids)

    shape = ("forward", model._meta.label_lower, db, len(pks), key)
    return Shaped(shape, build, *sorted(pks))


def _cache_forward(obj, forward, data):
    """Set each foreign key of ``obj`` to its loaded record (no query when read later);
    ``data["forward"]`` keeps ``{model: {pk: record}}``."""
    loaded = {
        model: {row.pk: row for row in data.pop(f"forward:{model._meta.label_lower}", [])}
        for model in forward
    }
    data["forward"] = loaded
    for field in type(obj)._meta.concrete_fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            pk = getattr(obj, field.attname)
            if pk is not None and not field.is_cached(obj):
                related = loaded.get(field.related_model, {}).get(pk)
                if related is not None:
                    field.set_cached_value(obj, related)


class TemplatePanel(Panel):
    """A panel drawn by an app template (transition buttons, a timeline, a board …).

    Args:
        template_name: the app's template, e.g. ``"actions/panels/timeline.html"``.
        context_fn: optional ``fn(request, obj, data) -> dict`` (``None`` hides the panel);
            ``data`` holds the rows of ``querysets_fn``.
        querysets_fn: optional ``fn(request, obj) -> {key: queryset}``, see
            :meth:`Panel.querysets`; each queryset must be scoped with ``visible_to``.
        prepare_fn: optional ``fn(request, obj, data)``, see :meth:`Panel.prepare`.
        title, width: as for :class:`Panel`.
    """

    def __init__(
        self,
        template_name,
        context_fn=None,
        title=None,
        width=None,
        querysets_fn=None,
        prepare_fn=None,
    ):
        super().__init__(title=title, template_name=template_name, width=width)
        self.context_fn = context_fn
        self.querysets_fn = querysets_fn
        self.prepare_fn = prepare_fn

    def querysets(self, request, obj):
        return self.querysets_fn(request, obj) if self.querysets_fn else {}

    def prepare(self, request, obj, data):
        if self.prepare_fn:
            self.prepare_fn(request, obj, data)

    def get_context(self, request, obj, data):
        return self.context_fn(request, obj, data) if self.context_fn else {}


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

    def _names(self, obj):
        return self.fields or [f.name for f in type(obj)._meta.concrete_fields if not f.primary_key]

    def get_context(self, request, obj, data):
        model = type(obj)
        hidden = policy.hidden_fields(request.user, model)
        names = [n for n in self._names(obj) if n not in hidden]
        fields = {n: model._meta.get_field(n) for n in names}
        allowed = _visible_fk_pks(obj, fields.values(), request.user, data)
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


def _visible_fk_pks(obj, fields, user, data):
    """``{related_model: visible pks}`` for the forward FKs of ``obj``: restricted models
    from the records the page loaded through ``visible_to`` (``load_panel_data``)."""
    by_model = {}
    for field in fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            pk = getattr(obj, field.attname)
            if pk is not None:
                by_model.setdefault(field.related_model, set()).add(pk)
    loaded = data.get("forward", {})
    return {
        model: set(loaded[model]) & pks
        if is_restricted(model) and model in loaded
        else visible_pks(model, user, pks)
        for model, pks in by_model.items()
    }


def display_value(obj, field, allowed):
    """The HTML of one field's value on the detail page ("—" when empty or hidden)."""
    if field.is_relation:
        pk = getattr(obj, field.attname)
        if pk is None or pk not in allowed.get(field.related_model, ()):
            return EMPTY
        related = getattr(obj, field.name)
        if is_user_model(field.related_model):
            return user_name(related)
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
        return format_datetime(value)
    if isinstance(field, models.DateField):
        return format_date(value)
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


_RELATIONS = {}


def _relations(model):
    """:func:`discover_relations` once a model (the registry is complete once loaded)."""
    if model not in _RELATIONS:
        registry.load_all()
        _RELATIONS[model] = discover_relations(model)
    return _RELATIONS[model]


def _disambiguate(model, relations):
    """Name reverse relations by their field when one model is reached twice or is ``model``.

    E.g. "Dependencies (predecessor)". A model names its own relations as people call them
    in ``related_titles`` (``{"children": "Sub-units"}``), which comes first: a unit's
    sub-units were titled "Organization units (parent)".
    """
    titles = getattr(model, "related_titles", {})
    seen = {}
    for relation in relations:
        seen[relation.related_model] = seen.get(relation.related_model, 0) + 1
    for relation in relations:
        if relation.name in titles:
            relation.verbose_name = titles[relation.name]
            continue
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
        rows_fn: optional ``fn(request, obj, data) -> [records]``: every row of the relation
            the user may see, in the list's order, taken from rows another panel of the page
            loads (``querysets_fn`` names them); the panel then reads nothing itself.
        querysets_fn: with ``rows_fn``, ``fn(request, obj) -> {key: queryset}`` it reads.
        lazy: the page counts the rows (with the other panels' rows, in one query) and
            draws the panel closed (``<details>``, the number in the heading); its rows are
            drawn when it is opened, from the record's panel URL (``ObjectPanelView``),
            and without JavaScript the "View all" list shows them.
    """

    template_name = "panels/related.html"

    def __init__(
        self,
        relation,
        title=None,
        limit=RELATED_LIMIT,
        width=None,
        rows_fn=None,
        querysets_fn=None,
        lazy=False,
    ):
        super().__init__(title=title, width=width)
        self.relation = relation
        self.limit = limit
        self.rows_fn = rows_fn
        self.querysets_fn = querysets_fn
        self.lazy = lazy and rows_fn is None

    def eager(self):
        """The same panel with its rows drawn on the page (the panel URL draws those)."""
        if not self.lazy:
            return self
        return RelatedPanel(self.relation, title=self.title, limit=self.limit, width=self.width)

    def _spec(self, request, obj):
        """``(relation, views, column names)``, or ``None`` when the user may not see the
        related model; worked out once a page (each step of the page asks: the rows, the
        counts, the links and the context)."""
        specs = request.__dict__.setdefault("_related_panel_specs", {})
        key = (self.relation, type(obj), obj.pk)
        if key not in specs:
            specs[key] = self._find_spec(request, obj)
        return specs[key]

    def _find_spec(self, request, obj):
        relation = next((r for r in _relations(type(obj)) if r.name == self.relation), None)
        views = registry.get(relation.related_model) if relation else None
        if views is None or not views.can(request.user, "view"):
            return None
        names = [n for n in views.table.Meta.default_columns[:4] if n != "pk"]
        return relation, views, names

    @staticmethod
    def _rows(user, pk, relation):
        """The related records of the record ``pk`` that ``user`` may see."""
        return visible(relation.related_model, user).filter(**{relation.lookup: pk})

    @classmethod
    def _counted(cls, request, obj, relation):
        """The number of :meth:`_rows`, compiled once per relation and reader (``Shaped``)."""
        user = request.user
        key = read_key(relation.related_model, user)
        shape = ("related_count", obj._meta.label_lower, relation.name, key)
        return Shaped(
            shape,
            lambda pk: Counted(cls._rows(user, pk, relation)),
            obj.pk,
            counted=True,
        )

    @property
    def data_key(self):
        return f"related:{self.relation}"

    @property
    def count_key(self):
        return f"count:{self.relation}"

    def querysets(self, request, obj):
        """The first rows (and one more, to know whether to count), ordered as the list."""
        spec = self._spec(request, obj)
        if spec is None:
            return {}
        if self.rows_fn is not None:
            return self.querysets_fn(request, obj) if self.querysets_fn else {}
        relation, views, names = spec
        if self.lazy:
            return {self.count_key: self._counted(request, obj, relation)}
        ordering = relation.related_model._meta.ordering or []
        page = optimize_queryset(
            self._rows(request.user, obj.pk, relation).order_by(*ordering, "pk"),
            views.table.accessors(names),
            request.user,
        )
        return {self.data_key: page[: self.limit + 1]}

    def rows_html(self, request, obj):
        """The panel's rows as the page would draw them in the card (what its panel URL
        answers), or ``None`` when the user may not see the related model."""
        panel = self.eager()
        context = panel.get_context(request, obj, load_panel_data([panel], request, obj))
        if context is None:
            return None
        return render_to_string("panels/_related_rows.html", context)

    def _fetched(self, request, obj, data):
        """The rows loaded for the panel: all of them with ``rows_fn``, else the first ones
        and one more."""
        if self.rows_fn is not None:
            return list(self.rows_fn(request, obj, data))
        return data.get(self.data_key, [])

    def count_querysets(self, request, obj, data):
        """Count the relation only when it has more rows than the panel loaded."""
        if self.lazy or self.rows_fn is not None or len(data.get(self.data_key, ())) <= self.limit:
            return {}
        spec = self._spec(request, obj)
        return {self.count_key: self._rows(request.user, obj.pk, spec[0])} if spec else {}

    def linked_records(self, request, obj, data):
        """The records of restricted models the shown rows link to (forward keys)."""
        if self.lazy or self._spec(request, obj) is None:
            return {}
        linked = {}
        for row in self._fetched(request, obj, data)[: self.limit]:
            for field in type(row)._meta.concrete_fields:
                related = field.related_model if field.is_relation else None
                if field.many_to_one and is_restricted(related) and not is_user_model(related):
                    value = getattr(row, field.attname)
                    if value is not None:
                        linked.setdefault(field.related_model, set()).add(value)
        return linked

    def get_context(self, request, obj, data):
        spec = self._spec(request, obj)
        if spec is None:
            return None
        relation, views, names = spec
        user = request.user
        fetched = [] if self.lazy else self._fetched(request, obj, data)
        if self.lazy or (self.rows_fn is None and len(fetched) > self.limit):
            count = data[self.count_key]
        else:
            count = len(fetched)
        table = table_html = None
        if fetched:
            table = views.table(
                fetched[: self.limit],
                user=user,
                columns=names,
                exclude=("pk",),
                orderable=False,
            )
            # the records the cells link to were checked for the whole page at once
            table._visible_related.update(data.get("visible", {}))
            # without the request: ``render_table`` would run every context processor
            # (the menu …) again for each panel; an unorderable table needs none of them
            table_html = render_to_string(table.template_name, {"table": table})
        title = self.title or str(relation.verbose_name).capitalize()
        return {
            "relation": relation,
            "panel_id": f"rel-{relation.name}",
            "count": count,
            "count_label": count_label(count, title, relation.related_model),
            "table": table,
            "table_html": table_html,
            "title": title,
            "list_url": _url(
                viewname(relation.related_model, "list"), {relation.filter_param: obj.pk}
            ),
            "rows_url": reverse(viewname(obj, "panel"), args=[obj.pk, relation.name])
            if self.lazy and count
            else None,
            **_related_actions(request, obj, relation, views),
        }


def count_label(count, title, model):
    """``"2 legal authorities"``, ``"1 analysis"``: a panel's rows counted in its title's words.

    One row takes the model's singular name in place of the plural that starts the title
    ("1 dependency (predecessor)"); a title of other words keeps them ("sub-units (1)").
    """
    title = title.lower()
    if count != 1:
        return f"{count} {title}"
    plural = str(model._meta.verbose_name_plural).lower()
    if title.startswith(plural):
        return f"1 {str(model._meta.verbose_name).lower()}{title[len(plural) :]}"
    return f"{title} (1)"


def _url(name, params):
    return f"{reverse(name)}?{urlencode(params)}"


def _related_actions(request, obj, relation, views):
    """The "Add new" URL and the "Link existing" picker the user is allowed to use."""
    user, back = request.user, obj.get_absolute_url()
    add_url = link_widget = None
    if relation.kind == "reverse_fk":
        # a new record of this panel belongs to ``obj``: may the user add one to it?
        if relation.form_field and policy.may(
            user, "add", views.model, views.model(**{relation.form_field: obj})
        ):
            params = {relation.form_field: obj.pk}
            add_url = _url(viewname(relation.related_model, "add"), {**params, "return_url": back})
    elif views.can(user, "add"):
        if relation.kind == "m2m":
            params = {"link_to": f"{obj._meta.label_lower}:{obj.pk}"}
        else:
            params = {relation.form_field: obj.pk}
        add_url = _url(viewname(relation.related_model, "add"), {**params, "return_url": back})
    if relation.kind != "reverse_fk" and policy.may_link_to(user, obj, relation.related_model):
        link_widget = _link_picker(relation.related_model, relation.name)
    return {
        "add_url": add_url,
        "link_widget": link_widget,
        "link_url": reverse(viewname(obj, "link"), args=[obj.pk, relation.name]),
        "return_url": back,
    }


_LINK_PICKERS = {}


def _link_picker(model, name):
    """The empty "Link existing" picker of a relation: the same HTML on every page (the
    records are searched when typed), drawn once a process."""
    key = (model, name, get_language())
    if key not in _LINK_PICKERS:
        widget = AutocompleteSelectMultiple(model)
        _LINK_PICKERS[key] = widget.render(
            "targets", [], attrs={"id": f"link-{name}", "class": "form-select"}
        )
    return _LINK_PICKERS[key]


def default_layout(views):
    """The default detail layout of a registration: fields, then one panel per relation."""
    fields = FieldsPanel(fieldsets=views.fieldsets)
    return [fields, *[RelatedPanel(r.name) for r in _relations(views.model)]]


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
