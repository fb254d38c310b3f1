"""A hand-built set of taskers with known answers, shared by the dashboard and My work tests.

Today is frozen at Wednesday 18 November 2026 (agency time zone). Under BUR-A (bob manages
it) the tree is BUR-A → OFF-A1 (alice) → TEAM-A1X (a grand-child of BUR-A).
"""

import datetime
from zoneinfo import ZoneInfo

from actions.choices import ActionStatus, ExtensionStatus, Priority
from actions.demo.actions import ExecutiveActionFactory, ExtensionRequestFactory
from actions.demo.partners import OrganizationUnitFactory

TODAY = datetime.date(2026, 11, 18)
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("America/New_York"))
LONG_AGO = TODAY - datetime.timedelta(days=130)  # before the 12 weeks of the weekly chart


def days(n):
    return TODAY + datetime.timedelta(days=n)


def action(code, unit, status, due, *, priority=Priority.MEDIUM, **fields):
    fields.setdefault("issue_date", LONG_AGO)
    fields.setdefault("original_due_date", due)
    return ExecutiveActionFactory(
        title=code,
        lead_unit=unit,
        status=status,
        due_date=due,
        priority=priority,
        **fields,
    )


def build(units):
    """The taskers, by code; every right answer in the tests is counted by hand from here."""
    team = OrganizationUnitFactory(code="TEAM-A1X", name="Team A1X", parent=units["OFF-A1"])
    S = ActionStatus
    a = {
        "A1": action("A1", units["OFF-A1"], S.IN_PROGRESS, days(-3), priority=Priority.HIGH),
        "A2": action("A2", team, S.NOT_STARTED, days(-10), priority=Priority.CRITICAL),
        "A3": action("A3", team, S.IN_PROGRESS, days(-100)),
        "A4": action(
            "A4",
            units["BUR-A"],
            S.ON_HOLD,
            days(-40),
            priority=Priority.LOW,
            held_from_status=S.IN_PROGRESS,
        ),
        "A5": action("A5", units["OFF-A1"], S.IN_PROGRESS, days(3), issue_date=TODAY),
        "A6": action("A6", units["OFF-A1"], S.COMPLETED, days(-1), completed_date=days(-2)),
        "A7": action(
            "A7",
            units["OFF-A1"],
            S.COMPLETED,
            days(0),
            original_due_date=days(-5),
            completed_date=days(-1),
        ),
        "A8": action("A8", units["BUR-A"], S.COMPLETED, days(-25), completed_date=days(-20)),
        "A9": action("A9", units["OFF-B1"], S.IN_PROGRESS, days(-2)),
        "A10": action("A10", units["OFF-A1"], S.CANCELLED, days(-5)),
    }
    ExtensionRequestFactory(
        action=a["A7"],
        current_due_date=days(-5),
        requested_due_date=days(0),
        status=ExtensionStatus.APPROVED,
    )
    return team, a
