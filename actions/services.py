"""The changes made to executive actions, called explicitly by forms, bulk actions, admin
and imports (STYLE.md "what to avoid" 7): status moves, creation with the type's defaults,
roll-up of sub-taskers, due-date changes and status updates.

The rules they apply live in ``actions.policy`` (who may do what, and the status machine:
``TRANSITIONS``, the one table of allowed moves) and ``actions.due`` (when a tasker is due);
numbers come from their counter (``ActionNumberSequence.take``). Status changes go through
:func:`transition`, which checks the table and the preconditions of
:func:`check_transition`.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from actions import notifications
from actions.business_days import add_business_days, shift_business_days
from actions.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    ExtensionStatus,
    Health,
)
from actions.models import (
    ActionNumberSequence,
    DueDateChange,
    ExecutiveAction,
    ExtensionRequest,
)
from actions.models.action import late_suspense_problem
from actions.policy import (
    TRANSITIONS,
    Transition,
    allowed_transitions,
    manages_by_role,
    may_move,
    may_shift_suspense,
    resume_mismatch,
    user_transitions,
)
from execcoord.formats import format_date
from execcoord.history import bulk_create_with_history, bulk_update_with_history
from execcoord.submissions import clash_message
from partners.access import get_user_scope

S = ActionStatus


class TransitionError(Exception):
    """A status change was refused; ``str(error)`` is the message to show, ``problems`` the
    individual reasons."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def may_make(user, action, row):
    """Whether ``user`` may make the move ``row`` on ``action`` (``actions.policy``)."""
    return bool(may_move(user, action, row))


def role_problem(action, row, user):
    """The message refusing ``row`` to ``user`` on role grounds, or ``None``."""
    verdict = may_move(user, action, row)
    return None if verdict else verdict.reason


def _issue_problems(action):
    """What stops a draft from being issued: the lead unit, the due date and the type's
    rules. A secretariat tasks an office, not a person: the accountable person may be named
    later by the lead unit's manager (issue 17; My work shows such a tasker to them as
    "needs an action officer")."""
    problems = []
    missing = [
        label
        for attname, label in (
            ("lead_unit_id", "lead unit"),
            ("due_date", "due date"),
        )
        if not getattr(action, attname)
    ]
    if missing:
        problems.append(f"Set the {_join(missing)} before issuing.")
    return problems + [f"{problem[:-1]} before issuing." for problem in _type_link_problems(action)]


def _type_link_problems(action):
    """The links the action's type requires that are missing, one message each."""
    problems = []
    action_type = action.action_type
    for flag, source, m2m, what in (
        (
            "requires_legal_authority",
            "source_legal_authority_id",
            "legal_authorities",
            "a legal authority",
        ),
        ("requires_impact_assessment", "source_impact_id", "impacts", "an impact assessment"),
        ("requires_risk_assessment", "source_risk_item_id", "risk_items", "a risk assessment"),
    ):
        if not getattr(action_type, flag) or getattr(action, source):
            continue
        if action.pk and getattr(action, m2m).exists():
            continue
        problems.append(f"Actions of type “{action_type.name}” need {what}: link one.")
    return problems


