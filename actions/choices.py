"""Choice lists of the actions app (DATA_MODEL.md "actions"), each with its badge colour map.

Values are short slugs (stored); labels are the ones DATA_MODEL.md lists (shown). The colour
maps give a Bootstrap colour name per value; models name them in ``choice_colors``.
"""

from django.db import models


class ActionCategory(models.TextChoices):
    """Category of an action type and of an action (govcdm Executive Action Type category)."""

    AGREEMENT = "agreement", "Agreement"
    DIRECTIVE = "directive", "Directive or Order"
    INFORMATION_REQUEST = "information_request", "Information Request"
    PLANNING = "planning", "Planning and Strategy"
    REGULATORY = "regulatory", "Regulatory and Compliance"
    COMMUNICATION = "communication", "Communication"
    HUMAN_RESOURCES = "human_resources", "Human Resources"
    PROCUREMENT = "procurement", "Procurement and Budgeting"
    PROGRAM_MANAGEMENT = "program_management", "Program and Project Management"
    SECURITY = "security", "Security and Safety"


ACTION_CATEGORY_COLORS = {
    ActionCategory.AGREEMENT: "primary",
    ActionCategory.DIRECTIVE: "dark",
    ActionCategory.INFORMATION_REQUEST: "info",
    ActionCategory.PLANNING: "primary",
    ActionCategory.REGULATORY: "warning",
    ActionCategory.COMMUNICATION: "info",
    ActionCategory.HUMAN_RESOURCES: "secondary",
    ActionCategory.PROCUREMENT: "secondary",
    ActionCategory.PROGRAM_MANAGEMENT: "primary",
    ActionCategory.SECURITY: "danger",
}


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


PRIORITY_COLORS = {
    Priority.LOW: "secondary",
    Priority.MEDIUM: "info",
    Priority.HIGH: "warning",
    Priority.CRITICAL: "danger",
}


class ActionStatus(models.TextChoices):
    """Where an action is in its life; the allowed moves are ``actions.policy.TRANSITIONS``."""

    DRAFT = "draft", "Draft"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    ON_HOLD = "on_hold", "On hold"


# Final statuses: an action in one of these is never overdue and counts as closed.
FINAL_STATUSES = frozenset({ActionStatus.COMPLETED, ActionStatus.CANCELLED})
OPEN_STATUSES = frozenset(ActionStatus) - FINAL_STATUSES

ACTION_STATUS_COLORS = {
    ActionStatus.DRAFT: "secondary",
    ActionStatus.NOT_STARTED: "info",
    ActionStatus.IN_PROGRESS: "primary",
    ActionStatus.SUBMITTED: "warning",
    ActionStatus.RETURNED: "danger",
    ActionStatus.COMPLETED: "success",
    ActionStatus.CANCELLED: "dark",
    ActionStatus.ON_HOLD: "secondary",
}


class Visibility(models.TextChoices):
    """Who may see an action (DESIGN.md §4; enforced by ``visible_to``)."""

    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    RESTRICTED = "restricted", "Restricted"
    CONFIDENTIAL = "confidential", "Confidential"


VISIBILITY_COLORS = {
    Visibility.PUBLIC: "success",
    Visibility.INTERNAL: "info",
    Visibility.RESTRICTED: "warning",
    Visibility.CONFIDENTIAL: "danger",
}


class SecurityClassification(models.TextChoices):
    """Classification of an action, lowest first (the order is the rank)."""

    UNCLASSIFIED = "unclassified", "Unclassified"
    CUI = "cui", "Controlled Unclassified Information (CUI)"
    CONFIDENTIAL = "confidential", "Confidential"
    SECRET = "secret", "Secret"
    TOP_SECRET = "top_secret", "Top Secret"


SECURITY_CLASSIFICATION_COLORS = {
    SecurityClassification.UNCLASSIFIED: "success",
    SecurityClassification.CUI: "primary",
    SecurityClassification.CONFIDENTIAL: "info",
    SecurityClassification.SECRET: "danger",
    SecurityClassification.TOP_SECRET: "warning",
}

