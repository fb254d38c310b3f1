"""``pk__in_array=[…]``: membership in a list of ids sent as one parameter.

``pk__in=[…]`` sends one parameter per id; a page that filters several subqueries by the
same few hundred ids (My work) sent thousands, and building, sending and parsing them cost
more than running the query. On PostgreSQL the list goes as one array (``= ANY(%s)``);
elsewhere it is an ordinary ``IN``.
"""

from django.db.models import AutoField, BigAutoField, IntegerField, Lookup


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


for field_class in (AutoField, BigAutoField, IntegerField):
    field_class.register_lookup(InArray)
