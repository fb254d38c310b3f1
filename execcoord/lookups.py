"""Lookups the project adds to Django's integer fields.

``pk__in_array=[…]``: membership in a list of ids sent as one parameter.

``pk__in=[…]`` sends one parameter per id; a page that filters several subqueries by the
same few hundred ids (My work) sent thousands, and building, sending and parsing them cost
more than running the query. On PostgreSQL the list goes as one array (``= ANY(%s)``);
elsewhere it is an ordinary ``IN``.

``__in`` on an integer column ignores the values the column cannot hold. Django already
answers ``pk=<20 digits>`` with "no row" (``IntegerFieldOverflow``), but ``pk__in`` sent the
number on: SQLite raised ``OverflowError`` and the page a 500. Every picker, selection and
``?id=`` filter goes through ``__in``, so this is the one place that makes them safe.
"""

from django.db.models import AutoField, BigAutoField, IntegerField, Lookup
from django.db.models.lookups import In


class InArray(Lookup):
    lookup_name = "in_array"

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *self.rhs]


class IntegerFieldIn(In):
    """``IN`` without the values outside the column's range (they match no row anyway)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            try:
                low, high = connection.ops.integer_field_range(
                    self.lhs.output_field.get_internal_type()
                )
            except KeyError:  # an integer type the backend gives no range for
                low, high = None, None
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


for field_class in (AutoField, BigAutoField, IntegerField):
    field_class.register_lookup(InArray)
IntegerField.register_lookup(IntegerFieldIn)
