"""CSV and Excel export of exactly the filtered, visible rows of a list (issue 3).

Not django-tables2's ``TableExport``: it renders every cell through the table and is too slow
at 5,000 rows. Rows are streamed from ``iterator()`` with the joins the export columns need;
related records the user may not see are left blank.
"""

import csv
import datetime
import tempfile
from decimal import Decimal

from django.db import connections, models
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.db.models.base import ModelState
from django.db.models.functions import Cast
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from execcoord.access import is_restricted, visible
from execcoord.tables import optimize_queryset
from execcoord.utils import is_user_model, user_name

CHUNK = 2000


class _Echo:
    """A file-like object whose ``write`` returns the line (for streaming ``csv.writer``)."""

    def write(self, value):
        return value


def export_response(queryset, table_class, user, fmt, filename):
    """An HTTP response with the rows of ``queryset`` in ``fmt`` (``csv`` or ``xlsx``).

    Args:
        queryset: the filtered, scoped, ordered rows.
        table_class: the model's table; its export columns become the header.
        user: the request user (hidden related records are blanked).
        fmt: ``csv`` or ``xlsx``.
        filename: the download name without extension.
    """
    columns = table_class.export_column_names(user)
    header = [str(table_class.base_columns[n].header) for n in columns]
    if fmt == "xlsx":
        return _xlsx_response(header, _rows(queryset, table_class, columns, user), filename)
    lines = csv_lines(queryset, table_class, user)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_lines(queryset, table_class, user, use_copy=None):
    """The CSV export of ``queryset``: the header line, then one line per row.

    On PostgreSQL, when every column can be written as SQL text (:func:`_copy_queryset`),
    the rows come from ``COPY (…) TO STDOUT`` (:mod:`execcoord.db.copy`) in blocks of bytes;
    otherwise from :func:`_rows` through Python's ``csv`` writer. Both give the same bytes
    (``tests/test_export_copy.py``).

    Args:
        queryset: the filtered, visible, ordered rows (the list's ``visible_to`` + filterset).
        table_class: the model's table; its export columns become the header.
        user: the request user (hidden related records are blanked, hidden fields left out).
        use_copy: ``False`` forces the Python path, ``None`` chooses.
    """
    columns = table_class.export_column_names(user)
    header = [str(table_class.base_columns[n].header) for n in columns]
    writer = csv.writer(_Echo())
    copy_qs = None
    if use_copy is not False and connections[queryset.db].vendor == "postgresql":
        copy_qs = _copy_queryset(queryset, table_class, columns, user)
    if copy_qs is not None:
        from execcoord.db.copy import copy_csv_lines

        yield writer.writerow([_safe(v) for v in header]).encode()
        yield from copy_csv_lines(copy_qs)
        return
    rows = _rows(queryset, table_class, columns, user)
    for row in _with_header(header, rows):
        yield writer.writerow([_csv_text(_safe(v)) for v in row])


def _copy_queryset(queryset, table_class, columns, user):
    """``queryset`` as a ``values_list`` of one SQL text expression per export column,
    formatted as :func:`_rows` + :func:`_csv_text` + :func:`_safe` format them, or ``None``
    when a column has no SQL form (a computed column, a date-time, a related record whose
    model declares no ``str_expression``)."""
    model = queryset.model
    accessors = [str(table_class.base_columns[n].accessor or n) for n in columns]
    expressions = {}
    for i, accessor in enumerate(accessors):
        expression = _sql_text(model, accessor, user)
        if expression is None:
            return None
        expressions[f"_c{i}"] = expression
    return queryset.annotate(**expressions).values_list(*expressions)


