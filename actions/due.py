"""When a tasker is due: the one definition of open, overdue, due soon, overdue by N days and
completed on time (DESIGN.md §2), as ``Q`` conditions for querysets, filters, dashboards,
reminders and the admin, and as plain tests of one loaded tasker.

"Today" is always passed in (the agency's date, ``timezone.localdate()``), so every number of
one page or one reminder run agrees on what day it is. This module reads only the status
choices: the models' querysets build on it as much as the read-side queries do.
"""

import datetime

from django.db.models import F, Q

from actions.choices import FINAL_STATUSES, OPEN_STATUSES, ActionStatus

OPEN = Q(status__in=OPEN_STATUSES)  # the open statuses by name: the status index serves it
FINAL = Q(status__in=FINAL_STATUSES)
COMPLETED = Q(status=ActionStatus.COMPLETED, completed_date__isnull=False)


def overdue_q(today):
    """Due before ``today`` and not completed or cancelled."""
    return OPEN & Q(due_date__lt=today)


def due_soon_q(today, days):
    """Open and due from ``today`` to ``today + days`` inclusive."""
    return OPEN & Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))


def due_by_q(today, days):
    """Overdue or due soon: open and due on or before ``today + days`` (what reminders read)."""
    return OPEN & Q(due_date__lte=today + datetime.timedelta(days=days))


def overdue_days_q(today, minimum, maximum=None):
    """Overdue by at least ``minimum`` and at most ``maximum`` whole days."""
    q = OPEN & Q(due_date__lte=today - datetime.timedelta(days=minimum))
    if maximum is not None:
        q &= Q(due_date__gte=today - datetime.timedelta(days=maximum))
    return q


def completed_on_time_q(deadline_field, on_time=True):
    """Completed, with a completion date and a deadline, on or before (or after) the deadline."""
    dated = COMPLETED & Q(**{f"{deadline_field}__isnull": False})
    if on_time:
        return dated & Q(completed_date__lte=F(deadline_field))
    return dated & Q(completed_date__gt=F(deadline_field))


def is_overdue(action, today):
    """The test of :func:`overdue_q` on one loaded tasker."""
    return bool(action.due_date) and action.status in OPEN_STATUSES and action.due_date < today


def days_overdue(action, today):
    """Whole days past the suspense date (0 when not overdue)."""
    return (today - action.due_date).days if is_overdue(action, today) else 0


def completed_by(action, deadline):
    """The test of :func:`completed_on_time_q` on one tasker; ``None`` if not completed or
    without a deadline."""
    if action.status != ActionStatus.COMPLETED or not action.completed_date or not deadline:
        return None
    return action.completed_date <= deadline
