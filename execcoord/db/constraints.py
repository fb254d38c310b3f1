"""Constraints several models declare alike, named ``%(app_label)s_%(class)s_<rule>``."""

from django.db import models
from django.db.models import F, Q


def unique(fields, rule, message, *, condition=None):
    """A unique constraint on ``fields`` (among the rows matching ``condition``, if any).

    Args:
        fields: the field names whose values together are unique.
        rule: the constraint's rule name, after the model's prefix.
        message: the validation message.
    """
    return models.UniqueConstraint(
        fields=fields,
        condition=condition,
        name=f"%(app_label)s_%(class)s_{rule}",
        violation_error_message=message,
    )


def check(condition, rule, message):
    """A check constraint: every row meets ``condition`` (a ``Q``).

    Args:
        condition: what every row meets.
        rule: the constraint's rule name, after the model's prefix.
        message: the validation message.
    """
    return models.CheckConstraint(
        condition=condition, name=f"%(app_label)s_%(class)s_{rule}", violation_error_message=message
    )


def dates_in_order(first, then, rule, message):
    """A check constraint: ``then`` is not before ``first`` when both are set.

    Args:
        first: the earlier date field (a start).
        then: the later date field (an end).
        rule: the constraint's rule name, after the model's prefix.
        message: the validation message.
    """
    return check(
        Q(**{f"{first}__isnull": True})
        | Q(**{f"{then}__isnull": True})
        | Q(**{f"{then}__gte": F(first)}),
        rule,
        message,
    )


def unique_number(noun):
    """An optional unique ``number``: blank numbers do not clash.

    Args:
        noun: what the record is called in the message ("Another agreement already…").
    """
    return unique(
        ["number"],
        "unique_number",
        f"Another {noun} already has this number.",
        condition=~Q(number=""),
    )