# The personnel clearance (a ``Person.clearance_level`` value) each classification needs.
CLASSIFICATION_REQUIRED_CLEARANCE = {
    SecurityClassification.UNCLASSIFIED: "none",
    SecurityClassification.CUI: "public_trust",
    SecurityClassification.CONFIDENTIAL: "confidential",
    SecurityClassification.SECRET: "secret",
    SecurityClassification.TOP_SECRET: "top_secret",
}


def classification_rank(value):
    """Rank of a classification value: 0 for Unclassified … 4 for Top Secret (-1 if unknown)."""
    try:
        return SecurityClassification.values.index(value)
    except ValueError:
        return -1


class Health(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_ASSESSED = "not_assessed", "Not assessed"


HEALTH_COLORS = {
    Health.ON_TRACK: "success",
    Health.AT_RISK: "warning",
    Health.OFF_TRACK: "danger",
    Health.NOT_ASSESSED: "secondary",
}


class MethodOfReceipt(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "E-mail"
    MAIL = "mail", "Mail"
    PHONE = "phone", "Phone"
    FAX = "fax", "Fax"
    IN_PERSON = "in_person", "In person"
    MEETING = "meeting", "Meeting"


METHOD_OF_RECEIPT_COLORS = {value: "secondary" for value in MethodOfReceipt}


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    PARTIALLY_SUCCESSFUL = "partially_successful", "Partially successful"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


OUTCOME_COLORS = {
    Outcome.SUCCESSFUL: "success",
    Outcome.PARTIALLY_SUCCESSFUL: "warning",
    Outcome.UNSUCCESSFUL: "danger",
    Outcome.INCONCLUSIVE: "secondary",
}


class AssignmentRole(models.TextChoices):
    COORDINATING = "coordinating", "Coordinating (OCR)"
    INFORMATION = "information", "Information only"


ASSIGNMENT_ROLE_COLORS = {
    AssignmentRole.COORDINATING: "primary",
    AssignmentRole.INFORMATION: "secondary",
}


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    RESPONDED = "responded", "Responded"
    CONCUR = "concur", "Concur"
    CONCUR_WITH_COMMENT = "concur_with_comment", "Concur with comment"
    NON_CONCUR = "non_concur", "Non-concur"
    DECLINED = "declined", "Declined"


ASSIGNMENT_STATUS_COLORS = {
    AssignmentStatus.PENDING: "secondary",
    AssignmentStatus.ACKNOWLEDGED: "info",
    AssignmentStatus.IN_PROGRESS: "primary",
    AssignmentStatus.RESPONDED: "success",
    AssignmentStatus.CONCUR: "success",
    AssignmentStatus.CONCUR_WITH_COMMENT: "success",
    AssignmentStatus.NON_CONCUR: "danger",
    AssignmentStatus.DECLINED: "dark",
}


class StatusUpdateKind(models.TextChoices):
    PROGRESS = "progress", "Progress report"
    INTERIM = "interim", "Interim response"


STATUS_UPDATE_KIND_COLORS = {
    StatusUpdateKind.PROGRESS: "primary",
    StatusUpdateKind.INTERIM: "info",
}


class ChangeDirection(models.TextChoices):
    """Timeline or budget impact reported in a status update."""

    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"
    NO_CHANGE = "no_change", "No change"


CHANGE_DIRECTION_COLORS = {
    ChangeDirection.INCREASE: "warning",
    ChangeDirection.DECREASE: "info",
    ChangeDirection.NO_CHANGE: "secondary",
}


class DecisionCategory(models.TextChoices):
    SCOPE_CHANGE = "scope_change", "Scope change"
    TIMELINE_EXTENSION = "timeline_extension", "Timeline extension"
    BUDGET_REALLOCATION = "budget_reallocation", "Budget reallocation"
    ACCOUNTABILITY_REASSIGNMENT = "accountability_reassignment", "Accountability reassignment"
    APPROACH_MODIFICATION = "approach_modification", "Approach modification"
    PRIORITY_ADJUSTMENT = "priority_adjustment", "Priority adjustment"
    RESOURCE_ADDITION = "resource_addition", "Resource addition"
    DEPENDENCY_CHANGE = "dependency_change", "Dependency change"
    REQUIREMENT_CLARIFICATION = "requirement_clarification", "Requirement clarification"
    RISK_MITIGATION = "risk_mitigation", "Risk mitigation"
    TERMINATION = "termination", "Termination"
    HOLD = "hold", "Hold"


DECISION_CATEGORY_COLORS = {value: "primary" for value in DecisionCategory} | {
    DecisionCategory.TERMINATION: "danger",
    DecisionCategory.HOLD: "secondary",
}


class DependencyType(models.TextChoices):
    FINISH_TO_START = "finish_to_start", "Finish to start"
    FINISH_TO_FINISH = "finish_to_finish", "Finish to finish"
    START_TO_START = "start_to_start", "Start to start"
    START_TO_FINISH = "start_to_finish", "Start to finish"
    INFORMATIONAL = "informational", "Informational"
    RESOURCE = "resource", "Resource"


DEPENDENCY_TYPE_COLORS = {value: "secondary" for value in DependencyType}


class DependencyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SATISFIED = "satisfied", "Satisfied"
    BLOCKED = "blocked", "Blocked"
    AT_RISK = "at_risk", "At risk"
    CANCELLED = "cancelled", "Cancelled"


DEPENDENCY_STATUS_COLORS = {
    DependencyStatus.ACTIVE: "primary",
    DependencyStatus.SATISFIED: "success",
    DependencyStatus.BLOCKED: "danger",
    DependencyStatus.AT_RISK: "warning",
    DependencyStatus.CANCELLED: "dark",
}


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


EXTENSION_STATUS_COLORS = {
    ExtensionStatus.PENDING: "warning",
    ExtensionStatus.APPROVED: "success",
    ExtensionStatus.DENIED: "danger",
    ExtensionStatus.WITHDRAWN: "secondary",
}


class AttachmentKind(models.TextChoices):
    TASKING_MEMO = "tasking_memo", "Tasking memo"
    RESPONSE = "response", "Response"
    SUPPORTING = "supporting", "Supporting document"
    OTHER = "other", "Other"


ATTACHMENT_KIND_COLORS = {
    AttachmentKind.TASKING_MEMO: "primary",
    AttachmentKind.RESPONSE: "success",
    AttachmentKind.SUPPORTING: "info",
    AttachmentKind.OTHER: "secondary",
}


class ReminderKind(models.TextChoices):
    """What a reminder e-mail was about (one a person, day and kind)."""

    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalation"


REMINDER_KIND_COLORS = {
    ReminderKind.DUE_SOON: "warning",
    ReminderKind.OVERDUE: "danger",
    ReminderKind.ESCALATION: "dark",
}


class TemplateSubtaskerRole(models.TextChoices):
    """What the office of a template's standard sub-tasker does for the parent tasker."""

    DRAFT = "draft", "Drafts (office of primary responsibility)"
    INPUT = "input", "Provides input"
    REVIEW = "review", "Reviews"


TEMPLATE_SUBTASKER_ROLE_COLORS = {
    TemplateSubtaskerRole.DRAFT: "primary",
    TemplateSubtaskerRole.INPUT: "info",
    TemplateSubtaskerRole.REVIEW: "secondary",
}


# -- coordination routes (issue 16) -----------------------------------------------------------


class RouteStepKind(models.TextChoices):
    """The kind of a step of a coordination route, and of a process template's standard
    route."""

    REVIEW = "review", "Review"
    CONCUR = "concur", "Concur"
    SIGN = "sign", "Sign"
    APPROVE = "approve", "Approve"


ROUTE_STEP_KIND_COLORS = {
    RouteStepKind.REVIEW: "info",
    RouteStepKind.CONCUR: "primary",
    RouteStepKind.SIGN: "dark",
    RouteStepKind.APPROVE: "success",
}


class RouteStepState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    CURRENT = "current", "Current"
    DONE = "done", "Done"


ROUTE_STEP_STATE_COLORS = {
    RouteStepState.WAITING: "secondary",
    RouteStepState.CURRENT: "warning",
    RouteStepState.DONE: "success",
}


class RouteOutcome(models.TextChoices):
    REVIEWED = "reviewed", "Reviewed"
    CONCUR = "concur", "Concur"
    CONCUR_WITH_COMMENT = "concur_with_comment", "Concur with comment"
    NON_CONCUR = "non_concur", "Non-concur"
    SIGNED = "signed", "Signed"
    APPROVED = "approved", "Approved"


ROUTE_OUTCOME_COLORS = {
    RouteOutcome.REVIEWED: "success",
    RouteOutcome.CONCUR: "success",
    RouteOutcome.CONCUR_WITH_COMMENT: "success",
    RouteOutcome.NON_CONCUR: "danger",
    RouteOutcome.SIGNED: "success",
    RouteOutcome.APPROVED: "success",
}

# The answers each kind of step takes.
ROUTE_OUTCOMES_BY_KIND = {
    RouteStepKind.REVIEW: (RouteOutcome.REVIEWED,),
    RouteStepKind.CONCUR: (
        RouteOutcome.CONCUR,
        RouteOutcome.CONCUR_WITH_COMMENT,
        RouteOutcome.NON_CONCUR,
    ),
    RouteStepKind.SIGN: (RouteOutcome.SIGNED,),
    RouteStepKind.APPROVE: (RouteOutcome.APPROVED,),
}


class RouteEventKind(models.TextChoices):
    STARTED = "started", "Reached the step"
    ANSWERED = "answered", "Answered"
    RETURNED = "returned", "Returned to an earlier step"
    RESET = "reset", "Sent back by a return"
    DISPOSITION = "disposition", "Non-concurrence disposition"


ROUTE_EVENT_KIND_COLORS = {
    RouteEventKind.STARTED: "secondary",
    RouteEventKind.ANSWERED: "success",
    RouteEventKind.RETURNED: "danger",
    RouteEventKind.RESET: "warning",
    RouteEventKind.DISPOSITION: "info",
}


class NotificationKind(models.TextChoices):
    """The workflow events people are told of (``actions.notifications.EVENTS``)."""

    ISSUED = "issued", "Tasker issued"
    ASSIGNED = "assigned", "Assigned or reassigned"
    SUPPORTING_ADDED = "supporting_added", "Supporting unit added"
    ROUTE_STEP = "route_step", "Coordination step now yours"
    COORDINATION_REMINDER = "coordination_reminder", "Reminder to answer"
    EXTENSION_REQUESTED = "extension_requested", "Extension requested"
    EXTENSION_APPROVED = "extension_approved", "Extension approved"
    EXTENSION_DENIED = "extension_denied", "Extension denied"
    RETURNED = "returned", "Response returned"
    APPROVED = "approved", "Response approved"
    COMPLETED = "completed", "Tasker completed"
    CANCELLED = "cancelled", "Tasker cancelled"
    SUSPENSE_CHANGED = "suspense_changed", "Suspense changed"
    MENTIONED = "mentioned", "Mentioned in a comment or update"
    OVERDUE = "overdue", "Overdue"
    ESCALATED = "escalated", "Escalation"
    # a person's own background work (execcoord.notices), about no tasker
    EXPORT_READY = "export_ready", "Export ready"
    IMPORT_FINISHED = "import_finished", "Import finished"


class Delivery(models.TextChoices):
    """How a person wants one kind of notification: each is kept in the list anyway."""

    IMMEDIATE = "immediate", "E-mail at once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "No e-mail (list only)"


class MailState(models.TextChoices):
    """Where a notification's e-mail is."""

    NONE = "none", "Not e-mailed"
    PENDING = "pending", "Waiting to be sent"
    DIGEST = "digest", "Waiting for the daily digest"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent (no address, or no longer visible)"
