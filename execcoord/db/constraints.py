"""Constraints several models declare alike, named ``%(app_label)s_%(class)s_<rule>``."""

from django.db import models
from django.db.models import F, Q


def dates_in_order(first, then, rule, message):
    """A check constraint: ``then`` is not before ``first`` when both are set.

    Args:
        first: the earlier date field (a start).
        then: the later date field (an end).
        rule: the constraint's rule name, after the model's prefix.
        message: the validation message.
    """
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True})
        | Q(**{f"{then}__isnull": True})
        | Q(**{f"{then}__gte": F(first)}),
        name=f"%(app_label)s_%(class)s_{rule}",
        violation_error_message=message,
    )


def unique_number(noun):
    """An optional unique ``number``: blank numbers do not clash.

    Args:
        noun: what the record is called in the message ("Another agreement already…").
    """
    return models.UniqueConstraint(
        fields=["number"],
        condition=~Q(number=""),
        name="%(app_label)s_%(class)s_unique_number",
        violation_error_message=f"Another {noun} already has this number.",
    )
