"""``BaseTable``: the table every list page, related panel and export uses (STYLE.md §3).

A model's table names ``Meta.model``, ``Meta.fields`` (every column offered) and
``Meta.default_columns`` (shown by default); the base class adds the checkbox column, links
the first column, renders choice fields as badges, foreign keys as scoped links, formats dates
and fetches related data from the *visible* columns only (NetBox #9699, #21459).
"""

import copy
import math

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2.data import TableQuerysetData
from django_tables2.paginators import LazyPaginator
from django_tables2.utils import AttributeDict

from execcoord import policy
from execcoord.access import is_restricted, visible, visible_pks
from execcoord.db.counts import COUNT_CAP, capped_count, estimated_count
from execcoord.db.pages import can_defer_join, deferred_join_page, orders_by_relation
from execcoord.formats import date_format
from execcoord.utils import is_user_model, user_name

# the app's formats (execcoord/formats), by name: Django looks them up
DATE_FORMAT = "DATE_FORMAT"
DATETIME_FORMAT = "DATETIME_FORMAT"
EMPTY = "—"


class BadgeColumn(tables.Column):
    """A choice field shown as a Bootstrap badge in the model's ``choice_colors``."""

    def render(self, value, record, bound_column):
        name = bound_column.accessor.split("__")[-1].split(".")[-1]
        return self.badge(record, name, value)

    def value(self, value):
        return value

    @staticmethod
    def badge(record, name, label):
        color = record.get_choice_color(name) if hasattr(record, "get_choice_color") else None
        return format_html('<span class="badge text-bg-{}">{}</span>', color or "secondary", label)

    def lean_html(self, record, value, table, accessor):
        """The cell for :meth:`BaseTable.body_html` (``value`` is the stored choice)."""
        label = getattr(record, f"get_{accessor}_display", lambda: value)()
        return self.badge(record, accessor, label)


