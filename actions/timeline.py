"""The timeline of a tasker: everything that happened to it, newest first, from rows loaded
with the rest of its page; action numbers the reader may not see are hidden in its texts."""

import datetime
import re
from dataclasses import dataclass

from actions.choices import (
    ASSIGNMENT_STATUS_COLORS,
    ActionStatus,
    AssignmentStatus,
    StatusUpdateKind,
)
from actions.models import Assignment, Dependency, ExecutiveAction
from actions.workflow import descendants_queryset
from execcoord.access import read_key
from execcoord.db.union import Shaped, load_together, related_rows
from execcoord.formats import format_date
from execcoord.utils import user_name

S = ActionStatus


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
    "route": "Route",
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


# What the timeline and the dependency panels read of the widest rows of the page: a
# history row copies every column of the tasker, and a dependency joins two whole taskers
# (98 and 112 columns, a fifth of the page's SQL to build and its rows to read).
_PEOPLE = ("first_name", "last_name", "username")
_HISTORY_FIELDS = (
    "history_id",
    "id",
    "history_date",
    "history_type",
    "history_change_reason",
    "status",
    "lead_unit",
    "accountable_person",
    *(f"history_user__{name}" for name in _PEOPLE),
    "lead_unit__name",
    "lead_unit__abbreviation",
    "accountable_person__first_name",
    "accountable_person__last_name",
)
_DEPENDENCY_FIELDS = (
    "id",
    "created_at",
    "predecessor",
    "successor",
    "dependency_type",
    "status",
    "critical_path",
    "description",
    *(f"{side}__{name}" for side in ("predecessor", "successor") for name in ("number", "title")),
)


# the timeline's rows the tasker page's other panels read too (due-date history, extension
# and dependency panels, attachments, the sub-tasker tree): the page loads these, and the
# rest only when its timeline is opened (issue 20)
SHARED_KEYS = (
    "timeline:due_date_changes",
    "timeline:extension_requests",
    "timeline:attachments",
    "timeline:dependencies",
    "tree",
)


def timeline_querysets(action, user, keys=None):
    """``{key: queryset}`` of everything the timeline reads, for one batched load
    (``execcoord.panels.load_together``). The records of the action are visible with it;
    sub-taskers and dependencies name other actions, so they go through ``visible_to``.

    Args:
        keys: only these (e.g. :data:`SHARED_KEYS`); default every one.
    """
    builders = {
        "timeline:updates": lambda: related_rows(
            action, "status_updates", lambda rows: rows.select_related("reported_by")
        ),
        "timeline:decisions": lambda: related_rows(
            action, "decisions", lambda rows: rows.select_related("decided_by")
        ),
        "timeline:history": lambda: (
            action.history.order_by("history_date", "history_id")
            .select_related("history_user", "lead_unit", "accountable_person")
            .only(*_HISTORY_FIELDS)
        ),
        "timeline:due_date_changes": lambda: related_rows(
            action,
            "due_date_changes",
            lambda rows: rows.select_related("changed_by", "extension_request"),
        ),
        "timeline:extension_requests": lambda: related_rows(
            action,
            "extension_requests",
            lambda rows: rows.select_related("requested_by", "decided_by"),
        ),
        "timeline:assignment_history": lambda: Shaped(
            ("timeline:assignment_history",),
            lambda pk: (
                Assignment.history.filter(action_id=pk)
                .order_by("history_date", "history_id")
                .select_related("history_user", "organization_unit")
            ),
            action.pk,
        ),
        "timeline:attachments": lambda: related_rows(
            action, "attachments", lambda rows: rows.select_related("uploaded_by")
        ),
        "timeline:route_events": lambda: related_rows(
            action,
            "route_events",
            lambda rows: rows.select_related(
                "step", "step__organization_unit", "step__person", "user"
            ),
        ),
        "timeline:dependencies": lambda: Shaped(
            ("timeline:dependencies", read_key(ExecutiveAction, user)),
            lambda pk: (
                Dependency.objects.of_action_visible_to(pk, user)
                .select_related("predecessor", "successor")
                .only(*_DEPENDENCY_FIELDS)
            ),
            action.pk,
        ),
        "tree": lambda: descendants_queryset(action, user),
    }
    return {key: build() for key, build in builders.items() if keys is None or key in keys}


