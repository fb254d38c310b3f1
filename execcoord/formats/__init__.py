"""The one date and date-time style of the app, and the helpers Python code uses to apply it.

People read dates as GOV.UK and USWDS write them: "15 Jan 2027", and "15 Jan 2027 14:05" with
a time. The formats live in ``execcoord/formats/en/formats.py`` (``FORMAT_MODULE_PATH``), so
Django's ``|date`` and ``date_format`` (templates, tables, panels, the admin) use them without
naming a pattern; code that builds text in Python (the timeline, model names, messages) calls
:func:`format_date` and :func:`format_datetime` below. Exports and URLs keep ISO dates
(``2027-01-15``): machines read those.
"""

from django.utils import dateformat, formats, timezone, translation
from django.utils.dates import MONTHS, MONTHS_3

EMPTY = "—"


def format_date(value, empty=""):
    """``value`` (a date, or a date-time in local time) as "15 Jan 2027"; ``empty`` if None."""
    if value is None:
        return empty
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "DATE_FORMAT")


def format_datetime(value, empty=""):
    """A date-time in the agency's time zone as "15 Jan 2027 14:05"; ``empty`` if None."""
    if value is None:
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")


def date_format(value, name):
    """``django.utils.formats.date_format(value, name)``, the same text, faster.

    The format named ``name`` in the active language is turned once into a function of its
    parts: a tasker's timeline writes a hundred dates, and Django reads the format's name,
    then parses its pattern, for each one (about 70 µs a date; this takes a few).
    """
    key = (translation.get_language(), name)
    writer = _WRITERS.get(key)
    if writer is None:
        writer = _WRITERS[key] = _writer(formats.get_format(name))
    return writer(value)


_WRITERS = {}

# the pattern characters the app's formats use, as Django's ``dateformat`` writes them
_PARTS = {
    "j": lambda v: str(v.day),
    "d": lambda v: f"{v.day:02d}",
    "n": lambda v: str(v.month),
    "m": lambda v: f"{v.month:02d}",
    "M": lambda v: str(MONTHS_3[v.month]).title(),
    "F": lambda v: str(MONTHS[v.month]),
    "Y": lambda v: f"{v.year:04d}",
    "H": lambda v: f"{v.hour:02d}",
    "G": lambda v: str(v.hour),
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}
_TIME_PARTS = set("HGis")


def _writer(pattern):
    """``fn(value) -> text`` for ``pattern``: its parts joined, or Django's own ``dateformat``
    for a pattern with any other character (escapes, week days, time zones …)."""
    if any(c.isalpha() and c not in _PARTS for c in pattern) or "\\" in pattern:
        return lambda value: dateformat.format(value, pattern)
    parts = [_PARTS.get(c, c) for c in pattern]
    needs_time = any(c in _TIME_PARTS for c in pattern)

    def write(value):
        if needs_time and not hasattr(value, "hour"):
            return dateformat.format(value, pattern)  # Django's error for a date
        return "".join(part(value) if callable(part) else part for part in parts)

    return write
