"""The one date and date-time style of the app, and the helpers Python code uses to apply it.

People read dates as GOV.UK and USWDS write them: "15 Jan 2027", and "15 Jan 2027 14:05" with
a time. The formats live in ``execcoord/formats/en/formats.py`` (``FORMAT_MODULE_PATH``), so
Django's ``|date`` and ``date_format`` (templates, tables, panels, the admin) use them without
naming a pattern; code that builds text in Python (the timeline, model names, messages) calls
:func:`format_date` and :func:`format_datetime` below. Exports and URLs keep ISO dates
(``2027-01-15``): machines read those.
"""

from django.utils import formats, timezone

EMPTY = "—"


def format_date(value, empty=""):
    """``value`` (a date, or a date-time in local time) as "15 Jan 2027"; ``empty`` if None."""
    if value is None:
        return empty
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "DATE_FORMAT")


def format_datetime(value, empty=""):
    """A date-time in the agency's time zone as "15 Jan 2027 14:05"; ``empty`` if None."""
    if value is None:
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