def _sql_text(model, accessor, user):
    """The SQL text of one export column (``NULL`` for an empty cell), or ``None``."""
    field = _field(model, accessor)
    if field is None or field.many_to_many or field.one_to_many:
        return None
    if field.is_relation:
        related = field.related_model
        to_text = getattr(related, "str_expression", None)
        if to_text is None or is_user_model(related):
            return None
        shown = Q(**{f"{field.attname}__isnull": False})
        if is_restricted(related):
            shown &= Q(**{f"{field.attname}__in": visible(related, user).values("pk")})
        name = to_text(f"{accessor}__")
        return _CsvText(Case(When(shown, then=name), default=Value(None), output_field=TEXT))
    if field.choices:
        labels = [When(**{accessor: v}, then=Value(str(label))) for v, label in field.flatchoices]
        return _CsvText(Case(*labels, default=Cast(accessor, TEXT), output_field=TEXT))
    if isinstance(field, models.BooleanField):
        return Case(
            When(**{accessor: True}, then=Value("Yes")),
            When(**{accessor: False}, then=Value("No")),
            default=Value(None),
            output_field=TEXT,
        )
    if isinstance(field, models.DateTimeField):
        return None  # local time and microseconds: left to Python
    if isinstance(field, models.DateField):
        return Func(
            F(accessor), template="to_char(%(expressions)s, 'YYYY-MM-DD')", output_field=TEXT
        )
    if isinstance(field, (models.IntegerField, models.DecimalField)):
        return Cast(accessor, TEXT)
    if isinstance(field, (models.CharField, models.TextField)):
        return _CsvText(F(accessor))
    return None


TEXT = TextField()


class _CsvText(Func):
    """A text cell: ``'`` before text that starts like a formula (as :func:`_safe`), and
    ``NULL`` for an empty string (``COPY`` writes ``NULL`` as nothing, ``''`` as ``""``)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"NULLIF(CASE WHEN LEFT({sql}, 1) IN ('=', '+', '-', '@') "
            f"THEN '''' || {sql} ELSE {sql} END, '')",
            (*params, *params, *params),
        )


def _with_header(header, rows):
    yield header
    yield from rows


def _rows(queryset, table_class, columns, user, lean=True):
    """Yield one list of plain values per record.

    When every exported column is a field of the model, or a related record shown by its
    name whose model declares ``str_fields``, the rows are read with ``values_list`` (no
    model instances) and each related name is built once per related record. Otherwise
    (a computed column) records are loaded whole. Either way each column's reader is
    worked out once, not per cell.
    """
    model = queryset.model
    accessors = [str(table_class.base_columns[n].accessor or n) for n in columns]
    allowed = _visible_related(queryset, accessors, user)
    plan = _values_plan(model, accessors, allowed) if lean else None
    if plan is not None:
        names, readers = plan
        for row in queryset.values_list(*names).iterator(chunk_size=CHUNK):
            yield [read(row) for read in readers]
        return
    queryset = optimize_queryset(queryset, accessors, user)
    readers = [_reader(model, accessor, allowed) for accessor in accessors]
    for record in queryset.iterator(chunk_size=CHUNK):
        yield [read(record) for read in readers]


def _values_plan(model, accessors, allowed):
    """``(values_list names, readers)`` for reading the export without model instances,
    or ``None`` when a column needs the record itself."""
    names, readers = [], []
    for accessor in accessors:
        field = _field(model, accessor)
        if field is None or field.many_to_many or field.one_to_many:
            return None
        start = len(names)
        if field.is_relation:
            related = field.related_model
            str_fields = getattr(related, "str_fields", ())
            if not str_fields:
                return None
            names.append(field.attname)
            names += [f"{accessor}__{name}" for name in str_fields]
            readers.append(_related_reader(related, start, str_fields, allowed.get(accessor)))
        elif field.choices:
            names.append(accessor)
            labels = {value: str(label) for value, label in field.flatchoices}
            readers.append(lambda row, i=start, labels=labels: _plain(labels.get(row[i], row[i])))
        else:
            names.append(accessor)
            readers.append(lambda row, i=start: _plain(row[i]))
    return names, readers


def _related_reader(related, start, str_fields, visible_pks):
    """Reader of a related record's name: built once per record from its ``str_fields``,
    blank when the user may not see it (``visible_pks``, ``None`` for unrestricted)."""
    names = {}
    end = start + 1 + len(str_fields)

    def read(row):
        pk = row[start]
        if pk is None or (visible_pks is not None and pk not in visible_pks):
            return ""
        name = names.get(pk)
        if name is None:
            values = dict(zip(str_fields, row[start + 1 : end], strict=True))
            name = names[pk] = str(_bare_record(related, pk, values))
        return name

    return read


def _bare_record(model, pk, values):
    """An unsaved ``model`` instance holding only ``values``, for its ``__str__``: set
    directly, as ``Model.from_db`` would, without ``Model.__init__``'s walk over every field
    and its default (a tenth of a millisecond a record, most of a 5,000-row export's time
    when nearly every row names another person)."""
    record = model.__new__(model)
    record.__dict__.update(values)
    record.__dict__[model._meta.pk.attname] = pk
    record._state = ModelState()
    record._state.adding = False
    return record


def _reader(model, accessor, allowed):
    """``fn(record) -> plain value`` of one export column (whole records)."""
    field = _field(model, accessor)
    if field is not None and field.choices:
        display = f"get_{accessor}_display"
        return lambda record: getattr(record, display)()
    if field is not None and field.many_to_many:
        return lambda record: "; ".join(str(o) for o in getattr(record, accessor).all())
    if field is not None and field.many_to_one and is_user_model(field.related_model):
        return lambda record: user_name(getattr(record, accessor))
    if accessor in allowed:
        attname, visible_pks = field.attname, allowed[accessor]

        def related(record):
            if getattr(record, attname) not in visible_pks:
                return ""
            return _plain(getattr(record, accessor))

        return related
    parts = accessor.replace(".", "__").split("__")

    def read(record):
        value = record
        for part in parts:
            value = getattr(value, part, None) if value is not None else None
        if callable(value) and not isinstance(value, models.Model):
            value = value()
        return _plain(value)

    return read


def _visible_related(queryset, accessors, user):
    """``{accessor: set(pks)}`` of visible related rows for restricted forward FKs."""
    allowed = {}
    for accessor in accessors:
        field = _field(queryset.model, accessor)
        if (
            field is not None
            and field.many_to_one
            and is_restricted(field.related_model)
            and not is_user_model(field.related_model)
        ):
            ids = queryset.values(field.attname)
            allowed[accessor] = set(
                visible(field.related_model, user).filter(pk__in=ids).values_list("pk", flat=True)
            )
    return allowed


def _field(model, accessor):
    try:
        return model._meta.get_field(accessor)
    except Exception:
        return None


def _plain(value):
    """A cell value as text, a number, a date or a date-time in the agency's time zone; the
    Excel export keeps those types (typed cells), the CSV writes them as ISO text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (datetime.date, int, float, Decimal)):
        return value
    return str(value)


