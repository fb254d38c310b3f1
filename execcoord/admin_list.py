"""The admin change list's rows, drawn from a plan made once per list.

Django draws each cell of a change list on its own (``items_for_result``): it looks the
column up by name again, flattens a choice field's choices again, reverses the change
page's URL and merges the list's filters into it again, and the template then loops over
the cells. For the fifty rows and eight columns of the actions' list that was a third of
the page's CPU time (issue 20).

What of that depends on the row is the value; what the column is, its CSS classes, its
empty value, its choices as a dict and the shape of the row's link depend on the list only.
:func:`result_list` works them out once per column (:func:`_column`) and then draws each
row as one string, the same HTML as Django's. A list this plan does not cover (an editable
list, a column named by a ``__`` path through related objects) is drawn by Django's own
``result_list``. ``tests/test_admin.py`` compares both drawings for every model of the site.
"""

import datetime
from operator import attrgetter

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

_MARK = "~pk~"  # where the row's key goes in its link (a character the URL keeps as it is)


class _NotPlanned(Exception):
    """A column only Django's own drawing handles."""


def result_list(cl):
    """The context of ``admin/change_list_results.html``: Django's ``result_list``, its
    rows each drawn as one cell-joined string."""
    if cl.formset:
        return admin_list.result_list(cl)
    try:
        rows = _rows(cl)
    except _NotPlanned:
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [admin_list.ResultList(None, [row]) for row in rows],
    }


def _rows(cl):
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        columns.append(_column(cl, name, index, link, first))
        first = first and not link
    # a safe string each (every value escaped by its column)
    return [mark_safe("".join([column(result) for column in columns])) for result in cl.result_list]  # noqa: S308


def _column(cl, name, index, link, first):
    """A function of a row that draws its cell, as ``items_for_result`` does."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    css = f"field-{admin_list._coerce_field_name(name, index)}"
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
    if field is not None and not field.auto_created:
        read = attrgetter(name)
        shown = _display(field, empty, link)
        classes = css
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes += " nowrap"

        def draw(value):
            return classes, shown(value)

    else:
        if field is not None:  # an automatic field (the key, a reverse one-to-one)
            attr, read = None, attrgetter(name)
        elif callable(name):
            attr = read = name
        elif hasattr(model_admin, name) and name != "__str__":
            attr = read = getattr(model_admin, name)
        elif hasattr(cl.model, name):
            attr = getattr(cl.model, name)

            def read(result):
                value = getattr(result, name)
                return value() if callable(value) else value

        else:  # a path through related objects: Django's own
            raise _NotPlanned(name)
        shown_empty = getattr(attr, "empty_value_display", empty)
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        classes = "action-checkbox" if field is None and name == "action_checkbox" else css
        dated = classes + " nowrap"

        def draw(value):
            shown = display_for_value(value, shown_empty, boolean)
            return (dated if isinstance(value, (datetime.date, datetime.time)) else classes), shown

    def cell(result):
        try:
            value = read(result)
        except ObjectDoesNotExist:
            return css, empty
        if isinstance(value, str) and value.strip() == "":
            value = ""
        return draw(value)

    if link:
        return _linked(cl, cell, "th" if first else "td")

    def td(result):
        classes, shown = cell(result)
        return f'<td class="{classes}">{conditional_escape(shown)}</td>'

    return td


def _display(field, empty, link):
    """``display_for_field`` for one field, as a function of the value: a key's related
    record, the choices as a dict and the branches for text and dates taken once (the dates
    of a list repeat, each drawn once), Django's own for any other field."""
    if isinstance(field.remote_field, models.ManyToOneRel):  # the related record itself
        return lambda value: empty if value is None else value
    empties = field.empty_values
    try:
        labels = dict(field.flatchoices)
    except TypeError:  # list-like choices: Django's own
        labels = None
    if labels:
        return lambda value: labels.get(value, empty)
    if type(field) in (models.CharField, models.TextField) and not field.choices:
        return lambda value: empty if value in empties else str(value)
    if type(field) is models.DateField and not field.choices:
        drawn = {}

        def date(value):
            if value in empties:
                return empty
            if value not in drawn:
                drawn[value] = formats.localize(value)
            return drawn[value]

        return date
    return lambda value: display_for_field(value, field, empty, avoid_link=link)


def _linked(cl, cell, tag):
    """The cell of a column that links to the row's change page: the link reversed and its
    filters merged once, with a mark where the row's key goes."""
    filters = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(_MARK,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:

        def plain(result):
            classes, shown = cell(result)
            return f'<{tag} class="{classes}">{conditional_escape(shown)}</{tag}>'

        return plain
    before, mark, after = escape(add_preserved_filters(filters, url)).partition(_MARK)
    if not mark or _MARK in after:
        raise _NotPlanned(url)
    key = cl.to_field or cl.lookup_opts.pk.attname

    def linked(result):
        classes, shown = cell(result)
        pk = getattr(result, cl.pk_attname)
        if isinstance(pk, int):
            href = f"{before}{pk:d}{after}"
        else:  # a key the URL quotes: Django's own
            href = escape(add_preserved_filters(filters, cl.url_for_result(result)))
        opener = ""
        if cl.is_popup:
            opener = f' data-popup-opener="{conditional_escape(result.serializable_value(key))}"'
        shown = conditional_escape(shown)
        return f'<{tag} class="{classes}"><a href="{href}"{opener}>{shown}</a></{tag}>'

    return linked