def _join(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def check_transition(action, target, user=None, *, close_children=False, strict=True):
    """Every reason the move of ``action`` to ``target`` by ``user`` is refused.

    Args:
        action: the action as it stands (its ``status`` is the source).
        target: an ``ActionStatus`` value.
        user: who asks; "Reopen" is for managers and administrators.
        close_children: completing a parent closes its open sub-taskers instead of refusing.
        strict: also apply the role rules (``actions.policy.may_move``) and, on approval,
            the close-out checklist (``closeout_problems``), for the action and for every
            open sub-tasker completed with it. Every path that acts for a user keeps it on;
            only data set-up without a user (demo data, tests) turns it off.

    Returns:
        A list of messages, empty when the move is allowed.
    """
    row = TRANSITIONS.get((action.status, target))
    if row is None:
        return [f"An action that is “{S(action.status).label}” cannot move to “{S(target).label}”."]
    problems = []
    if strict:
        refused = role_problem(action, row, user)
        if refused:
            return [refused]
    if resume_mismatch(action, row):
        held = S(action.held_from_status).label
        problems.append(f"This action was put on hold while “{held}” and resumes to it.")
    if row.managers_only and not manages_by_role(user):
        problems.append(f"Only a manager or an administrator can {row.label.lower()} an action.")
    if row.name == "issue":
        problems += _issue_problems(action)
    if target == S.COMPLETED and not close_children and action.pk:
        open_children = action.children.filter(status__in=OPEN_STATUSES).count()
        if open_children:
            problems.append(
                f"{open_children} sub-tasker(s) are still open: close them first, or "
                "complete the action together with its sub-taskers."
            )
    if strict and row.name == "approve" and action.pk:
        problems += closeout_problems(action, close_children=close_children, user=user)
        if close_children:
            problems += _cascade_problems(action, user)
    return problems


def _cascade_problems(action, user):
    """Why the open sub-taskers of ``action`` cannot be completed with it: each must be
    ready for approval on its own (submitted, its close-out checklist met, ``user`` allowed
    to approve it). Sub-taskers ``user`` may not see are counted, not named."""
    problems, hidden = [], 0
    children = _open_descendants(action)
    shown = set(
        ExecutiveAction.objects.visible_to(user)
        .filter(pk__in=[c.pk for c in children])
        .values_list("pk", flat=True)
    )
    for child in children:
        if child.pk not in shown:
            hidden += 1
            continue
        if child.status != S.SUBMITTED:
            problems.append(
                f"{child.number} is “{S(child.status).label}”: a sub-tasker is completed with "
                "its parent only once its own response is submitted."
            )
            continue
        for problem in check_transition(child, S.COMPLETED, user, close_children=True):
            problems.append(f"{child.number}: {problem}")
    if hidden:
        problems.append(f"{hidden} open sub-tasker(s) you cannot see must be closed first.")
    return problems


def _open_descendants(action):
    """The open sub-taskers directly below ``action`` (each checks its own below it)."""
    return list(ExecutiveAction.objects.filter(parent_id=action.pk, status__in=OPEN_STATUSES))


def closeout_checklist(action, *, close_children=False, user=None, route_steps=None, page=None):
    """The close-out checklist of an action: ``[(label, done, what is missing)]``.

    A response is attached; every coordinating supporting unit has answered, and every
    non-concurrence has a recorded disposition; every sub-tasker is closed (or will be closed
    with the action); the links the type requires are present. Four queries (five when
    open sub-taskers are named to ``user``).

    A tasker with a coordination route (issue 16) also needs it complete: every step
    done and every non-concurrence on it disposed of (one more query, none when the page
    gives its loaded ``route_steps``).

    Args:
        user: who reads the checklist: the open sub-taskers they may not see are counted,
            not named. ``None`` names them all (no one reads it).
        route_steps: the tasker's loaded route steps, if the caller has them.
        page: the rows the tasker's page loaded (``actions.panels.page_querysets``): the
            checklist then reads only the links its type requires.
    """
    facts = _page_facts(action, page) if page is not None else _stored_facts(action, user)
    has_response, assignments, open_children = facts
    if page is not None:
        route_steps = page["route_steps"]
    items = [("A response is attached", has_response, "Attach the response (kind “Response”).")]
    waiting = [
        str(a.organization_unit)
        for a in assignments
        if a.status
        in (AssignmentStatus.PENDING, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.IN_PROGRESS)
    ]
    items.append(
        (
            "Every supporting unit has answered",
            not waiting,
            f"Waiting for: {_join(waiting)}." if waiting else "",
        )
    )
    undisposed = [
        str(a.organization_unit)
        for a in assignments
        if a.status == AssignmentStatus.NON_CONCUR and not a.disposition.strip()
    ]
    items.append(
        (
            "Every non-concurrence has a disposition",
            not undisposed,
            f"Record how the non-concurrence of {_join(undisposed)} was resolved."
            if undisposed
            else "",
        )
    )
    items.append(
        (
            "Every sub-tasker is closed",
            not open_children or close_children,
            f"Still open: {_join(open_children)}." if open_children and not close_children else "",
        )
    )
    missing = _type_link_problems(action)
    items.append(("The links the type requires are present", not missing, " ".join(missing)))
    items += _route_item(action, route_steps)
    return items


def _stored_facts(action, user):
    """``(response attached, coordinating assignments, open sub-taskers named for user)``
    read from the database."""
    has_response = action.attachments.filter(kind=AttachmentKind.RESPONSE).exists()
    assignments = list(
        action.assignments.filter(role=AssignmentRole.COORDINATING).select_related(
            "organization_unit"
        )
    )
    open_children = _named_for(
        user, action.children.filter(status__in=OPEN_STATUSES), "sub-tasker", "sub-taskers"
    )
    return has_response, assignments, open_children


def _page_facts(action, page):
    """The same facts from the rows the tasker's page loaded: every attachment and
    assignment, the open sub-taskers (hidden ones too) and the visible tree."""
    has_response = any(a.kind == AttachmentKind.RESPONSE for a in page["timeline:attachments"])
    assignments = [a for a in page["assignments"] if a.role == AssignmentRole.COORDINATING]
    shown = {node.pk for node in page["tree"]}
    children = page["open_children"]  # in the list's order, as ``_named_for`` names them
    names = [child.number for child in children if child.pk in shown]
    hidden = len(children) - len(names)
    if hidden:
        names.append(f"{hidden} {'sub-tasker' if hidden == 1 else 'sub-taskers'} you cannot see")
    return has_response, assignments, names


def _route_item(action, steps):
    """The route's line of the checklist, when the tasker has a route."""
    if steps is None:
        steps = list(action.route_steps.all()) if action.pk else []
    steps = list(steps)
    if not steps:
        return []
    open_steps = sorted({s.position for s in steps if s.state != "done"})
    undisposed = [s for s in steps if s.needs_disposition]
    missing = ""
    if open_steps:
        missing = f"The response is still at step {open_steps[0]} of the route."
    elif undisposed:
        missing = "A non-concurrence on the route needs the lead office's disposition."
    return [("The coordination route is complete", not missing, missing)]


def closeout_problems(action, *, close_children=False, user=None):
    """What stops ``action`` from being approved, one message a missing item (hidden
    sub-taskers counted, not named, for ``user``)."""
    checklist = closeout_checklist(action, close_children=close_children, user=user)
    return [f"{label}: no. {missing}".strip() for label, done, missing in checklist if not done]


def _named_for(user, actions, singular, plural):
    """The numbers of ``actions`` ``user`` may see, then how many others there are."""
    rows = list(actions.values_list("pk", "number"))
    if user is None or not rows:
        return [number for _, number in rows]
    shown = set(
        ExecutiveAction.objects.visible_to(user)
        .filter(pk__in=[pk for pk, _ in rows])
        .values_list("pk", flat=True)
    )
    names = [number for pk, number in rows if pk in shown]
    hidden = len(rows) - len(names)
    if hidden:
        names.append(f"{hidden} {singular if hidden == 1 else plural} you cannot see")
    return names


def _record_as(instance, user, reason):
    """Attach the author and reason simple_history writes on the next save."""
    if user is not None:
        instance._history_user = user
    instance._change_reason = reason


def _copy_state(source, target):
    """Copy the column values of ``source`` onto ``target`` (same row, no query)."""
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def transition(action, target, user, *, comment="", close_children=False, strict=True):
    """Move ``action`` to status ``target``, or raise :class:`TransitionError`.

    Locks the row, re-checks the rules on the stored state (another user may have moved it),
    sets the dates the move implies (issue date and original due date on issue, completed
    date on completion, cleared on reopen), records history with ``user`` and ``comment``,
    and rolls progress up to the ancestors. ``action`` is updated in place and returned.
    """
    with transaction.atomic():
        locked = ExecutiveAction.objects.select_for_update().get(pk=action.pk)
        problems = check_transition(
            locked, target, user, close_children=close_children, strict=strict
        )
        if problems:
            raise TransitionError(problems)
        row = TRANSITIONS[(locked.status, target)]
        today = timezone.localdate()
        if target == S.ON_HOLD:
            locked.held_from_status = locked.status
        elif locked.status == S.ON_HOLD:
            locked.held_from_status = ""
        if row.name == "issue":
            locked.issue_date = locked.issue_date or today
            locked.original_due_date = locked.original_due_date or locked.due_date
        if target == S.COMPLETED:
            if close_children:
                _complete_open_descendants(locked, user, today)
            locked.completed_date = today
            locked.percent_complete = 100
        elif row.name == "reopen":
            locked.completed_date = None
        was_draft = locked.status == S.DRAFT
        locked.status = target
        _record_as(locked, user, comment or row.label)
        locked.save()
        if locked.parent_id:
            rollup_ancestors(locked)
        if not was_draft or row.name == "issue":
            _notify_transition(locked, row, user)
    _copy_state(locked, action)
    return action


def _notify_transition(action, row, user):
    """The notifications of a status move (``actions.notifications.EVENTS``): an issued
    tasker's lead office, accountable person and supporting units hear of it now."""
    kinds = {
        "issue": [notifications.K.ISSUED],
        "return": [notifications.K.RETURNED],
        "approve": [notifications.K.APPROVED, notifications.K.COMPLETED],
        "cancel": [notifications.K.CANCELLED],
    }.get(row.name, [])
    for kind in kinds:
        notifications.notify(kind, action, actor=user)
    if row.name == "issue":
        supporting = list(action.assignments.values_list("pk", flat=True))
        if supporting:
            notifications.notify(
                notifications.K.SUPPORTING_ADDED, action, actor=user, assignment_ids=supporting
            )


# The reason recorded on sub-taskers completed with the tasker above them. It does not name
# that tasker: someone who sees a sub-tasker may not see the tasker above it.
COMPLETED_WITH_PARENT = "Completed with the tasker above it"


def _complete_open_descendants(action, user, today):
    """Complete every open sub-tasker below ``action`` (one query a level of the tree)."""
    reason = COMPLETED_WITH_PARENT
    frontier = [action.pk]
    seen = set(frontier)
    while frontier:
        children = list(ExecutiveAction.objects.select_for_update().filter(parent_id__in=frontier))
        for child in children:
            if child.status in FINAL_STATUSES:
                continue
            child.status = S.COMPLETED
            child.held_from_status = ""
            child.completed_date = today
            child.percent_complete = 100
            _record_as(child, user, reason)
            child.save()
        frontier = [child.pk for child in children if child.pk not in seen]
        seen.update(frontier)


def assign_number(action, *, year=None):
    """The next number of the action's type prefix and the year
    (:meth:`ActionNumberSequence.take <actions.models.ActionNumberSequence.take>`)."""
    return ActionNumberSequence.take(action.action_type.number_prefix, year=year)[0]


def reserve_numbers(prefix, count, *, year=None):
    """``count`` consecutive numbers of ``prefix`` and the year, for bulk creation."""
    return ActionNumberSequence.take(prefix, count, year=year)


_M2M_FIELDS = frozenset(f.name for f in ExecutiveAction._meta.many_to_many)


def create_action(*, user=None, **fields):
    """Create an action from ``fields`` with its type's defaults, validated, numbered.

    Category and priority default to the type's; the due date defaults to today plus the
    type's ``default_days_to_due`` business days (``default_due_date``). Many-to-many values
    (``tags``, ``legal_authorities`` …) may be passed as iterables.

    Raises:
        ValidationError: the fields are not valid (nothing is saved).
    """
    m2m = {name: fields.pop(name) for name in list(fields) if name in _M2M_FIELDS}
    action = ExecutiveAction(**fields)
    action_type = action.action_type
    if not action.category:
        action.category = action_type.category
    if "priority" not in fields:
        action.priority = action_type.default_priority
    if "due_date" not in fields:
        action.due_date = default_due_date(action_type, parent=action.parent)
    action.full_clean()
    with transaction.atomic():
        _record_as(action, user, "Created")
        action.save()
        for name, values in m2m.items():
            getattr(action, name).set(values)
    return action


def default_due_date(action_type, *, parent=None, today=None):
    """The suggested suspense of a new action: the type's ``default_days_to_due`` business
    days from today (weekends and US federal holidays skipped), never after a parent's due
    date; ``None`` when the type suggests none.
    """
    if action_type is None or action_type.default_days_to_due is None:
        return parent.due_date if parent is not None else None
    due = add_business_days(today or timezone.localdate(), action_type.default_days_to_due)
    if parent is not None and parent.due_date and due > parent.due_date:
        due = parent.due_date
    return due


class RollUp(NamedTuple):
    total: int
    completed: int
    percent_complete: int


def rollup(action):
    """Recompute a parent's percent complete from its sub-taskers and return the counts.

    One aggregate query: the number of children not cancelled, how many are completed, and the mean
    percent complete of those not cancelled (a cancelled sub-tasker does not hold the parent
    back). The parent is saved, with history, only when its percent changes.
    """
    figures = action.children.aggregate(
        total=Count("pk", filter=~Q(status=S.CANCELLED)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
        mean=Avg("percent_complete", filter=~Q(status=S.CANCELLED)),
    )
    if figures["mean"] is not None:
        percent = round(figures["mean"])
        if percent != action.percent_complete:
            action.percent_complete = percent
            _record_as(action, None, "Progress rolled up from sub-taskers")
            action.save(update_fields=["percent_complete", "updated_at"])
    return RollUp(figures["total"], figures["completed"], action.percent_complete)


def rollup_ancestors(action):
    """Roll progress up from ``action`` to its parent, grandparent … (one parent a level)."""
    seen = {action.pk}
    parent_id = action.parent_id
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        parent = ExecutiveAction.objects.select_for_update().filter(pk=parent_id).first()
        if parent is None:
            return
        rollup(parent)
        parent_id = parent.parent_id


def change_due_date(action, new_date, user, reason, extension_request=None):
    """Move the action's due date and record who, when and why (a ``DueDateChange``).

    Every path that changes a due date calls this. ``original_due_date`` never changes.

    Returns:
        The ``DueDateChange``, or ``None`` when the date is already ``new_date``.

    Raises:
        ValidationError: no reason given, or the new date breaks the action's rules.
    """
    with transaction.atomic():
        locked = ExecutiveAction.objects.select_for_update().get(pk=action.pk)
        if locked.due_date == new_date:
            return None
        change = DueDateChange(
            action=locked,
            old_due_date=locked.due_date,
            new_due_date=new_date,
            changed_by=user,
            reason=reason,
            extension_request=extension_request,
        )
        change.full_clean()
        locked.due_date = new_date
        if not locked.late_suspense_reason and late_suspense_problem(
            locked, locked.parent, new_date, ""
        ):
            # past its parent's suspense: the change's own reason is the one kept (issue 16)
            locked.late_suspense_reason = reason
        locked.full_clean()
        locked._due_date_change_recorded = True
        _record_as(locked, user, reason)
        locked.save()
        _record_as(change, user, reason)
        change.save()
        notifications.notify(
            notifications.K.SUSPENSE_CHANGED,
            locked,
            actor=user,
            old_due_date=format_date(change.old_due_date) or "none",
            new_due_date=format_date(change.new_due_date) or "none",
        )
    _copy_state(locked, action)
    return change


def open_subtaskers(action, user):
    """The open sub-taskers of ``action`` at every depth that ``user`` sees, in tree order
    of their suspense: those a move of its suspense offers to shift."""
    return list(
        ExecutiveAction.objects.visible_to(user)
        .descendants_of(action)
        .filter(status__in=OPEN_STATUSES)
        .select_related("lead_unit")
        .order_by("due_date", "number", "pk")
    )


def may_shift(user, child):
    """May ``user`` move ``child``'s suspense with its parent's (``actions.policy``)?"""
    return may_shift_suspense(user, child)


def shift_subtaskers(action, days, user, chosen):
    """Move the suspense of the open sub-taskers ``chosen`` of ``action`` by ``days``
    business days (later when positive), as its own suspense moved, with history and a
    ``DueDateChange`` each, in one bulk write (``execcoord.history``).

    Args:
        chosen: ``{sub-tasker id: version the page showed}``; a sub-tasker saved since
            refuses the whole shift (``StaleRows``), one no longer open or below ``action``
            a ``ValidationError``.

    Returns:
        The moved sub-taskers.
    """
    reason = (
        f"Suspense moved {abs(days)} business day{'s' if abs(days) != 1 else ''} "
        f"{'later' if days > 0 else 'earlier'} with the tasker above it"
    )
    with transaction.atomic():
        children = list(
            ExecutiveAction.objects.descendants_of(action)
            .filter(pk__in=list(chosen), status__in=OPEN_STATUSES)
            .exclude(due_date=None)
        )
        if len(children) != len(chosen):
            raise ValidationError(
                "A sub-tasker chosen is no longer open (or has no suspense): reload the page."
            )
        changes, now = [], timezone.now()
        for child in children:
            verdict = may_shift(user, child)
            if not verdict:
                raise ValidationError(verdict.reason)
            child.version = chosen[child.pk]  # the version seen: the bulk write checks it
            old = child.due_date
            child.due_date = shift_business_days(old, days)
            child.updated_at = now
            changes.append(
                DueDateChange(
                    action=child,
                    old_due_date=old,
                    new_due_date=child.due_date,
                    changed_by=user,
                    reason=reason,
                )
            )
        if days and children:
            bulk_update_with_history(children, ["due_date", "updated_at"], user=user, reason=reason)
            bulk_create_with_history(changes, user=user, reason=reason)
    return children if days else []


def decide_extension(request, user, *, approve, comment=""):
    """Approve or deny a pending extension request; approval moves the due date.

    Raises:
        ValidationError: the request is no longer pending.
    """
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionStatus.PENDING:
            raise ValidationError("This extension request has already been decided.")
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_comment = comment
        _record_as(request, user, request.get_status_display())
        request.save()
        kind = "extension_approved" if approve else "extension_denied"
        notifications.notify(kind, request.action, actor=user, extension_id=request.pk)
        if approve:
            reason = f"Extension approved. {comment}".strip()
            change_due_date(
                request.action, request.requested_due_date, user, reason, extension_request=request
            )
    return request


def request_extension(action, user, *, requested_due_date, justification):
    """Ask for a later due date on ``action``: a pending ``ExtensionRequest`` from its
    current due date, recorded with ``user``.

    The action is locked while the request is checked and saved, so of two requests sent at
    the same moment the second finds the first.

    Raises:
        ValidationError: the action has no due date, a request is already pending (naming
            who asked and when), or the request breaks the model's rules.
    """
    with transaction.atomic():
        locked = ExecutiveAction.objects.select_for_update().get(pk=action.pk)
        if locked.due_date is None:
            raise ValidationError("This action has no due date to extend.")
        extension = ExtensionRequest(
            action=locked,
            requested_by=user,
            current_due_date=locked.due_date,
            requested_due_date=requested_due_date,
            justification=justification,
        )
        pending = clash_message(extension)
        if pending:
            raise ValidationError(pending)
        extension.full_clean()
        _record_as(extension, user, "Extension requested")
        extension.save()
        notifications.notify("extension_requested", locked, actor=user, extension_id=extension.pk)
    return extension


# The texts of a status update whose @names are told (actions.notifications).
MENTION_FIELDS = (
    "key_accomplishments",
    "challenges_and_risks",
    "decisions_needed",
    "resource_concerns",
    "next_steps",
    "notes",
)


def post_status_update(update, user=None):
    """Save a status update and carry its health and percent complete onto the action.

    An update left "Not assessed" keeps the action's health (it says nothing about it). An
    update without an author is the poster's. Percent complete is taken only on an action
    without sub-taskers (a parent's is rolled up: ``update.percent_not_applied`` is then set
    so the page can say so); the change then rolls up to the ancestors.
    """
    if update.reported_by_id is None and user is not None:
        update.reported_by_id = get_user_scope(user).person_id
    update.percent_not_applied = False
    with transaction.atomic():
        update.full_clean()
        _record_as(update, user, "Status update posted")
        update.save()
        action = ExecutiveAction.objects.select_for_update().get(pk=update.action_id)
        if update.health != Health.NOT_ASSESSED:
            action.health = update.health
        if update.percent_complete is not None:
            if action.children.exists():
                update.percent_not_applied = True
            else:
                action.percent_complete = update.percent_complete
        _record_as(action, user, str(update))
        action.save()
        if action.parent_id:
            rollup_ancestors(action)
        notifications.notify_mentions(
            action, user, *(getattr(update, name) for name in MENTION_FIELDS)
        )
    _copy_state(action, update.action)
    return update


__all__ = [
    "late_suspense_problem",
    "TRANSITIONS",
    "RollUp",
    "Transition",
    "TransitionError",
    "allowed_transitions",
    "assign_number",
    "reserve_numbers",
    "change_due_date",
    "check_transition",
    "closeout_checklist",
    "closeout_problems",
    "create_action",
    "default_due_date",
    "decide_extension",
    "open_subtaskers",
    "shift_subtaskers",
    "post_status_update",
    "request_extension",
    "rollup",
    "may_make",
    "role_problem",
    "rollup_ancestors",
    "transition",
    "user_transitions",
]
