"""``InArray(expression, ids)``: membership in a list of ids sent as one parameter.

``pk__in=[…]`` sends one parameter per id; a page that filters several subqueries by the
same few hundred ids (My work) sent thousands, and building, sending and parsing them cost
more than running the query. On PostgreSQL the list goes as one array (``= ANY(%s)``);
elsewhere it is an ordinary ``IN``. A boolean expression, used where it is needed
(``filter(InArray("pk", ids))``, ``Q(InArray(...)) & …``), not a lookup on every field.

``ids`` may also be a queryset of one column: on PostgreSQL ``= ANY(ARRAY(subquery))``, which,
unlike ``IN (subquery)``, the planner can serve from an index inside an ``OR`` of indexed
conditions (a ``BitmapOr``) instead of testing the subquery against every row of a scan.
"""

from django.db.models import BooleanField, F, Func, QuerySet
from django.db.models.lookups import In


class InArray(Func):
    """``expression = ANY(%s)`` on PostgreSQL, ``expression IN (%s, …)`` elsewhere.

    Args:
        expression: a field name or an expression of integers (``"pk"``).
        ids: the integers to match (an empty list matches nothing), or a queryset of one
            column (``.values("action_id")``).
    """

    output_field = BooleanField()

    def __init__(self, expression, ids):
        super().__init__(F(expression) if isinstance(expression, str) else expression)
        self.query = ids.query if isinstance(ids, QuerySet) else None
        self.ids = None if self.query is not None else [int(value) for value in ids]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if self.query is not None:
            inner, inner_params = self.query.get_compiler(connection=connection).as_sql()
            template = "{} = ANY(ARRAY({}))" if connection.vendor == "postgresql" else "{} IN ({})"
            return template.format(column, inner), [*params, *inner_params]
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        if not self.ids:
            return "1 = 0", list(params)
        return compiler.compile(In(self.source_expressions[0], self.ids))  # Django's own IN
