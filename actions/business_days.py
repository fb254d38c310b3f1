"""Business days for suspense dates: weekdays that are not US federal holidays.

The holidays come from the ``holidays`` package (``holidays.US``, observed dates included, so a
holiday on a Saturday is observed on the Friday before).
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year):
    return holidays.US(years=year, observed=True)


def holiday_name(day):
    """The federal holiday on ``day``, or ``None``."""
    return _federal_holidays(day.year).get(day)


def is_business_day(day):
    """Monday to Friday and not a US federal holiday (as observed)."""
    return day.weekday() < 5 and holiday_name(day) is None


def _walk_business_days(start, days, step):
    """``days`` business days from ``start`` one ``step`` (a day forward or back) at a time;
    0 moves ``start`` to the nearest business day that way."""
    current = start
    if days <= 0:
        while not is_business_day(current):
            current += step
        return current
    remaining = days
    while remaining:
        current += step
        if is_business_day(current):
            remaining -= 1
    return current


def add_business_days(start, days):
    """The date ``days`` business days after ``start`` (``start`` itself is not counted).

    Args:
        start: a ``date``.
        days: a whole number ≥ 0; 0 gives ``start`` moved forward to a business day.
    """
    return _walk_business_days(start, days, datetime.timedelta(days=1))


def subtract_business_days(start, days):
    """The date ``days`` business days before ``start`` (``start`` itself is not counted):
    the back-planned suspense of a sub-tasker due ``days`` business days before its parent.

    Args:
        start: a ``date``.
        days: a whole number ≥ 0; 0 gives ``start`` moved back to a business day.
    """
    return _walk_business_days(start, days, datetime.timedelta(days=-1))


def shift_business_days(start, days):
    """``start`` moved by ``days`` business days, later when positive, earlier when negative
    (0 leaves it where it is)."""
    if days > 0:
        return add_business_days(start, days)
    if days < 0:
        return subtract_business_days(start, -days)
    return start


def business_days_between(old, new):
    """How many business days ``new`` lies after ``old`` (negative when before): the
    business days in ``(old, new]``, so moving a Friday suspense to the next Friday over a
    Monday holiday is 4."""
    if old == new:
        return 0
    sign = 1 if new > old else -1
    low, high = sorted((old, new))
    count, current = 0, low
    while current < high:
        current += datetime.timedelta(days=1)
        count += is_business_day(current)
    return sign * count


def holidays_between(first_year, last_year):
    """The federal holidays (as observed) from ``first_year`` to ``last_year``, ISO dates
    sorted: the calendar the forms' live business-day date uses (``static/js``)."""
    days = []
    for year in range(first_year, last_year + 1):
        days += [day.isoformat() for day in _federal_holidays(year)]
    return sorted(set(days))


def non_business_day_reason(day):
    """Why ``day`` is not a business day ("a Saturday", "Thanksgiving Day"), or ``None``."""
    if day is None:
        return None
    name = holiday_name(day)
    if name:
        return f"a federal holiday ({name})"
    if day.weekday() >= 5:
        return f"a {day:%A}"
    return None