class RelatedColumn(tables.Column):
    """A forward foreign key: the related record linked, or "—" when the user cannot see it.

    As the first column of a table it links the row's own record instead (``link_related``
    off), so every row has a link to its detail page.
    """

    def __init__(self, *args, link_related=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_related = link_related

    def render(self, value, table):
        if not table.related_visible(value):
            return EMPTY
        if is_user_model(type(value)):
            return user_name(value)
        if not self.link_related:
            return str(value)
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else None
        return format_html('<a href="{}">{}</a>', url, value) if url else str(value)

    def lean_html(self, record, value, table, accessor):
        return conditional_escape(self.render(value, table))


class ScopedManyColumn(tables.ManyToManyColumn):
    """A many-to-many column over a prefetch already scoped by ``visible_to``."""

    def filter(self, qs):
        return qs.all()

    # the cell reads the related manager even when it holds no rows
    lean_reads_manager = True

    def lean_html(self, record, value, table, accessor):
        return self.render(value)

    def render(self, value):
        items = list(value.all())
        if not items:
            return EMPTY
        return format_html(
            ", ".join(['<a href="{}">{}</a>'] * len(items)),
            *[part for item in items for part in (item.get_absolute_url(), item)],
        )


class DateColumn(tables.DateColumn):
    """django-tables2's date column that remembers its format (for the lean renderer)."""

    def __init__(self, format=DATE_FORMAT, **kwargs):
        super().__init__(format=format, **kwargs)
        self.format = format

    def lean_html(self, record, value, table, accessor):
        return conditional_escape(date_format(value, self.format))


class DateTimeColumn(tables.DateTimeColumn):
    """django-tables2's date-time column that remembers its format (local time)."""

    def __init__(self, format=DATETIME_FORMAT, **kwargs):
        super().__init__(format=format, **kwargs)
        self.format = format

    def lean_html(self, record, value, table, accessor):
        return conditional_escape(date_format(template_localtime(value), self.format))


def _column_for(field, column):
    """Replace the automatic column of ``field`` with the execcoord flavour, if any."""
    kwargs = {"verbose_name": column.verbose_name, "accessor": column.accessor}
    if getattr(field, "choices", None):
        return BadgeColumn(**kwargs)
    if isinstance(field, models.DateTimeField):
        return DateTimeColumn(**kwargs)
    if isinstance(field, models.DateField):
        return DateColumn(**kwargs)
    if field.many_to_many:
        return ScopedManyColumn(orderable=False, **kwargs)
    if field.is_relation and (field.many_to_one or field.one_to_one):
        return RelatedColumn(**kwargs)
    return None


def _record_link_column(column):
    """A copy of ``column`` whose cells link to the row's record (the first column)."""
    kwargs = {"verbose_name": column.verbose_name, "accessor": column.accessor}
    if isinstance(column, RelatedColumn):
        linked = RelatedColumn(
            link_related=False, linkify=lambda record: record.get_absolute_url(), **kwargs
        )
        linked.links_record = True
        return linked
    if isinstance(column, (tables.DateColumn, tables.DateTimeColumn)):
        kwargs["format"] = getattr(column, "format", None)
    linked = type(column)(linkify=lambda record: record.get_absolute_url(), **kwargs)
    linked.links_record = True
    return linked


class _ColumnsByName(dict):
    """A table class's columns, copied one level deep for each table built from it.

    django-tables2 deep-copies every column of the class for each table so that a table's
    changes (``hide``, ``attrs``, ``accessor``) stay its own; those changes replace a
    column's attributes and never edit them in place, so a copy of each column is enough.
    The deep copy walked every nested object of every column (lazy labels, link
    transforms, attribute dicts) and took a fifth of a tasker page's rendering, which
    builds a table per related panel.
    """

    def __deepcopy__(self, memo):
        return {name: copy.copy(column) for name, column in self.items()}


class BaseTable(tables.Table):
    """Base of every model table.

    Args (constructor, besides django-tables2's):
        user: the request user; scopes related cells and prefetches.
        columns: optional list of column names to show instead of ``Meta.default_columns``.
    """

    pk = tables.CheckBoxColumn(
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={
            "th__input": {"class": "form-check-input js-select-all", "aria-label": "Select all"},
            "td__input": {"class": "form-check-input", "aria-label": "Select row"},
        },
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle mb-0 ec-table ec-cards"}
        default = EMPTY
        row_attrs = {"class": lambda record: "table-danger" if _overdue(record) else ""}
        order_by_field = "sort"
        per_page_field = "per_page"

    def __init_subclass__(cls, **kwargs):
        """Swap automatic columns for execcoord ones and link the first data column."""
        super().__init_subclass__(**kwargs)
        cls.base_columns = _ColumnsByName(cls.base_columns)
        model = getattr(cls._meta, "model", None)
        if model is None:
            return
        declared = set(getattr(cls, "declared_columns", {}))
        for name, column in list(cls.base_columns.items()):
            if name in declared or name == "pk":
                continue
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            replacement = _column_for(field, column)
            if replacement is not None:
                cls.base_columns[name] = replacement
        first = next((n for n in cls.base_columns if n != "pk"), None)
        if first and first not in declared and not cls.base_columns[first].link:
            cls.base_columns[first] = _record_link_column(cls.base_columns[first])

    def __init__(self, data, *args, user=None, columns=None, **kwargs):
        self.user = user
        self._visible_related = {}
        kwargs.setdefault("empty_text", "No records match.")
        hidden = self.hidden_column_names(user) if user is not None else []
        if hidden:  # columns of fields the user may not see are not offered at all
            kwargs["exclude"] = (*(kwargs.get("exclude") or ()), *hidden)
        wanted = [
            n
            for n in (columns or getattr(self.Meta, "default_columns", ()))
            if n in self.base_columns and n not in hidden
        ]
        if wanted:
            lead = [] if "pk" in (kwargs.get("exclude") or ()) else ["pk"]
            kwargs.setdefault("sequence", [*lead, *wanted, "..."])
        super().__init__(data, *args, **kwargs)
        if wanted:
            for name in self.columns.names():
                if name not in ("pk", *wanted):
                    self.columns.hide(name)
        self._mark_card_cells()

    @property
    def label(self):
        """The table's accessible name (its model's plural name)."""
        model = getattr(self._meta, "model", None)
        return str(model._meta.verbose_name_plural).capitalize() if model else ""

    @classmethod
    def accessors(cls, names):
        """The data accessors of the named columns (for ``optimize_queryset``)."""
        return [str(cls.base_columns[n].accessor or n) for n in names if n in cls.base_columns]

    @classmethod
    def export_column_names(cls, user=None):
        """The columns exported to CSV/XLSX: the default columns (without the checkbox),
        less those ``user`` may not see."""
        names = getattr(cls.Meta, "default_columns", None) or list(cls.base_columns)
        hidden = cls.hidden_column_names(user) if user is not None else ()
        return [
            n
            for n in names
            if n != "pk" and n not in hidden and not cls.base_columns[n].exclude_from_export
        ]

    @classmethod
    def hidden_column_names(cls, user):
        """The columns showing a field ``user`` may not see (``policy.hidden_fields``)."""
        model = getattr(cls._meta, "model", None)
        if model is None:
            return []
        return [
            name
            for name, column in cls.base_columns.items()
            if name != "pk" and policy.path_hidden(user, model, column.accessor or name)
        ]

    def visible_column_names(self):
        """Names of the columns the user sees."""
        return [c.name for c in self.columns if c.visible]

    def related_visible(self, obj):
        """Whether the related record ``obj`` in a cell may be shown to the table's user.

        The first call for a model checks every row of the page in one query.
        """
        model = type(obj)
        if not is_restricted(model) or is_user_model(model):
            return True
        if model not in self._visible_related:
            pks = set()
            for record in self._page_records():
                for column in self.columns:
                    value = _resolve(record, column.accessor)
                    if isinstance(value, model):
                        pks.add(value.pk)
            self._visible_related[model] = visible_pks(model, self.user, pks)
        return obj.pk in self._visible_related[model]

    def body_html(self):
        """The table's rows (``<tr>`` … ``</tr>``) as one string: the lean renderer.

        django-tables2 renders a cell through a bound row, an accessor, the column's
        ``render`` called with inspected arguments and the template engine; that is most of
        a list page's time (issue 7). The columns execcoord generates (checkbox, badge, date,
        foreign key, many-to-many, plain value, record link) are drawn here directly, with
        the same HTML, each by its ``lean_html``; any other column (a table's
        ``render_<name>``, a boolean, a custom column) still goes through django-tables2, so
        a table never needs to know.
        """
        columns = list(self.columns)
        cells = [self._cell_function(bound) for bound in columns]
        tds = [f"<td {bound.attrs['td'].as_html()}>" for bound in columns]
        custom_row_attrs = {k: v for k, v in self.row_attrs.items() if k != "class"}
        lines = []
        for counter, row in enumerate(self.paginated_rows):
            record = row.record
            if custom_row_attrs:
                attrs = row.attrs.as_html()
            else:
                classes = ("table-danger " if _overdue(record) else "") + (
                    "odd" if counter % 2 else "even"
                )
                attrs = f'class="{classes}"'
            parts = [f"<tr {attrs}>"]
            for td, cell in zip(tds, cells, strict=True):
                parts.append(td)
                parts.append(cell(record, row))
                parts.append("</td>")
            parts.append("</tr>")
            lines.append("".join(parts))
        return mark_safe("\n".join(lines))

    def card_column_names(self):
        """The columns a row keeps when it is drawn as a card (phones): ``Meta.card_columns``
        if declared, else the first two columns with the status and due date."""
        names = [c.name for c in self.columns if c.name != "pk"]
        declared = getattr(self.Meta, "card_columns", None)
        if declared:
            keep = [n for n in declared if n in names]
        else:
            keep = names[:2] + [n for n in ("status", "due_date") if n in names[2:]]
        return (names[:1] + [n for n in keep if n not in names[:1]]) if names else []

    def _mark_card_cells(self):
        """Give each column's cells what a card needs (phones, ``ec-cards`` in the CSS): the
        header as ``data-label`` (the caption of the value), and ``ec-card-extra`` on the
        columns a card leaves out. Set on this table's own copy of the columns, so the lean
        renderer and django-tables2 draw the same cells."""
        keep = set(self.card_column_names())
        first = next((c.name for c in self.columns if c.name != "pk"), None)
        for bound in self.columns:
            column = bound.column
            td = column.attrs.get("td", {})
            if callable(td):
                continue
            td = dict(td)
            if bound.name == "pk":
                extra = "ec-card-check"
            else:
                if bound.name != first:
                    td["data-label"] = strip_tags(str(bound.header))
                extra = "" if bound.name in keep else "ec-card-extra"
            if extra:
                td["class"] = f"{td.get('class', '')} {extra}".strip()
            column.attrs = {**column.attrs, "td": td}

    def _cell_function(self, bound):
        """``fn(record, bound_row) -> html`` for one visible column."""
        column, name = bound.column, bound.name

        def fallback(record, row):
            return conditional_escape(row.get_cell(name))

        if getattr(self, f"render_{name}", None) or callable(bound.attrs.get("td")):
            return fallback
        kind = type(column)
        accessor = str(bound.accessor or name)
        simple = "." not in accessor and "__" not in accessor
        if kind is tables.CheckBoxColumn:
            attrs = AttributeDict(column.attrs.get("td__input", {})).as_html()

            def checkbox(record, row):
                value = record.pk if accessor == "pk" else _resolve(record, accessor)
                return format_html(
                    '<input type="checkbox" name="{}" value="{}" {} />', name, value, attrs
                )

            return checkbox
        # a class's own lean_html only: a subclass that draws differently falls back
        own = "lean_html" in vars(kind)
        draw = _plain_html if kind is tables.Column else (column.lean_html if own else None)
        if not simple or draw is None or getattr(column, "format", True) is None:
            return fallback
        default = bound.default
        # a date column is a template column (no empty values of its own): its template
        # prints the default for None, as does django-tables2 for the other columns
        empty_values = (
            ()
            if getattr(column, "lean_reads_manager", False)
            else (column.empty_values or (None, ""))
        )
        links_record = getattr(column, "links_record", False)

        def cell(record, row):
            value = getattr(record, accessor, None)
            if value in empty_values:
                return conditional_escape(default)
            html = draw(record, value, self, accessor)
            if links_record:
                return format_html('<a href="{}">{}</a>', record.get_absolute_url(), html)
            return html

        return cell

    def _page_records(self):
        rows = self.page.object_list if getattr(self, "page", None) else self.rows
        return [row.record for row in rows]


def _plain_html(record, value, table, accessor):
    """A plain column's cell: the value localised and escaped (a choice shows its label,
    as django-tables2 does)."""
    display = f"get_{accessor}_display"
    if hasattr(record, display):
        value = getattr(record, display)()
    return conditional_escape(formats.localize(value))


def _overdue(record):
    value = getattr(record, "is_overdue", False)
    return bool(value() if callable(value) else value)


def _resolve(record, accessor):
    try:
        return tables.A(accessor).resolve(record, quiet=True)
    except Exception:
        return None


def optimize_queryset(queryset, column_names, user):
    """Add the ``select_related``/``prefetch_related`` the given columns need.

    Forward foreign keys are joined; many-to-many and reverse relations are prefetched
    through the related model's ``visible_to(user)`` so cells never show hidden rows.

    Args:
        queryset: the rows of the table's model.
        column_names: the accessors of the visible columns.
        user: the request user.
    """
    model = queryset.model
    joins, prefetches = set(), {}
    for accessor in column_names:
        current, path = model, []
        for part in str(accessor).replace(".", "__").split("__"):
            try:
                field = current._meta.get_field(part)
            except Exception:
                break
            if not field.is_relation:
                break
            path.append(part)
            lookup = "__".join(path)
            if field.many_to_many or field.one_to_many:
                related = field.related_model
                prefetches[lookup] = Prefetch(lookup, queryset=visible(related, user))
                break
            joins.add(lookup)
            current = field.related_model
    if joins:
        queryset = queryset.select_related(*sorted(joins))
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches.values())
    return queryset


class DeferredJoinData(TableQuerysetData):
    """Table rows whose pages past the first, and every page sorted by a related record, are
    read by a deferred join (:func:`execcoord.db.pages.deferred_join_page`); querysets it
    cannot serve (annotations, grouping, ``distinct``, set operations) are sliced as they
    are."""

    def __getitem__(self, key):
        if (
            isinstance(key, slice)
            and (key.start or orders_by_relation(self.data))
            and can_defer_join(self.data)
        ):
            return deferred_join_page(self.data, key)
        return super().__getitem__(key)


class CappedCountPaginator(LazyPaginator):
    """Exact pages up to ``cap`` rows; beyond that, no full ``COUNT`` (issue 7). The one
    paginator of the lists and the admin.

    One bounded count, ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``, stops after ``cap + 1``
    matching rows. When the rows fit under the cap the paginator is Django's: exact count,
    every page number. Above the cap, ``count`` is ``None`` ("more than {cap}") and pages are
    found lazily (django-tables2's ``LazyPaginator``: each page fetches one row more to know
    whether another page follows), so a list of 100,000 rows never counts them all.

    The admin's change list needs a number of rows: with ``estimate_above_cap`` the count
    above the cap is PostgreSQL's estimate (:func:`execcoord.db.counts.estimated_count`, still
    one bounded count) and the pages follow from it.
    """

    cap = COUNT_CAP

    def __init__(self, *args, estimate_above_cap=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.estimate_above_cap = estimate_above_cap

    @cached_property
    def _counted(self):
        rows = self.object_list
        while not hasattr(rows, "query") and hasattr(rows, "data"):
            rows = rows.data  # django-tables2's BoundRows → TableQuerysetData → queryset
        if not hasattr(rows, "query"):
            return len(rows)
        if self.estimate_above_cap:
            return estimated_count(rows, self.cap)
        return capped_count(rows, self.cap)

    @property
    def exact(self):
        """Whether the count is known exactly (at most ``cap`` rows)."""
        return self._counted <= self.cap

    @property
    def count(self):
        return self._counted if self.exact or self.estimate_above_cap else None

    @property
    def num_pages(self):
        if self.count is None:
            return super().num_pages
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(max(1, self.count - self.orphans) / self.per_page))

    @property
    def page_range(self):
        if self.count is None:
            return super().page_range  # unknown past the cap: django-tables2 refuses
        return range(1, self.num_pages + 1)

    def validate_number(self, number):
        number = super().validate_number(number)
        if (
            self.count is not None
            and number > self.num_pages
            and not (number == 1 and self.count == 0)
        ):
            return Paginator.validate_number(self, number)
        return number

    def page(self, number):
        if self.count is None:
            return super().page(number)
        number = self.validate_number(number or 1)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self.object_list[bottom:top], number, self)


def total_ordering(queryset, table_class, sort, user=None):
    """``queryset`` ordered by the requested column (if orderable) and then by ``pk``.

    Args:
        queryset: the filtered rows.
        table_class: the model's table (its columns decide what may be sorted).
        sort: the ``sort`` parameter (``name`` or ``-name``), or ``None``.
        user: the request user: a column hiding a field from them does not sort (the order
            would tell the values).
    """
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if sort:
        name = sort.lstrip("-")
        column = table_class.base_columns.get(name)
        if user is not None and name in table_class.hidden_column_names(user):
            column = None
        # an automatic column leaves ``orderable`` unset (None): the table's own says
        orderable = column is not None and (
            column.orderable if column.orderable is not None else table_class._meta.orderable
        )
        if orderable and name != "pk":
            keys = column.order_by or (str(column.accessor or name).replace(".", "__"),)
            desc = sort.startswith("-")
            ordering = [("-" if desc else "") + k.replace(".", "__") for k in keys]
    return queryset.order_by(*ordering, "pk")
