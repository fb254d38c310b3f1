"""Every orderable column of every table sorts and renders, in both directions."""

import re

import pytest
from django.urls import reverse

from execcoord import registry
from execcoord.utils import viewname
from tests.generic.model_data import MODELS

pytestmark = pytest.mark.django_db
REGISTRATIONS = registry.all_registrations()


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_every_orderable_column_sorts(admin_client, views):
    MODELS[views.label][0].create_batch(2)
    list_url = reverse(viewname(views.model, "list"))
    for name, column in views.table.base_columns.items():
        if name == "pk" or not column.orderable:
            continue
        for sort in (name, f"-{name}"):
            response = admin_client.get(list_url, {"sort": sort})
            assert response.status_code == 200, sort
            assert 'aria-sort="' in response.content.decode() or name not in (
                views.table.Meta.default_columns
            ), sort


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_table_declares_default_columns_that_exist(views):
    assert set(views.table.Meta.default_columns) <= set(views.table.base_columns)


def _without_even_odd(html):
    """django-tables2 numbers rows per table, not per page, so its even/odd classes
    depend on how often the rows were read before; they carry no meaning here."""
    return re.sub(r' ?\b(even|odd)\b"', '"', html).replace(' class=""', "")


def _reference_rows(table):
    """The rows as django-tables2 draws them (its bound rows and cells)."""
    from django.utils.html import conditional_escape

    rows = []
    for row in table.paginated_rows:
        cells = "".join(
            f"<td {column.attrs['td'].as_html()}>{conditional_escape(cell)}</td>"
            for column, cell in row.items()
        )
        rows.append(f"<tr {row.attrs.as_html()}>{cells}</tr>")
    return "\n".join(rows)


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_lean_rows_match_django_tables2_cell_for_cell(admin_user, views):
    """Every column, shown or not by default, draws the same HTML as django-tables2."""
    from execcoord.tables import optimize_queryset

    MODELS[views.label][0].create_batch(3)
    names = [n for n in views.table.base_columns if n != "pk"]
    queryset = optimize_queryset(
        views.model._default_manager.order_by("pk"), views.table.accessors(names), admin_user
    )

    def table():  # a fresh one each time: django-tables2 counts rows (even/odd) per table
        fresh = views.table(queryset.all(), user=admin_user, columns=names)
        fresh.paginate(per_page=25)
        return fresh

    lean = table().body_html()
    assert _without_even_odd(lean) == _without_even_odd(_reference_rows(table()))
    assert lean.count("<tr ") == 3


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_export_without_model_instances_writes_the_same_cells(admin_user, views):
    """The export's values_list path and its whole-record path agree on every column."""
    from execcoord.export import _rows

    MODELS[views.label][0].create_batch(3)
    columns = views.table.export_column_names()
    queryset = views.model._default_manager.order_by("pk")
    lean = list(_rows(queryset, views.table, columns, admin_user))
    whole = list(_rows(queryset, views.table, columns, admin_user, lean=False))
    assert lean == whole
    assert len(lean) == 3


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_what_one_table_changes_in_its_columns_stays_its_own(views):
    """Tables share their class's columns through a copy of each column (not a deep copy):
    hiding a column, or the cell attributes a table sets, never reach the class or the
    next table."""
    table_class = views.table
    before = {name: (c.visible, c.attrs) for name, c in table_class.base_columns.items()}
    first = table_class([], columns=[n for n in table_class.Meta.default_columns[:2]])
    names = [c.name for c in first.columns if c.name != "pk"]
    for name in names:
        first.columns.hide(name)
        first.columns[name].column.accessor = "changed"
    after = {name: (c.visible, c.attrs) for name, c in table_class.base_columns.items()}
    assert after == before
    second = table_class([])
    assert all(second.columns[name].column.accessor != "changed" for name in names)
    shown = {c.name for c in second.columns if c.visible}
    assert set(names) <= shown


@pytest.mark.parametrize("export", [None, "csv"])
def test_sorting_by_a_column_orders_the_rows_of_the_page_and_the_export(admin_client, export):
    """A column header's link (``?sort=title``, ``?sort=-title``) orders the rows, on the
    page and in the export (an automatic column leaves ``orderable`` unset: it may sort)."""
    from actions.demo.actions import ExecutiveActionFactory
    from actions.models import ExecutiveAction

    for title in ("Bravo review", "Alpha review", "Charlie review"):
        ExecutiveActionFactory(title=title)
    url = reverse(viewname(ExecutiveAction, "list"))
    for sort, expected in (("title", "ABC"), ("-title", "CBA")):
        params = {"sort": sort, "q": "review", **({"export": export} if export else {})}
        response = admin_client.get(url, params)
        body = b"".join(response.streaming_content if export else [response.content]).decode()
        found = re.findall(r"(Alpha|Bravo|Charlie) review", body)
        order = "".join(dict.fromkeys(name[0] for name in found))
        assert order == expected, (sort, order)
