"""The coordination board of a tasker: each supporting unit's state, its answer and the
disposition of a non-concurrence, and the daily reminder to units that have not answered."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from actions import notifications, services
from actions.choices import AssignmentRole, AssignmentStatus
from actions.models import Assignment
from actions.policy import answers_on_behalf, may_respond

A = AssignmentStatus

BOARD_STATES = (
    ("pending", "Pending", "secondary"),
    ("acknowledged", "Acknowledged", "info"),
    ("concur", "Concur", "success"),
    ("concur_with_comment", "Concur with comment", "success"),
    ("non_concur", "Non-concur", "danger"),
    ("overdue", "Overdue", "danger"),
)
_ANSWERED = frozenset({A.RESPONDED, A.CONCUR, A.CONCUR_WITH_COMMENT, A.NON_CONCUR, A.DECLINED})
RESPONSE_CHOICES = (
    (A.ACKNOWLEDGED, "Acknowledged"),
    (A.CONCUR, "Concur"),
    (A.CONCUR_WITH_COMMENT, "Concur with comment"),
    (A.NON_CONCUR, "Non-concur"),
)


def board_state(assignment, today=None):
    """The column of the coordination board for one supporting unit."""
    today = today or timezone.localdate()
    if assignment.status in _ANSWERED:
        return {
            A.RESPONDED: "concur",
            A.CONCUR: "concur",
            A.DECLINED: "non_concur",
        }.get(assignment.status, assignment.status)
    if assignment.due_date and assignment.due_date < today:
        return "overdue"
    return "pending" if assignment.status == A.PENDING else "acknowledged"


@dataclass
class BoardRow:
    assignment: Assignment
    state: str
    state_label: str
    color: str
    can_respond: bool
    reminded_today: bool


def coordination_board(action, user, today=None, assignments=None):
    """The rows of the board (one query, none when ``assignments`` are given with their unit
    and person): each supporting unit, its state and what ``user`` may do with it; and the
    counts by state."""
    today = today or timezone.localdate()
    labels = {key: (label, color) for key, label, color in BOARD_STATES}
    if assignments is None:
        assignments = action.assignments.select_related("organization_unit", "person")
    rows = []
    for assignment in assignments:
        state = board_state(assignment, today)
        label, color = labels.get(state, (assignment.get_status_display(), "secondary"))
        reminded = bool(
            assignment.last_reminded_at and timezone.localdate(assignment.last_reminded_at) == today
        )
        rows.append(
            BoardRow(assignment, state, label, color, bool(may_respond(user, assignment)), reminded)
        )
    counts = {key: 0 for key, _, _ in BOARD_STATES}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return rows, [(key, label, color, counts[key]) for key, label, color in BOARD_STATES]


def record_response(assignment, user, *, status, comment=""):
    """A supporting unit's answer: status and comment, timed; a non-concurrence needs a
    reason.

    Raises:
        ValueError: the status is not an answer, or a non-concurrence has no reason.
    """
    if status not in dict(RESPONSE_CHOICES):
        raise ValueError("Choose acknowledged, concur, concur with comment or non-concur.")
    if status in (A.NON_CONCUR, A.CONCUR_WITH_COMMENT) and not comment.strip():
        raise ValueError("Say why: a non-concurrence or a comment needs its text.")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        locked.status = status
        if comment.strip():
            locked.response = comment.strip()
        if status != A.ACKNOWLEDGED:
            locked.responded_at = timezone.now()
        locked.responded_by = user
        locked.entered_on_behalf = answers_on_behalf(user, assignment)
        verb = "Answer entered for the unit" if locked.entered_on_behalf else "Answered"
        services._record_as(locked, user, f"{verb}: {locked.get_status_display()}")
        locked.save()
        notifications.notify_mentions(locked.action, user, comment)
    return locked


def record_disposition(assignment, user, text):
    """How a non-concurrence was resolved (needed before close-out)."""
    if not text.strip():
        raise ValueError("Describe how the non-concurrence was resolved.")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        locked.disposition = text.strip()
        services._record_as(locked, user, "Non-concurrence disposition recorded")
        locked.save()
    return locked


def remind_supporting_units(action, user, request=None, now=None):
    """Remind every coordinating unit that has not answered, at most once a day each: one
    "reminder to answer" notification (``actions.notifications``) to each unit's named
    person, else its managers, queued when the transaction commits.

    The reminder is recorded on the assignment (``last_reminded_at``, with history).

    Returns:
        ``(sent, skipped)``: units reminded, and units already reminded today.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent, skipped, reminded = [], [], []
    with transaction.atomic():
        waiting = (
            Assignment.objects.select_for_update(of=("self",))
            .filter(action=action, role=AssignmentRole.COORDINATING)
            .exclude(status__in=_ANSWERED)
            .select_related("organization_unit", "person")
        )
        for assignment in waiting:
            if (
                assignment.last_reminded_at
                and timezone.localdate(assignment.last_reminded_at) == today
            ):
                skipped.append(str(assignment.organization_unit))
                continue
            assignment.last_reminded_at = now
            services._record_as(assignment, user, "Reminder sent")
            assignment.save()
            reminded.append(assignment.pk)
            sent.append(str(assignment.organization_unit))
        if reminded:
            notifications.notify(
                notifications.K.COORDINATION_REMINDER, action, actor=user, assignment_ids=reminded
            )
    return sent, skipped
