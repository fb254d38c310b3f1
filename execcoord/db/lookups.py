"""``__in`` on an integer column ignores the values the column cannot hold.

Django already answers ``pk=<20 digits>`` with "no row" (``IntegerFieldOverflow``), but
``pk__in`` sent the number on: SQLite raised ``OverflowError`` and the page a 500. Every
picker, selection and ``?id=`` filter goes through ``__in``, so this is the one place that
makes them safe. Registered on ``IntegerField`` (and so its subclasses, the auto fields
included) when the ``execcoord`` app is ready.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


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


IntegerField.register_lookup(IntegerFieldIn)