def _csv_text(value):
    """A CSV cell: dates as ``2027-01-15``, date-times as ``2027-01-15T14:05:00``."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _xlsx_response(header, rows, filename):
    """An Excel workbook written in openpyxl's write-only (streaming) mode.

    Memory stays constant in the number of rows: the rows come from ``iterator()``, the
    write-only sheet goes to a temporary file as it is written, the workbook is zipped into
    another temporary file, and that file is sent in blocks (``FileResponse``).
    """
    output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    _write_xlsx(header, rows, filename, output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _write_xlsx(header, rows, title, output):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    workbook.save(output)


def write_export(queryset, table_class, user, fmt, title, output):
    """Write the export of ``queryset`` in ``fmt`` to the binary file ``output``: the same
    bytes the list's download gives (a prepared export, ``execcoord.background``).

    Args:
        queryset: the filtered, scoped, ordered rows.
        table_class: the model's table; its export columns become the header.
        user: whose export it is (hidden related records are blanked, hidden fields left
            out).
        fmt: ``csv`` or ``xlsx``.
        title: the sheet's title.
        output: a binary file open for writing.
    """
    if fmt == "xlsx":
        columns = table_class.export_column_names(user)
        header = [str(table_class.base_columns[n].header) for n in columns]
        _write_xlsx(header, _rows(queryset, table_class, columns, user), title, output)
        return
    for line in csv_lines(queryset, table_class, user):
        output.write(line if isinstance(line, bytes) else line.encode())


def _safe(value):
    """Text that starts like a formula is exported as text (spreadsheet formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
