"""``BaseFilterSet``: filters generated from the model, scoped by ``visible_to`` (STYLE.md §3).

Rules (one per field kind, so each app filterset is a few lines):

* a filter's name is its field's name; text fields match ``icontains``;
* every foreign key and many-to-many (both directions) gets ``<name>_id``, a
  ``ModelMultipleChoiceFilter`` whose queryset is a callable taking the request and returning
  ``visible_to(request.user)``, so the choices never include hidden rows;
* every choice field a ``MultipleChoiceFilter``, every date a ``DateFromToRangeFilter``
  (``<field>_after`` / ``<field>_before``), booleans a yes/no filter;
* ``q`` searches the model's ``search_fields`` (``execcoord.search.search_queryset``).

An app adds only its real cross-field rules as documented ``method=`` filters.

Every parameter is checked here, once, before it reaches the database (``bound_filters``):
a number must be whole and fit its column (64 bits where there is no column; ``DaysFilter``
a century), a text at most ``TEXT_MAX_LENGTH`` characters without NUL, a date one the
database and the time zone conversion can hold; a picker's ids are checked by its field,
and integer ``__in`` lookups ignore ids past the column's range (``execcoord.db.lookups``). A
value that fails is a form error shown beside its filter and is left out of the query.
"""

import datetime
import hashlib

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.utils.translation import get_language

from execcoord import policy
from execcoord.access import visible
from execcoord.filter_chips import ANY, applied_filters
from execcoord.search import search_queryset
from execcoord.widgets import AutocompleteMixin, AutocompleteSelectMultiple

TEXT_MAX_LENGTH = 200  # a search or text filter longer than this is a mistake or an attack
# Dates a filter accepts: a day more or less than these overflows when a date range on a
# date-time column is made aware in the agency's time zone and converted to UTC.
DATE_MIN = datetime.date(1, 1, 2)
DATE_MAX = datetime.date(9999, 12, 30)


INT64 = (-(2**63), 2**63 - 1)


def integer_range(model_field=None):
    """``(low, high)`` an integer parameter may take on this database: the column's range,
    or a 64-bit integer's when the filter has no column of its own (or the backend gives
    none: SQLite's are all 64 bits)."""
    internal_type = model_field.get_internal_type() if model_field is not None else ""
    try:
        low, high = connection.ops.integer_field_range(internal_type)
    except KeyError:  # not an integer type the backend lists
        return INT64
    return (INT64[0] if low is None else low, INT64[1] if high is None else high)


class NumberInFilter(filters.BaseInFilter, filters.NumberFilter):
    """``id=1,2,3``: the rows with these primary keys (links to a selection)."""


