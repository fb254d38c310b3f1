"""Several querysets, of any models, in one ``UNION ALL`` query of JSON-packed rows.

A detail page shows rows of many tables (a panel a relation, a timeline of a dozen sources)
and global search shows the hits of every model; one round trip for all of them keeps the
number of queries constant. This reaches into Django's compiler (``compiler.select``,
``klass_info``, ``results_iter``) and is tested on its own in ``tests/test_db.py``.
"""

import copy
import datetime
import json
import uuid
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, Value, Window
from django.db.models.functions import RowNumber
from django.db.models.query import get_related_populators
from django.utils.dateparse import parse_duration

from execcoord.db.compiled import MARKER, Kept, checking


def load_together(querysets):
    """Evaluate several querysets, of any models, in one ``UNION ALL`` query (issue 7).

    A detail page shows rows of many tables (a panel a relation, a timeline of a dozen
    sources); one round trip for all of them keeps the page's query count constant. Each
    queryset is compiled by Django as usual (its ``visible_to`` scope, order, slice and
    ``select_related`` joins included) and becomes a subquery whose row is packed into one
    JSON array, so parts of different shapes share one result column; Django's own
    converters and model construction then read the unpacked rows exactly as if each
    queryset had run alone. ``prefetch_related`` lookups run afterwards (one query a lookup,
    as usual).

    On a database other than PostgreSQL and SQLite, or for a queryset with a column JSON
    cannot carry faithfully (binary, arrays …), that queryset runs on its own.

    A :class:`Counted` queryset is counted instead, in the same query: a page that shows a
    number of rows without the rows (a panel loaded when opened) pays no more round trip.

    Args:
        querysets: ``{key: model queryset or Counted(queryset)}`` (not ``values()``).

    Returns:
        ``{key: [instances]}`` in each queryset's order, ``{key: int}`` for the counted ones.
    """
    results = {key: 0 if _counted(qs) else [] for key, qs in querysets.items()}
    parts, alone = [], []
    for key, queryset in querysets.items():
        if isinstance(queryset, Shaped):
            part = queryset.part(key)
            if part is not None:
                parts.append(part)
                continue
            queryset = queryset.build(*queryset.values)  # compiled as usual below
        if isinstance(queryset, Counted):
            if connections[queryset.queryset.db].vendor not in _JSON_ARRAY:
                results[key] = queryset.queryset.count()
                continue
            part = _CountPart.compile(key, queryset.queryset)
            if part is not None:
                parts.append(part)
            continue
        if queryset._fields is not None:
            raise ValueError(f"load_together: {key!r} must be a model queryset")
        if queryset.query.is_empty():
            continue
        try:
            part = _Part.compile(key, queryset)
        except EmptyResultSet:  # a filter no row can match, e.g. ``pk__in=[]``
            continue
        if part is None:
            alone.append(key)
        else:
            parts.append(part)
    for key in alone:
        queryset = querysets[key]
        if isinstance(queryset, Shaped):
            queryset = queryset.build(*queryset.values)
        results[key] = list(queryset)
    by_db = {}
    for part in parts:
        by_db.setdefault(part.db, []).append(part)
    for db, group in by_db.items():
        for part, rows in _run_union(db, group):
            results[part.key] = part.instances(rows)
    return results


_JSON_CHUNK = 90  # arguments a JSON-array call (PostgreSQL allows 100)
_JSON_ARRAY = {"postgresql": "json_build_array", "sqlite": "json_array"}


