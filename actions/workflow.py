"""The workflow around one action, as the action's pages use it: assignment and its
notices, the coordination board and reminders, supporting units' answers, the sub-tasker
tree and the timeline.

Status changes, due dates, extensions and status updates are in ``actions.services``; this
module builds on them. Every function reads a fixed number of queries, whatever the number of
related rows, so the action page stays fast.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from actions import services
from actions.choices import (
    ASSIGNMENT_STATUS_COLORS,
    ActionStatus,
    AssignmentRole,
    AssignmentStatus,
    StatusUpdateKind,
)
from actions.models import Assignment, ExecutiveAction
from actions.policy import answers_on_behalf, may_respond
from execcoord.formats import format_date
from execcoord.models import StaleEdit
from execcoord.submissions import clash_message
from execcoord.utils import single_line, user_name

logger = logging.getLogger(__name__)

# What a send may raise: the mail library's refusals and the server's (timeouts, refused or
# dropped connections, SMTP errors are all OSError).
MAIL_ERRORS = (OSError, BadHeaderError)

S = ActionStatus
A = AssignmentStatus

# --- assignment -------------------------------------------------------------------------


def _recipient(person, unit):
    """The address that reaches an assignee: the person's, else the unit's task mailbox."""
    if person is not None and person.email:
        return person.email
    if unit is not None and unit.email:
        return unit.email
    return None


class AssignmentRefused(Exception):
    """The Assign page's rows were refused under the lock (a unit already assigned by
    someone else meanwhile): the rows carry their errors; nothing was saved."""


def save_assignment(
    action, user, *, lead_unit, accountable_person, formset, seen_version=None, request=None
):
    """Set the lead unit and accountable person and save the supporting units
    (:func:`assign`), then tell each new assignee once by e-mail (:func:`notify_assignees`).

    Returns:
        The addresses notified.
    """
    with transaction.atomic():
        notices = assign(
            action,
            user,
            lead_unit=lead_unit,
            accountable_person=accountable_person,
            formset=formset,
            seen_version=seen_version,
        )
    return notify_assignees(action, notices, request)


def assign(action, user, *, lead_unit, accountable_person, formset, seen_version=None):
    """Set the lead unit and accountable person and save the supporting units of the
    formset (``actions.workflow_views.SupportingFormSet``), in the caller's transaction.

    The tasker is locked for the whole save. Every save grows its ``version``, so the
    version the page was opened at (``seen_version``; ``None`` skips the check) says
    whether anyone assigned it since: if so, :class:`StaleEdit` and nothing is written.
    A changed or removed row must still be at the version its page showed (the row's
    ``concurrency_token``): an answer recorded meanwhile is never overwritten. A new or
    re-pointed row whose unit is already on the tasker gets an error naming who assigned
    it and when, and :class:`AssignmentRefused` is raised.

    Reassignment is recorded in the history of the action and of each assignment (with
    ``user`` and a reason).

    Returns:
        The notices to send once the transaction commits: ``[(address, role)]`` for the
        accountable person when changed (or the lead unit's mailbox when nobody is named),
        and the person (or unit mailbox) of each new or re-pointed supporting assignment.
    """
    recipients = []
    locked = ExecutiveAction.objects.select_for_update().get(pk=action.pk)
    if seen_version is not None and str(locked.version) != str(seen_version):
        raise StaleEdit(locked)
    rows = {
        row.pk: row for row in Assignment.objects.select_for_update().filter(action_id=locked.pk)
    }
    for form in formset.initial_forms:
        pk = form.instance.pk
        if pk is None or not (form in formset.deleted_forms or form.has_changed()):
            continue
        stored = rows.get(pk)
        if stored is None or str(stored.version) != str(form.seen_version()):
            raise StaleEdit(stored or form.instance)
    lead_changed = locked.lead_unit_id != getattr(lead_unit, "pk", None)
    person_changed = locked.accountable_person_id != getattr(accountable_person, "pk", None)
    if lead_changed or person_changed:
        locked.lead_unit = lead_unit
        locked.accountable_person = accountable_person
        locked.full_clean()
        address = _recipient(accountable_person, lead_unit)
        if address:
            recipients.append((address, "lead"))
    removed = 0
    for form in formset.deleted_forms:
        if form.instance.pk:
            services._record_as(form.instance, user, "Supporting unit removed")
            form.instance.delete()
            removed += 1
    saved, refused = [], False
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed():
            continue
        assignment = form.save(commit=False)
        assignment.action = locked
        is_new = assignment.pk is None
        repointed = not is_new and (
            "person" in form.changed_data or "organization_unit" in form.changed_data
        )
        if is_new or "organization_unit" in form.changed_data:
            clash = clash_message(assignment)
            if clash:
                form.add_error("organization_unit", clash)
                refused = True
                continue
        saved.append((assignment, is_new, repointed))
    if refused:
        raise AssignmentRefused()
    for assignment, is_new, repointed in saved:
        services._record_as(assignment, user, "Assigned" if is_new else "Assignment changed")
        assignment.save()
        if is_new or repointed:
            address = _recipient(assignment.person, assignment.organization_unit)
            if address:
                recipients.append((address, "supporting"))
    if lead_changed or person_changed or saved or removed:
        # the tasker's assignment is part of the tasker: its version grows, so every Assign
        # page opened before this save is now stale
        reason = "Reassigned" if lead_changed or person_changed else "Supporting units changed"
        services._record_as(locked, user, reason)
        locked.save()
    services._copy_state(locked, action)
    return recipients


def notify_assignees(action, notices, request=None):
    """Send each address of ``notices`` (from :func:`assign`) one e-mail; returns the
    addresses notified."""
    seen, sent = set(), []
    for address, role in notices:
        if address in seen:
            continue
        seen.add(address)
        try:
            _send(
                "assignment",
                address,
                f"Assigned: {action}",
                {"action": action, "role": role, "url": _absolute(request, action)},
            )
        except MAIL_ERRORS:  # the assignment stands; the notice is logged as not sent
            logger.exception("assignment notice to %s not sent", address)
            continue
        sent.append(address)
    return sent


def _absolute(request, action):
    url = action.get_absolute_url()
    return request.build_absolute_uri(url) if request is not None else url


def _send(template, address, subject, context):
    """One e-mail from ``templates/actions/email/<template>.txt`` and ``.html``."""
    text = render_to_string(f"actions/email/{template}.txt", context)
    html = render_to_string(f"actions/email/{template}.html", context)
    message = EmailMultiAlternatives(
        single_line(subject), text, settings.DEFAULT_FROM_EMAIL, [address]
    )
    message.attach_alternative(html, "text/html")
    message.send()


# --- coordination board -----------------------------------------------------------------

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
    """E-mail every coordinating unit that has not answered, at most once a day each.

    The reminder is recorded on the assignment (``last_reminded_at``, with history).

    Returns:
        ``(sent, skipped)``: units reminded, and units already reminded today.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent, skipped = [], []
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
            address = _recipient(assignment.person, assignment.organization_unit)
            if not address:
                skipped.append(str(assignment.organization_unit))
                continue
            assignment.last_reminded_at = now
            services._record_as(assignment, user, "Reminder sent")
            assignment.save()
            _send(
                "coordination_reminder",
                address,
                f"Reminder: your answer on {action}",
                {"action": action, "assignment": assignment, "url": _absolute(request, action)},
            )
            sent.append(str(assignment.organization_unit))
    return sent, skipped


# --- sub-tasker tree -------------------------------------------------------------------


@dataclass
class TreeNode:
    action: ExecutiveAction
    depth: int
    due_after_parent: bool
    children: list = field(default_factory=list)


def descendants_queryset(action, user):
    """The visible actions below ``action`` at any depth, in one query, with what the tree
    shows: a prefix match on the materialised path (``execcoord.db.trees``), one range of
    its index, so the visibility rule is checked on the sub-taskers' rows only."""
    return (
        ExecutiveAction.objects.visible_to(user)
        .descendants_of(action)
        .select_related("lead_unit", "accountable_person")
        .order_by("due_date", "number", "pk")
    )


def build_tree(action, rows):
    """The sub-taskers of ``action`` as a flat list in tree order with depths, from the rows
    of :func:`descendants_queryset`: a sub-tasker under a hidden one is left out, as the
    tree is walked from ``action`` through visible rows only."""
    by_parent = {}
    for child in rows:
        by_parent.setdefault(child.parent_id, []).append(child)
    flat, seen = [], {action.pk}

    def walk(parent, depth):
        for child in by_parent.get(parent.pk, []):
            if child.pk in seen:
                continue
            seen.add(child.pk)
            late = bool(child.due_date and parent.due_date and child.due_date > parent.due_date)
            flat.append(TreeNode(child, depth, late))
            walk(child, depth + 1)

    walk(action, 1)
    return flat


def descendants(action, user):
    """The visible sub-taskers of ``action`` at every depth (one query, whatever the number
    of children and levels), as a flat list in tree order with depths."""
    return build_tree(action, list(descendants_queryset(action, user)))


# --- timeline ---------------------------------------------------------------------------


EVENT_LABELS = {
    "interim": "Interim response",
    "status_update": "Status update",
    "decision": "Decision",
    "transition": "Status",
    "due_date": "Due date",
    "extension": "Extension",
    "assignment": "Assignment",
    "reminder": "Reminder",
    "dependency": "Dependency",
    "subtasker": "Sub-tasker",
    "attachment": "File",
    "created": "Created",
}


@dataclass
class Event:
    when: datetime.datetime
    kind: str  # a key of EVENT_LABELS
    title: str
    detail: str = ""
    who: str = ""
    url: str = ""
    badge: str = "secondary"

    @property
    def label(self):
        """The badge text of the event's kind."""
        return EVENT_LABELS.get(self.kind, "Created")


def timeline_querysets(action, user):
    """``{key: queryset}`` of everything the timeline reads, for one batched load
    (``execcoord.panels.load_together``). The records of the action are visible with it;
    sub-taskers and dependencies name other actions, so they go through ``visible_to``."""
    from actions.models import Dependency

    return {
        "timeline:updates": action.status_updates.select_related("reported_by"),
        "timeline:decisions": action.decisions.select_related("decided_by"),
        "timeline:history": action.history.order_by("history_date", "history_id").select_related(
            "history_user", "lead_unit", "accountable_person"
        ),
        "timeline:due_date_changes": action.due_date_changes.select_related(
            "changed_by", "extension_request"
        ),
        "timeline:extension_requests": action.extension_requests.select_related(
            "requested_by", "decided_by"
        ),
        "timeline:assignment_history": Assignment.history.filter(action_id=action.pk)
        .order_by("history_date", "history_id")
        .select_related("history_user", "organization_unit"),
        "timeline:attachments": action.attachments.select_related("uploaded_by"),
        "timeline:dependencies": Dependency.objects.visible_to(user)
        .filter(Q(predecessor=action) | Q(successor=action))
        .select_related("predecessor", "successor"),
        "tree": descendants_queryset(action, user),
    }


def timeline(action, user, data=None):
    """Everything that happened to an action, newest first: status updates (interim
    responses as such), decisions, status moves and reassignments from the history, due-date
    changes, extension requests, supporting-unit assignments and answers, visible sub-taskers
    and dependencies.

    Args:
        data: the rows of :func:`timeline_querysets`, if already loaded (else one query).
    """
    if data is None:
        from execcoord.panels import load_together

        data = load_together(timeline_querysets(action, user))
    events = []
    for update in data["timeline:updates"]:
        interim = update.kind == StatusUpdateKind.INTERIM
        detail = update.key_accomplishments or update.next_steps or update.notes
        if interim:
            sent = f" to {update.sent_to}" if update.sent_to else ""
            title = f"Interim response sent{sent} on {format_date(update.status_date)}"
        else:
            pct = f", {update.percent_complete}%" if update.percent_complete is not None else ""
            title = f"Status update ({update.get_health_display()}{pct})"
        events.append(
            Event(
                update.created_at,
                "interim" if interim else "status_update",
                title,
                detail,
                str(update.reported_by or ""),
                update.get_absolute_url(),
                "info" if interim else "primary",
            )
        )
    for decision in data["timeline:decisions"]:
        events.append(
            Event(
                decision.created_at,
                "decision",
                f"Decision: {decision.title}",
                decision.description,
                str(decision.decided_by or ""),
                decision.get_absolute_url(),
                "dark",
            )
        )
    events += _history_events(data["timeline:history"])
    for change in data["timeline:due_date_changes"]:
        events.append(
            Event(
                change.changed_at,
                "due_date",
                str(change),
                change.reason,
                user_name(change.changed_by),
                badge="warning",
            )
        )
    for request in data["timeline:extension_requests"]:
        events.append(
            Event(
                request.created_at,
                "extension",
                f"Extension to {format_date(request.requested_due_date)} requested",
                request.justification,
                user_name(request.requested_by),
                request.get_absolute_url(),
                "warning",
            )
        )
        if request.decided_at:
            events.append(
                Event(
                    request.decided_at,
                    "extension",
                    f"Extension {request.get_status_display().lower()}",
                    request.decision_comment,
                    user_name(request.decided_by),
                    request.get_absolute_url(),
                    "success" if request.status == "approved" else "danger",
                )
            )
    events += _assignment_events(data["timeline:assignment_history"])
    for child in data["tree"]:
        if child.parent_id != action.pk:
            continue
        events.append(
            Event(
                child.created_at,
                "subtasker",
                f"Sub-tasker {child} added",
                url=child.get_absolute_url(),
            )
        )
        if child.status == S.COMPLETED and child.completed_date:
            events.append(
                Event(
                    child.updated_at,
                    "subtasker",
                    f"Sub-tasker {child.number} completed",
                    url=child.get_absolute_url(),
                    badge="success",
                )
            )
    for attachment in data["timeline:attachments"]:
        events.append(
            Event(
                attachment.uploaded_at,
                "attachment",
                f"{attachment.get_kind_display()} attached: {attachment.title}",
                who=user_name(attachment.uploaded_by),
            )
        )
    for link in data["timeline:dependencies"]:
        kind = link.get_dependency_type_display()
        if link.successor_id == action.pk:
            title = f"Depends on {link.predecessor.number} ({kind})"
        else:
            title = f"{link.successor.number} depends on this ({kind})"
        events.append(
            Event(
                link.created_at, "dependency", title, link.description, url=link.get_absolute_url()
            )
        )
    known = {action.number, *(c.number for c in data["tree"])}
    for link in data["timeline:dependencies"]:
        known |= {link.predecessor.number, link.successor.number}
    hide = number_hider([t for e in events for t in (e.title, e.detail) if t], user, known)
    for event in events:
        event.title, event.detail = hide(event.title), hide(event.detail)
    events.sort(key=lambda e: e.when, reverse=True)
    return events


# An action number as the system writes it: ``EA-2026-00042`` (``services.assign_number``).
ACTION_NUMBER = re.compile(r"\b[A-Z][A-Z0-9]{0,9}-\d{4}-\d{5}\b")
UNSEEN = "a tasker you cannot see"


def number_hider(texts, user, known=()):
    """A function hiding, in a text, the action numbers among those ``texts`` name that
    ``user`` may not see (each becomes :data:`UNSEEN`): texts written before a reason
    stopped naming other taskers, and free text (comments, reasons) that names one.
    ``known`` are numbers known to be visible: no query is made when the texts name no
    other."""
    named = {n for text in texts if text for n in ACTION_NUMBER.findall(text)} - set(known)
    unseen = set()
    if named:
        unseen = named - set(
            ExecutiveAction.objects.visible_to(user)
            .filter(number__in=named)
            .values_list("number", flat=True)
        )
    if not unseen:
        return lambda text: text

    def hide(text):
        if not text:
            return text
        return ACTION_NUMBER.sub(lambda m: UNSEEN if m.group(0) in unseen else m.group(0), text)

    return hide


def _who(row):
    return user_name(row.history_user) if row.history_user_id and row.history_user else ""


def _history_events(rows):
    """Status moves and reassignments, from the action's history rows (oldest first, with
    the user, lead unit and accountable person joined)."""
    events, previous = [], None
    for row in rows:
        who = _who(row)
        reason = row.history_change_reason or ""
        if previous is None:
            events.append(Event(row.history_date, "created", "Created as a draft", "", who))
        else:
            if row.status != previous.status:
                title = f"{S(previous.status).label} → {S(row.status).label}"
                events.append(
                    Event(row.history_date, "transition", title, reason, who, badge="info")
                )
            if (row.lead_unit_id, row.accountable_person_id) != (
                previous.lead_unit_id,
                previous.accountable_person_id,
            ):
                lead = str(row.lead_unit) if row.lead_unit_id and row.lead_unit else "nobody"
                person = (
                    str(row.accountable_person)
                    if row.accountable_person_id and row.accountable_person
                    else "nobody"
                )
                events.append(
                    Event(
                        row.history_date,
                        "assignment",
                        f"Lead: {lead}, accountable: {person}",
                        reason,
                        who,
                    )
                )
        previous = row
    return events


def _assignment_events(rows):
    """Supporting units added, removed, answered and reminded, from the history rows of the
    action's assignments (oldest first, with the unit and user joined)."""
    labels = dict(AssignmentStatus.choices)
    events, last = [], {}
    for row in rows:
        unit = str(row.organization_unit) if row.organization_unit else "a unit"
        who = _who(row)
        before = last.get(row.id)
        if row.history_type == "+":
            events.append(Event(row.history_date, "assignment", f"{unit} assigned", "", who))
        elif row.history_type == "-":
            events.append(Event(row.history_date, "assignment", f"{unit} removed", "", who))
        elif before and before.status != row.status:
            events.append(
                Event(
                    row.history_date,
                    "assignment",
                    f"{unit}: {labels.get(row.status, row.status)}",
                    "",
                    who,
                    badge=ASSIGNMENT_STATUS_COLORS.get(row.status, "secondary"),
                )
            )
        elif row.history_change_reason == "Reminder sent":
            events.append(Event(row.history_date, "reminder", f"{unit} reminded", "", who))
        last[row.id] = row
    return events