class DaysFilter(filters.NumberFilter):
    """A number of days (0 to 36,600): dates computed from it stay within the calendar."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 36600)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class BoundedDateRangeField(filters.fields.DateRangeField):
    """A date range whose ends lie between ``DATE_MIN`` and ``DATE_MAX``."""

    def clean(self, value):
        cleaned = super().clean(value)
        for end in (cleaned.start, cleaned.stop) if cleaned else ():
            day = end.date() if isinstance(end, datetime.datetime) else end
            if day is not None and not DATE_MIN <= day <= DATE_MAX:
                raise ValidationError(
                    f"Choose dates between {DATE_MIN:%Y-%m-%d} and {DATE_MAX:%Y-%m-%d}.",
                    code="date_range",
                )
        return cleaned


class BoundedDateFromToRangeFilter(filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField


def bound_filters(filterset):
    """Give every filter of ``filterset`` the limits of what the database can hold.

    Numbers become whole numbers within their column's range (a decimal or float column
    keeps its decimals), texts at most ``TEXT_MAX_LENGTH`` characters; ``NumberInFilter``
    checks each of its values the same way. Limits a filter declares itself are kept.
    """
    model = filterset._meta.model
    for declared in filterset.filters.values():
        extra = declared.extra
        if isinstance(declared, filters.NumberFilter):
            column = _column(model, declared)
            if column is None or isinstance(column, (models.IntegerField, models.AutoField)):
                low, high = integer_range(column)
                extra.setdefault("min_value", low)
                extra.setdefault("max_value", high)
                extra.setdefault("decimal_places", 0)
            extra.setdefault("max_digits", 40)
        elif isinstance(declared, filters.CharFilter):
            column = _column(model, declared)
            limit = getattr(column, "max_length", None) or TEXT_MAX_LENGTH
            extra.setdefault("max_length", min(limit, TEXT_MAX_LENGTH * 5))


def _column(model, declared):
    """The model field a filter compares with, or ``None`` (a ``method=`` filter)."""
    if declared.method is not None or model is None:
        return None
    try:
        return model._meta.get_field(declared.field_name)
    except FieldDoesNotExist:
        return None


def scoped_queryset(model):
    """A filter queryset callable: ``request -> visible_to(request.user)`` of ``model``."""

    def queryset(request):
        if request is None:
            return model._default_manager.none()
        return visible(model, request.user)

    return queryset


class ScopedModelMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """``<name>_id``: a choice among the related records the user may see.

    The scoped queryset is built only when the request filters on it. A list page has a
    score of relation filters, and building ``visible_to`` for each of them on every view
    costs more than the page's own query; an unused filter needs no choices (its picker
    asks the autocomplete endpoint, itself scoped, as the user types).

    Args:
        param: the query-string name of the filter (``lead_unit_id``).
        related_model: the model chosen from.
    """

    def __init__(self, *args, param, related_model, **kwargs):
        self.param = param
        self.related_model = related_model
        super().__init__(*args, queryset=scoped_queryset(related_model), **kwargs)

    def get_queryset(self, request):
        if not self._given():
            return self.related_model._default_manager.none()
        return super().get_queryset(request)

    def _given(self):
        """Whether the request filters on this relation (a non-empty value of its param)."""
        data = getattr(getattr(self, "parent", None), "data", None) or {}
        values = data.getlist(self.param) if hasattr(data, "getlist") else data.get(self.param)
        if isinstance(values, str):
            values = [values]
        return any(value not in ("", None) for value in values or ())

    def filter(self, qs, value):
        # An unused filter's value is an empty queryset, which django-filter's ``if not
        # value`` would run (a compiled query a filter: 0.7 ms each, 14 ms a list page).
        if not self._given():
            return qs
        return super().filter(qs, value)


def relation_filters(model):
    """``<name>_id`` filters for every FK and M2M of ``model``, forward and reverse M2M."""
    result = {}
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None:
            continue
        reverse_m2m = field.auto_created and field.many_to_many and not field.concrete
        forward = field.concrete and (field.many_to_one or field.one_to_one or field.many_to_many)
        if not (forward or reverse_m2m):
            continue
        name = field.name if forward else field.get_accessor_name()
        if name.endswith("+") or name.startswith("_"):
            continue
        field_name = field.name  # on a reverse relation: its query name
        result[f"{name}_id"] = ScopedModelMultipleChoiceFilter(
            param=f"{name}_id",
            related_model=field.related_model,
            field_name=field_name,
            label=str(getattr(field, "verbose_name", name)).capitalize(),
            widget=AutocompleteSelectMultiple(field.related_model),
            distinct=not (forward and not field.many_to_many),
        )
    return result


def field_filter(field):
    """The filter of a concrete non-relational field, or None."""
    label = str(field.verbose_name).capitalize()
    name = field.name
    if field.choices:
        # ``distinct=False``: a column of the row itself never repeats a row (django-filter's
        # default DISTINCT sorted every matching row by every column: "completed" at 1M, 5 s)
        return filters.MultipleChoiceFilter(
            field_name=name,
            choices=field.choices,
            label=label,
            widget=forms.CheckboxSelectMultiple,
            distinct=False,
        )
    if isinstance(field, models.BooleanField):
        return filters.BooleanFilter(field_name=name, label=label, widget=_yes_no_widget())
    if isinstance(field, models.DateField):  # DateTimeField is a DateField
        return BoundedDateFromToRangeFilter(
            field_name=name, label=label, widget=LabelledDateRangeWidget(label)
        )
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        if field.primary_key:
            return NumberInFilter(field_name=name, lookup_expr="in", label=label)
        return filters.NumberFilter(field_name=name, label=label)
    if isinstance(field, (models.CharField, models.TextField, models.FileField)):
        return filters.CharFilter(field_name=name, lookup_expr="icontains", label=label)
    return None


def _data_keys(name, field):
    """The query-string keys of a form field (a range widget has one per end)."""
    suffixes = getattr(field.widget, "suffixes", None)  # django-filter's range widgets
    if suffixes:
        return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]
    return [name]


def _yes_no_widget(any_value=""):
    """Any / Yes / No. A filter with a default answers "Any" with ``any`` rather than an empty
    value: the form submits only filled-in fields, and an absent filter takes its default."""
    return forms.Select(choices=((any_value, "Any"), ("true", "Yes"), ("false", "No")))


class LabelledDateRangeWidget(filters.widgets.DateRangeWidget):
    """Two ``<input type="date">`` with their own accessible names ("… from", "… to")."""

    # Django's own multi-widget template (django-filter's exists only for Django templates;
    # widgets are drawn with Jinja2, see ``FORM_RENDERER``)
    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, label):
        self.label = label
        super().__init__(attrs={"type": "date", "class": "form-control form-control-sm"})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for sub, word in zip(context["widget"]["subwidgets"], ("from", "to"), strict=False):
            sub["attrs"]["aria-label"] = f"{self.label} {word}"
        return context


class BaseFilterSet(filters.FilterSet):
    """Base of every model filterset; subclasses set ``Meta.model`` (``fields`` optional).

    Attributes:
        main_filters: names shown open in the filter form; the others sit under
            "More filters" (default: ``q`` and the first choice and relation filters), unless
            they are in use: a filter with a value is drawn open, so "More filters" stays
            closed on a page opened from a link.
        defaults: ``{filter: value}`` applied when the query string names none of the
            filters (a first visit, a sort or a page link), and shown as chosen in the
            form; "Any" of such a filter is the value ``any``, so choosing it (or removing
            its chip) keeps the default away.
        link_filters: filters that links set (the dashboard's drill-throughs, ``id``): not
            drawn as fields but kept in the form as hidden values while in use, and shown as
            chips like every applied filter.
        chip_models: ``{filter: "app_label.Model"}`` for filters whose values are ids of
            records (``lead_unit_subtree=4``): their chips name the records.
    """

    q = filters.CharFilter(method="search", label="Search")
    main_filters = ()
    defaults = {}
    link_filters = ()
    chip_models = {}

    def __init__(self, data=None, *args, **kwargs):
        # A query string without filters (a sort or page link) gets the defaults written
        # in; no query string at all stays unbound: the defaults are then the form's
        # initial values and filter directly, so the (cached) form need not be built and
        # validated, field by field, on the page people open most.
        if (
            data is not None
            and self.defaults
            and not any(name in data for name in self.base_filters)
        ):
            data = data.copy()
            for name, value in self.defaults.items():
                data[name] = value
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        model = self._meta.model
        # no filter on a field the user may not see (it would tell its values apart)
        self.hidden = sorted(
            name
            for name, declared in self.filters.items()
            if model is not None
            and user is not None
            and policy.path_hidden(user, model, declared.field_name or name)
        )
        for name in self.hidden:
            del self.filters[name]
        bound_filters(self)
        for name, declared in self.filters.items():  # "Any / Yes / No", never "Unknown"
            if isinstance(declared, filters.BooleanFilter):
                declared.extra["widget"] = _yes_no_widget(ANY if name in self.defaults else "")

    @property
    def form(self):
        """The filter form, built on first use (a cached filter form on an unfiltered
        list is never built), its widgets styled for Bootstrap."""
        if hasattr(self, "_form"):
            return self._form
        if not self.is_bound and self.defaults:
            self._form = self.get_form_class()(prefix=self.form_prefix, initial=self.defaults)
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.TextInput, forms.NumberInput)):
                widget.attrs.setdefault("class", "form-control form-control-sm")
            elif isinstance(widget, forms.Select) and not isinstance(
                widget, AutocompleteSelectMultiple
            ):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
        return form

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            queryset = super().qs
            if not self.is_bound:
                for name, raw in self.defaults.items():
                    declared = self.filters[name]
                    queryset = declared.filter(queryset, declared.field.clean(raw))
            self._qs = queryset
        return self._qs

    def render_cache_key(self):
        """A key under which the drawn filter form may be kept, or ``None``.

        The form's HTML is a function of the query string alone, except where a
        relation filter has a value: its picker then names the chosen records, which
        only users who may see them may read. So it is cached only when no model-backed
        filter is in use (and every model-backed filter is a picker that draws no options
        while empty).
        """
        data = self.data or {}
        for name, declared in self.filters.items():
            if isinstance(declared, (filters.ModelChoiceFilter, filters.ModelMultipleChoiceFilter)):
                widget = declared.extra.get("widget")
                if not isinstance(widget, AutocompleteMixin):
                    return None
                values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
                if any(value not in ("", None) for value in values):
                    return None
        query = sorted((k, v) for k, vs in (data.lists() if data else []) for v in vs)
        # users who may see different fields get different forms
        digest = hashlib.sha256(repr((query, self.hidden)).encode()).hexdigest()
        return f"{type(self).__module__}.{type(self).__qualname__}:{get_language()}:{digest}"

    def main_field_names(self):
        """The filters shown open: ``main_filters`` or a short default."""
        if self.main_filters:
            return ["q", *[n for n in self.main_filters if n != "q"]]
        model = self._meta.model
        choice = [f.name for f in model._meta.concrete_fields if f.choices][:2]
        fks = [f"{f.name}_id" for f in model._meta.concrete_fields if f.many_to_one][:2]
        return ["q", *choice, *fks]

    def all_link_filters(self):
        """The filters set by links only: ``link_filters`` and the primary-key filter."""
        pk = self._meta.model._meta.pk.name if self._meta.model else None
        return {*self.link_filters, *([pk] if pk in self.filters else [])}

    def in_use(self, name):
        """Whether the query string gives filter ``name`` a value."""
        data = self.data or {}
        field = self.form.fields[name]
        for key in _data_keys(name, field):
            values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
            if any(value not in ("", None) for value in values):
                return True
        return False

    def main_fields(self):
        """Bound fields of the open filters: the main ones, then any other in use."""
        names = [n for n in self.main_field_names() if n in self.form.fields]
        hidden, main = self.all_link_filters(), set(names)
        names += [
            n for n in self.form.fields if n not in main and n not in hidden and self.in_use(n)
        ]
        return [self.form[n] for n in names]

    def more_fields(self):
        """Bound fields of every other filter (under "More filters", drawn closed)."""
        shown = {field.name for field in self.main_fields()} | self.all_link_filters()
        return [self.form[n] for n in self.form.fields if n not in shown]

    def link_values(self):
        """``[(key, value)]`` of the link filters in use, for hidden inputs of the form."""
        if not self.is_bound:  # a first visit: nothing in use, and no form to build
            return []
        data = self.data or {}
        pairs = []
        for name in sorted(self.all_link_filters()):
            for key in _data_keys(name, self.form.fields[name]):
                values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
                pairs += [(key, value) for value in values if value not in ("", None)]
        return pairs

    def clear_query(self):
        """The query string of the list with no filter applied ("" or the defaults set to
        "any", which would otherwise apply again)."""
        from urllib.parse import urlencode

        return urlencode({name: ANY for name in self.defaults})

    def chips(self, query):
        """The applied filters as chips (``execcoord.filter_chips``).

        Args:
            query: the request's ``GET`` (the removal links are built from it).
        """
        return applied_filters(self, query)

    class Meta:
        fields = []

    @classmethod
    def get_fields(cls):
        """No fields from ``Meta.fields``: ``get_filters`` generates them all."""
        return {}

    @classmethod
    def get_filters(cls):
        """Generated filters for every field, then the class's declared ones on top."""
        model = cls._meta.model
        if model is None:
            return cls.declared_filters.copy()
        generated = {}
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                flt = field_filter(field)
                if flt is not None:
                    generated[field.name] = flt
        generated.update(relation_filters(model))
        generated.update(cls.declared_filters)
        return generated

    def search(self, queryset, name, value):
        """The quick search: every word in one of the model's ``search_fields``."""
        return search_queryset(queryset, value)