def _run_union(db, parts):
    connection = connections[db]
    quote = connection.ops.quote_name
    function = _JSON_ARRAY[connection.vendor]
    selects, params = [], []
    for index, part in enumerate(parts):
        if isinstance(part, _CountPart):
            selects.append(f"SELECT {index}, CAST(COUNT(*) AS TEXT) FROM ({part.sql}) s")
            params.extend(part.params)
            continue
        columns = [f"s.{quote(alias)}" for alias in part.aliases]
        chunks = [
            f"{function}({', '.join(columns[i : i + _JSON_CHUNK])})"
            for i in range(0, len(columns), _JSON_CHUNK)
        ]
        low, high = part.window
        position = f"s.{quote('ec_position')}"
        where = f" WHERE {position} > {int(low)}"
        if high is not None:
            where += f" AND {position} <= {int(high)}"
        # as text: the driver would parse JSON numbers as floats (decimals lose digits)
        packed = f"CAST({function}({', '.join(chunks)}) AS TEXT)"
        selects.append(f"SELECT {index}, {packed} FROM ({part.sql}) s{where}")
        params.extend(part.params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        fetched = cursor.fetchall()
    rows = {}
    for index, packed in fetched:
        rows.setdefault(index, []).append(packed)
    for index, part in enumerate(parts):
        yield part, rows.get(index, [])


def _json_reader(connection, field):
    """``fn(json value) -> what the database driver returns`` for one column, or ``None``
    when JSON cannot carry the column's type faithfully."""
    internal = field.get_internal_type() if field is not None else "TextField"
    key = (connection.vendor, internal)
    if key not in _JSON_READERS:
        _JSON_READERS[key] = _make_json_reader(connection.vendor, internal)
    return _JSON_READERS[key]


_JSON_READERS = {}


def _identity(value):
    return value


def _make_json_reader(vendor, internal):
    """The reader of one column type on one database (see :func:`_json_reader`)."""
    if internal in ("BinaryField", "ArrayField", "HStoreField") or internal.endswith("RangeField"):
        return None
    if vendor == "sqlite":
        return _identity  # JSON holds what SQLite stores: text, numbers, 0/1
    readers = {
        "DateField": datetime.date.fromisoformat,
        "DateTimeField": datetime.datetime.fromisoformat,
        "TimeField": datetime.time.fromisoformat,
        "DecimalField": Decimal,
        "FloatField": float,
        "UUIDField": uuid.UUID,
        "DurationField": parse_duration,
        "JSONField": json.dumps,
    }
    reader = readers.get(internal)
    if reader is None:
        return _identity
    if internal == "JSONField":
        return reader
    return lambda value: None if value is None else reader(value)


class Counted:
    """A queryset :func:`load_together` counts rather than loads (its rows are not read).

    Args:
        queryset: the rows to count (filters only; its order and columns are dropped).
    """

    def __init__(self, queryset):
        self.queryset = queryset


def _counted(queryset):
    if isinstance(queryset, Shaped):
        return queryset.counted
    return isinstance(queryset, Counted)


class Shaped:
    """A queryset :func:`load_together` compiles once per *shape* and sends again with other
    values, as ``execcoord.db.compiled.compiled_rows`` does for one query.

    A tasker's page builds and compiles the same dozen querysets for every tasker, each
    differing only in the tasker's id (and path): Django spent more time building and
    compiling them than the database spent running them (issue 20). A shaped queryset is
    built once with a marker in place of each value; the SQL, its parameters and where the
    markers are in them are kept, and each later call puts its values where the markers
    were, without building or compiling anything.

    The contract (what makes reusing the SQL exact): ``build`` reads nothing that can differ
    between two calls with the same ``shape`` but its arguments, and each argument reaches
    the SQL only as a parameter, unchanged (``pk=value``, ``path__startswith=Value(value)``;
    not ``path__startswith=value``, which sends ``value + "%"``, nor ``if value:``). A
    value missing from the parameters is refused when the shape is first compiled. With
    ``settings.EXECCOORD_CHECK_SHAPES`` (on in the tests) every call also builds and compiles
    the queryset as usual and fails unless both give the same SQL and parameters: every
    page the tests open checks the contract.

    Args:
        shape: hashable; everything the SQL depends on besides ``values``, starting with a
            name of the call site (the user's visibility key for a scoped queryset:
            ``execcoord.access.read_key``). A shape holding ``None`` is not reused.
        build: ``fn(*values) -> queryset`` (or ``Counted(queryset)`` to count it).
        values: the integers and strings of this call (``None``: compiled as a shape of
            its own).
        known: ``{field name: instance}`` set on every row (what a related manager, such as
            ``action.assignments``, sets on the rows it returns).
    """

    __slots__ = ("shape", "build", "values", "known", "counted")

    def __init__(self, shape, build, *values, known=None, counted=False):
        # a shape holding ``None`` (a read key not known) is never reused
        self.shape = None if shape is None or None in shape else shape
        self.build, self.values = build, values
        self.known = known or {}
        self.counted = counted

    def part(self, key):
        """The union part of this call, or ``None`` to load it as a plain queryset."""
        # a missing value (``None``) is no parameter: ``IS NULL`` is another SQL
        if self.shape is None or any(
            isinstance(v, int) and not -(2**63) <= v < 2**63 for v in self.values
        ):  # a number no column holds: Django answers "no row" without asking
            return None
        cache_key = (self.shape, tuple(i for i, v in enumerate(self.values) if v is None))
        entry = _SHAPES.get(cache_key)
        if entry is None:
            entry = self._compile(cache_key)
            if entry is None:
                return None
        template, positions = entry
        part = copy.copy(template)
        part.key = key
        params = list(template.params)
        for index, position, kind in positions:
            value = self.values[index]
            params[position] = value if type(value) is kind else kind(value)
        part.params = params
        if self.known:
            model = template.queryset.model
            part.known = [(model._meta.get_field(n), v) for n, v in self.known.items()]
        if checking():
            self._check(part)
        return part

    def _compile(self, cache_key):
        """Compile the shape with two sets of markers: the SQL must be the same and the
        parameters differ only where a marker is (a value transformed on its way, or
        deciding the SQL, is refused)."""
        compiled = []
        for offset in (0, 1000):
            markers = [
                None
                if value is None
                else MARKER - offset - i
                if isinstance(value, int)
                else f"ec-marker-{offset + i}-"
                for i, value in enumerate(self.values)
            ]
            template = _compile_part(None, self.build(*markers))
            if template is None:
                return None
            places = {}
            for position, param in enumerate(template.params):
                for index, marker in enumerate(markers):
                    # the database backend may wrap a value (psycopg's ``Int8`` for a bigint)
                    if _same_value(param, marker):
                        places[position] = index
            compiled.append((template, places))
        (template, places), (other, other_places) = compiled
        missing = [
            v for i, v in enumerate(self.values) if v is not None and i not in places.values()
        ]
        rest = [p for i, p in enumerate(template.params) if i not in places]
        other_rest = [p for i, p in enumerate(other.params) if i not in other_places]
        if missing or places != other_places or template.sql != other.sql or rest != other_rest:
            raise ValueError(
                f"Shaped {self.shape!r}: each value must reach its SQL as a parameter, "
                f"unchanged, and only there (values {self.values!r})"
            )
        positions = tuple(
            (index, position, type(template.params[position])) for position, index in places.items()
        )
        return _SHAPES.keep(cache_key, (template, positions))

    def _check(self, part):
        """Fail unless the plain queryset compiles to the SQL and parameters reused."""
        plain = _compile_part(part.key, self.build(*self.values))
        got = (part.sql, list(part.params))
        expected = (plain.sql, list(plain.params)) if plain is not None else None
        if got != expected:
            raise AssertionError(
                f"Shaped {self.shape!r} reused SQL that differs from its queryset's:\n"
                f"{got!r}\n!=\n{expected!r}"
            )


def related_rows(obj, name, refine=None):
    """``obj.<name>.all()`` (a reverse foreign key's rows) as a :class:`Shaped` queryset of
    ``obj``'s id, each row's link to ``obj`` set as the related manager sets it.

    Args:
        refine: ``fn(queryset) -> queryset`` (``select_related``, ``order_by`` …), the same
            code for every record: a function without a closure (refused otherwise), as
            the shape is named by its code.
    """
    if refine is not None and refine.__closure__:
        raise ValueError(f"related_rows({name!r}): refine must not read local variables")
    relation = type(obj)._meta.get_field(name)
    field = relation.field
    manager = relation.related_model._default_manager
    attname = field.attname

    def build(pk):
        rows = manager.filter(**{attname: pk})
        return refine(rows) if refine is not None else rows

    code = refine.__code__ if refine is not None else ()
    shape = ("related_rows", type(obj)._meta.label_lower, name, code)
    return Shaped(shape, build, obj.pk, known={field.name: obj})


def _same_value(param, marker):
    """Whether a parameter of the SQL is the marker (an ``int`` or ``str`` of its own, not
    a ``bool``)."""
    if marker is None or isinstance(param, bool):
        return False
    return isinstance(param, type(marker)) and param == marker


# shapes kept per process, the oldest dropped first: a tasker's page has about 25, 15 of
# them the reader's own (their visibility), so this keeps the last hundred or so readers'
# pages; a shape holds its compiled query, at most about 20 KB (40 MB in all)
_SHAPES = Kept(2_000)


def _compile_part(key, queryset):
    """The union part of ``queryset`` (counted if it is :class:`Counted`), or ``None``."""
    if isinstance(queryset, Counted):
        if connections[queryset.queryset.db].vendor not in _JSON_ARRAY:
            return None
        return _CountPart.compile(key, queryset.queryset)
    if queryset.query.is_empty():
        return None
    try:
        return _Part.compile(key, queryset)
    except EmptyResultSet:
        return None


class _CountPart:
    """One counted queryset of :func:`load_together`: the primary keys of its rows, counted
    by the union's ``SELECT … COUNT(*)``."""

    @classmethod
    def compile(cls, key, queryset):
        """The part, or ``None`` when no row can match (counted as 0 without asking)."""
        if queryset.query.is_empty():
            return None
        query = queryset.order_by().values("pk").query
        try:
            sql, params = query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            return None
        part = cls()
        part.key, part.db, part.sql, part.params = key, queryset.db, sql, params
        return part

    def instances(self, rows):
        return int(rows[0]) if rows else 0


class _Part:
    """One queryset of :func:`load_together`: its SQL, and how to rebuild its rows."""

    known = ()  # ``[(field, instance)]`` set on every row (:class:`Shaped`)

    @classmethod
    def compile(cls, key, queryset):
        """The part, or ``None`` if it must run on its own."""
        connection = connections[queryset.db]
        if (
            connection.vendor not in _JSON_ARRAY
            or queryset.query.distinct  # the position column would make every row distinct
            or queryset.query.combinator
        ):
            return None
        model = queryset.model
        query = queryset.query.chain()
        ordering = list(query.order_by) or list(model._meta.ordering or [])
        if not any(str(o).lstrip("-") in ("pk", model._meta.pk.attname) for o in ordering):
            ordering.append("pk")
        # the position of each row, numbered in the queryset's own order; it replaces the
        # ORDER BY and the slice (the wrapper keeps the positions of the slice), which
        # spares Django's compiler its costliest step on wide selects
        query.add_annotation(Window(RowNumber(), order_by=ordering), "ec_position")
        window = (query.low_mark, query.high_mark)
        query.clear_ordering(force=True)
        query.clear_limits()
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql(with_col_aliases=True)
        readers = []
        for expression, _, _ in compiler.select:
            reader = _json_reader(connection, getattr(expression, "output_field", None))
            if reader is None:
                return None
            readers.append(reader)
        part = cls()
        part.key, part.queryset, part.db = key, queryset, queryset.db
        part.sql, part.params, part.compiler, part.readers = sql, params, compiler, readers
        part.aliases = [alias for _, _, alias in compiler.select]
        part.window = window
        return part

    def instances(self, packed_rows):
        """Model instances from the packed rows, as ``ModelIterable`` builds them."""
        connection_vendor = self.compiler.connection.vendor
        loads = (
            (lambda text: json.loads(text, parse_float=Decimal))
            if connection_vendor == "postgresql"
            else json.loads
        )
        raw = []
        for packed in packed_rows:
            chunks = loads(packed)
            row = [value for chunk in chunks for value in chunk]
            raw.append([read(value) for read, value in zip(self.readers, row, strict=True)])
        position = self.aliases.index("ec_position")
        raw.sort(key=lambda row: row[position])
        compiler, db = self.compiler, self.db
        select, klass_info = compiler.select, compiler.klass_info
        annotation_col_map = {
            name: index
            for name, index in compiler.annotation_col_map.items()
            if name != "ec_position"
        }
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, db)
        # the record a related manager was called on (``action.status_updates``), as Django
        # sets it on each row
        known = [
            (
                field,
                objs,
                [
                    self.queryset.model._meta.get_field(f).attname if f != "self" else field.attname
                    for f in field.from_fields
                ],
            )
            for field, objs in self.queryset._known_related_objects.items()
        ]
        result = []
        for row in compiler.results_iter([raw]):
            obj = klass_info["model"].from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, index in annotation_col_map.items():
                setattr(obj, name, row[index])
            for field, objs, attnames in known:
                if not field.is_cached(obj):
                    value = tuple(getattr(obj, a) for a in attnames)
                    related = objs.get(value[0] if len(value) == 1 else value)
                    if related is not None:
                        setattr(obj, field.name, related)
            for field, related in self.known:
                field.set_cached_value(obj, related)
            result.append(obj)
        lookups = self.queryset._prefetch_related_lookups
        if lookups and result:
            models.prefetch_related_objects(result, *lookups)
        return result


def count_together(querysets):
    """``{key: number of rows}`` of several querysets, in one ``UNION ALL`` query.

    Args:
        querysets: ``{key: queryset}`` (filters only; the order is ignored).
    """
    counts = {key: 0 for key in querysets}
    parts = []
    for index, queryset in enumerate(querysets.values()):
        if not queryset.query.is_empty():
            parts.append(
                queryset.order_by()
                .values(ec_part=Value(index, output_field=models.IntegerField()))
                .annotate(ec_count=Count("pk"))
                .values_list("ec_part", "ec_count")
            )
    if not parts:
        return counts
    keys = list(querysets)
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for index, count in query:
        counts[keys[index]] = count
    return counts
