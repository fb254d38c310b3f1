"""Models of the actions app (DATA_MODEL.md "actions").

- ``action``: ExecutiveActionType, Tag, ExecutiveAction and its queryset (visibility).
- ``satellites``: the records that are part of one action.
- ``support``: bookkeeping tables (number counters, calendar-feed tokens, reminder log).
"""

from actions.models.action import (
    ExecutiveAction,
    ExecutiveActionQuerySet,
    ExecutiveActionType,
    Tag,
    allowed_classifications,
)
from actions.models.satellites import (
    ActionPartQuerySet,
    Assignment,
    Attachment,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExtensionRequest,
    StatusUpdate,
)
from actions.models.support import (
    ActionNumberSequence,
    CalendarFeedToken,
    CompletionTally,
    ReminderLog,
)

__all__ = [
    "ActionNumberSequence",
    "ActionPartQuerySet",
    "Assignment",
    "Attachment",
    "CalendarFeedToken",
    "CompletionTally",
    "DecisionLogEntry",
    "Dependency",
    "DueDateChange",
    "ExecutiveAction",
    "ExecutiveActionQuerySet",
    "ExecutiveActionType",
    "ExtensionRequest",
    "ReminderLog",
    "StatusUpdate",
    "Tag",
    "allowed_classifications",
]
