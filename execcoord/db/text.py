"""Text expressions that write in SQL what a model's ``__str__`` writes in Python, so that a
record's name can be read without loading it (the CSV export's ``COPY``)."""

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat


def joined_or_alone(first, second, separator=" — "):
    """``f"{first} — {second}" if first else second`` over two text fields."""
    return Case(
        When(**{first: ""}, then=F(second)),
        When(**{f"{first}__isnull": True}, then=F(second)),
        default=Concat(F(first), Value(separator), F(second)),
        output_field=CharField(),
    )
