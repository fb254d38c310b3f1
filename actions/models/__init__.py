"""Models of the actions app (DATA_MODEL.md "actions").

- ``action``: ExecutiveActionType, Tag, ExecutiveAction and its queryset (visibility).
- ``satellites``: the records that are part of one action.
- ``route``: the coordination route of an action and its steps' history.
- ``templates``: process templates (standard sub-taskers and route steps per type).
- ``notifications``: workflow events, the notifications they fan out to, preferences.
- ``support``: bookkeeping tables (number counters, calendar-feed tokens, reminder log).
"""

from actions.models.action import (
    ExecutiveAction,
    ExecutiveActionQuerySet,
    ExecutiveActionType,
    Tag,
    allowed_classifications,
)
from actions.models.notifications import (
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from actions.models.route import RouteStep, RouteStepEvent
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
from actions.models.templates import ProcessTemplate, TemplateRouteStep, TemplateSubtasker

__all__ = [
    "ActionNumberSequence",
    "ActionPartQuerySet",
    "Assignment",
    "Attachment",
    "CalendarFeedToken",
    "CompletionTally",
    "DecisionLogEntry",
    "Dependency",
    "Notification",
    "NotificationEvent",
    "NotificationPreference",
    "DueDateChange",
    "ExecutiveAction",
    "ExecutiveActionQuerySet",
    "ExecutiveActionType",
    "ExtensionRequest",
    "ProcessTemplate",
    "ReminderLog",
    "RouteStep",
    "RouteStepEvent",
    "StatusUpdate",
    "Tag",
    "TemplateRouteStep",
    "TemplateSubtasker",
    "allowed_classifications",
]
