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


def add_business_days(start, days):
    """The date ``days`` business days after ``start`` (``start`` itself is not counted).

    Args:
        start: a ``date``.
        days: a whole number ≥ 0; 0 gives ``start`` moved forward to a business day.
    """
    current = start
    if days <= 0:
        while not is_business_day(current):
            current += datetime.timedelta(days=1)
        return current
    remaining = days
    while remaining:
        current += datetime.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


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