def timeline(action, user, data=None):
    """Everything that happened to an action, newest first: the events of every source of
    :data:`SOURCES` (status updates, interim responses as such, decisions, status moves and
    reassignments, due-date changes, extension requests, supporting units, visible
    sub-taskers, files and dependencies), with the numbers of taskers ``user`` may not see
    hidden.

    Args:
        data: the rows of :func:`timeline_querysets`, if already loaded (else one query).
    """
    if data is None:
        data = load_together(timeline_querysets(action, user))
    events = [event for source in SOURCES for event in source(action, data)]
    known = {action.number, *(c.number for c in data["tree"])}
    for link in data["timeline:dependencies"]:
        known |= {link.predecessor.number, link.successor.number}
    hide = number_hider([t for e in events for t in (e.title, e.detail) if t], user, known)
    for event in events:
        event.title, event.detail = hide(event.title), hide(event.detail)
    events.sort(key=lambda e: e.when, reverse=True)
    return events


def _update_events(action, data):
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
    return events


def _decision_events(action, data):
    return [
        Event(
            decision.created_at,
            "decision",
            f"Decision: {decision.title}",
            decision.description,
            str(decision.decided_by or ""),
            decision.get_absolute_url(),
            "dark",
        )
        for decision in data["timeline:decisions"]
    ]


def _due_date_events(action, data):
    return [
        Event(
            change.changed_at,
            "due_date",
            str(change),
            change.reason,
            user_name(change.changed_by),
            badge="warning",
        )
        for change in data["timeline:due_date_changes"]
    ]


def _extension_events(action, data):
    events = []
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
    return events


def _subtasker_events(action, data):
    events = []
    for child in data["tree"]:
        if child.parent_id != action.pk:
            continue
        url = child.get_absolute_url()
        events.append(Event(child.created_at, "subtasker", f"Sub-tasker {child} added", url=url))
        if child.status == S.COMPLETED and child.completed_date:
            title = f"Sub-tasker {child.number} completed"
            events.append(Event(child.updated_at, "subtasker", title, url=url, badge="success"))
    return events


def _attachment_events(action, data):
    return [
        Event(
            attachment.uploaded_at,
            "attachment",
            f"{attachment.get_kind_display()} attached: {attachment.title}",
            who=user_name(attachment.uploaded_by),
        )
        for attachment in data["timeline:attachments"]
    ]


def _dependency_events(action, data):
    events = []
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
    return events


# An action number as the system writes it: ``EA-2026-00042`` (``ActionNumberSequence.take``).
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


def _history_events(action, data):
    """Status moves and reassignments, from the action's history rows (oldest first, with
    the user, lead unit and accountable person joined)."""
    events, previous = [], None
    for row in data["timeline:history"]:
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


def _assignment_events(action, data):
    """Supporting units added, removed, answered and reminded, from the history rows of the
    action's assignments (oldest first, with the unit and user joined)."""
    labels = dict(AssignmentStatus.choices)
    events, last = [], {}
    for row in data["timeline:assignment_history"]:
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


_ROUTE_BADGES = {"answered": "success", "returned": "danger", "disposition": "info"}


def _route_events(action, data):
    """The coordination route's moves (issue 16): answers (and who entered them for the
    office), returns with their reason, dispositions; a step reached is left out (the answer
    or return that follows says it)."""
    events = []
    for row in data["timeline:route_events"]:
        if row.kind in ("started", "reset"):
            continue
        step = row.step
        office = step.organization_unit or step.person
        what = row.get_outcome_display() if row.outcome else row.get_kind_display()
        who = user_name(row.user) if row.user_id and row.user else ""
        if who and row.on_behalf:
            who = f"entered by {who} for {office}"
        events.append(
            Event(
                row.at,
                "route",
                f"Route step {step.position}, {step.get_kind_display().lower()} ({office}): {what}",
                row.text,
                who,
                "",
                _ROUTE_BADGES.get(row.kind, "secondary"),
            )
        )
    return events


# Where the timeline's events come from, in the order they were listed before sorting.
SOURCES = (
    _update_events,
    _decision_events,
    _history_events,
    _due_date_events,
    _extension_events,
    _assignment_events,
    _subtasker_events,
    _attachment_events,
    _dependency_events,
    _route_events,
)
