"""The rules of a tasker: who may change what on it and its satellites (the actions app's
part of the one write policy, ``execcoord.policy``), the status machine (:data:`TRANSITIONS`
and who may make each move), and the units and people a tasker involves (:func:`supporting`,
:func:`involved_unit_ids`, :func:`relation`).

A user's rights on a tasker come from their role and their relation to it
(:class:`Relation`), computed in one place from the tasker's units and people:

- **administrator**: everything;
- **manager**: the tasker's lead or issuing unit lies in a subtree they manage;
- **issuer**: they issued it, or work in its issuing unit (the executive secretariat);
- **lead**: they work in its lead unit, or are its accountable person or executive sponsor;
- **supporting**: they work in (or manage) a supporting unit, or are that assignment's person.

What each relation allows (the README's permission matrix; the matrix test holds the code
to it):

==========================  =============================================================
verb                        who
==========================  =============================================================
change the tasker           administrator, manager, issuer, lead (role: Staff or above)
add updates, decisions,     the same ("editors")
attachments, dependencies,
extension requests
assign (lead unit, person,  administrator, manager, issuer
supporting units)
issue, cancel               administrator, manager, issuer
start, hold, resume, submit editors
approve, return, reopen     administrator, manager
decide an extension         administrator, manager
respond for a supporting    that unit's members and managers, its named person; the issuer
unit                        records an answer received on paper ("entered by X for Y")
act on a route step         the current step's office (staff, managers, its person); the
                            issuer enters an answer received outside the app
manage a route,             editors (lead office, issuer, managers, administrators)
dispose of a non-concur
delete a satellite          administrator, manager (role: Manager or above)
delete a tasker             administrator
==========================  =============================================================

Workflow facts change only through their workflow action, never through a generic form:
number, status, issuer, issuing unit, issue date, completed date, original due date, held-from
status, lead unit and accountable person (the Assign page), percent complete where
sub-taskers roll it up, a due date (lead staff ask for an extension), and a satellite's
tasker once it exists.
"""

from dataclasses import dataclass

from execcoord import policy
from execcoord.policy import ALLOW, ModelPolicy, Verdict, deny
from partners.access import get_user_scope

from .choices import ActionStatus, AttachmentKind, ExtensionStatus
from .models import (
    Assignment,
    Attachment,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExecutiveAction,
    ExtensionRequest,
    RouteStep,
    RouteStepEvent,
    StatusUpdate,
)

# -- the user's relation to a tasker ------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """What ``user`` is to one tasker (see the module docstring)."""

    admin: bool = False
    writer: bool = False  # the role may change taskers at all
    manager: bool = False
    issuer: bool = False
    lead: bool = False
    answers_for: frozenset = frozenset()  # supporting assignment ids the user answers for

    @property
    def editor(self):
        return self.admin or (self.writer and (self.manager or self.issuer or self.lead))

    @property
    def assigner(self):
        return self.admin or (self.writer and (self.manager or self.issuer))

    @property
    def supervisor(self):
        """Approves, returns, reopens, decides extensions."""
        return self.admin or (self.writer and self.manager)


NOBODY = Relation()


def supporting(action):
    """``[(assignment id, unit id, person id)]`` of the tasker's supporting units: one query,
    kept on the instance (:func:`prime` fills it for many taskers at once)."""
    cached = action.__dict__.get("_supporting")
    if cached is None:
        cached = []
        if action.pk:
            cached = list(
                Assignment.objects.filter(action_id=action.pk).values_list(
                    "pk", "organization_unit_id", "person_id"
                )
            )
        action._supporting = cached
    return cached


def prime(actions, assignments=None):
    """Fill :func:`supporting` for every tasker of ``actions`` from ``assignments`` (loaded
    ``Assignment`` rows), or from one query over them all. A new tasker (no id yet) has
    none."""
    for action in actions:
        action._supporting = []
    by_pk = {a.pk: a for a in actions if a.pk}
    if assignments is None:
        pks = list(by_pk)
        assignments = []
        for start in range(0, len(pks), 2000):
            assignments += Assignment.objects.filter(action_id__in=pks[start : start + 2000]).only(
                "pk", "action_id", "organization_unit_id", "person_id"
            )
    for row in assignments:
        if row.action_id in by_pk:
            by_pk[row.action_id]._supporting.append(
                (row.pk, row.organization_unit_id, row.person_id)
            )


def involved_unit_ids(action):
    """The units a tasker involves: lead, issuing and supporting units."""
    units = {action.lead_unit_id, action.issuing_unit_id}
    units.update(unit for _, unit, _ in supporting(action))
    return units - {None}


def relation(user, action):
    """The :class:`Relation` of ``user`` to ``action`` (cached on the instance per user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cache = action.__dict__.setdefault("_relations", {})
    key = (user.pk, action.lead_unit_id, action.issuing_unit_id, action.accountable_person_id)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _relation(user, action)
    return found


def _relation(user, action):
    scope = get_user_scope(user)
    if scope.is_admin:
        return Relation(admin=True, writer=True)
    person = scope.person_id
    units = supporting(action)
    managed = scope.managed_among(
        {action.lead_unit_id, action.issuing_unit_id, *(unit for _, unit, _ in units)}
    )
    mine = scope.unit_ids | managed
    return Relation(
        writer=policy.has_perm(user, "actions.change_executiveaction"),
        manager=bool({action.lead_unit_id, action.issuing_unit_id} & managed),
        issuer=bool(
            (person and person == action.issued_by_id)
            or (scope.unit_id and scope.unit_id == action.issuing_unit_id)
        ),
        lead=bool(
            (scope.unit_id and scope.unit_id == action.lead_unit_id)
            or (person and person in (action.accountable_person_id, action.executive_sponsor_id))
        ),
        answers_for=frozenset(
            pk for pk, unit, assignee in units if unit in mine or (person and assignee == person)
        ),
    )


# -- verbs on a tasker ----------------------------------------------------------------------


def may_edit(user, action):
    """Change the tasker's own fields and add its updates, decisions, files, requests."""
    if relation(user, action).editor:
        return ALLOW
    return deny(
        f"You may not change {action.number or 'this action'}: only its lead unit, its "
        "issuer and managers of its units may."
    )


def may_assign(user, action):
    """Set the lead unit and accountable person; add, change or remove supporting units."""
    if relation(user, action).assigner:
        return ALLOW
    return deny("Only the issuer of this action and managers of its units assign it.")


def may_supervise(user, action):
    """Approve or return a response, reopen, decide an extension, record a disposition."""
    if relation(user, action).supervisor:
        return ALLOW
    return deny("Only managers of this action's units (and administrators) may do this.")


def may_respond(user, assignment):
    """Answer for a supporting unit: its members, managers and named person; or the issuer
    (secretariat) recording an answer received outside the app."""
    rel = relation(user, assignment.action)
    if not (rel.admin or policy.has_perm(user, "actions.change_assignment")):
        return deny("Your role does not allow you to answer for a unit.")
    if rel.admin or assignment.pk in rel.answers_for or rel.issuer:
        return ALLOW
    return deny("Only the supporting unit itself (or the issuer, on its behalf) may answer.")


def may_intake(user, draft=None):
    """Take in a received e-mail as a draft tasker (``actions.intake``): the write policy's
    ``intake`` privilege (granted to the secretariat, managers and administrators) and the
    ``add`` of the draft (``draft``: the unsaved tasker, or ``None`` to show the page)."""
    if not policy.has_privilege(user, "intake"):
        return deny("Only the executive secretariat, managers and administrators take in e-mail.")
    return policy.may(user, "add", ExecutiveAction, draft)


def answers_on_behalf(user, assignment):
    """Whether an answer by ``user`` is entered for the unit rather than by it."""
    return assignment.pk not in relation(user, assignment.action).answers_for


# -- the coordination route (issue 16; the moves are in actions/routing.py) ------------------


def _in_office(user, step):
    """``user`` works in (or manages) the step's office, or is the step's person."""
    scope = get_user_scope(user)
    office = step.organization_unit_id
    if office and (office in scope.unit_ids or scope.managed_among([office])):
        return True
    return bool(step.person_id and scope.person_id == step.person_id)


def may_act_on_step(user, step):
    """Answer a route step (review, concur, sign, approve) or return it: its office's staff
    and managers, its named person; the issuer (secretariat) entering an answer received
    outside the app. Whether the step is current is the route's rule (``routing``)."""
    if user is None or not user.is_authenticated:
        return deny("Sign in to act on a route step.")
    rel = relation(user, step.action)
    if rel.admin:
        return ALLOW
    if not policy.has_perm(user, "actions.change_routestep"):
        return deny("Your role does not allow you to act on a route step.")
    if _in_office(user, step) or (rel.writer and rel.issuer):
        return ALLOW
    return deny(
        "Only the office of the current step (or the secretariat, on its behalf) may act on it."
    )


def route_on_behalf(user, step):
    """Whether an answer by ``user`` is entered for the step's office rather than by it."""
    return not _in_office(user, step)


def may_manage_route(user, action):
    """Build or change the route and record a non-concurrence's disposition: the lead
    office, the issuer (secretariat), managers of the tasker's units, administrators."""
    if relation(user, action).editor and (
        relation(user, action).admin or policy.has_perm(user, "actions.change_routestep")
    ):
        return ALLOW
    return deny(
        "Only the lead office, the secretariat and managers of this tasker manage its route."
    )


# -- the status machine: the moves that exist, and who may make them ------------------------

S = ActionStatus


@dataclass(frozen=True)
class Transition:
    """One allowed move of the status machine.

    Attributes:
        source, target: ``ActionStatus`` values.
        name: a stable key (``issue``, ``start``, ``hold``, ``resume``, ``submit``,
            ``approve``, ``return``, ``cancel``, ``reopen``).
        label: the verb on the button ("Issue", "Put on hold" …).
        managers_only: only managers and administrators may make this move.
    """

    source: str
    target: str
    name: str
    label: str
    managers_only: bool = False


def _table(*rows):
    return {(row.source, row.target): row for row in rows}


# DATA_MODEL.md "Allowed transitions". On hold resumes only to the status it was held from
# (``ExecutiveAction.held_from_status``); both candidate rows are listed here.
TRANSITIONS = _table(
    Transition(S.DRAFT, S.NOT_STARTED, "issue", "Issue"),
    Transition(S.DRAFT, S.CANCELLED, "cancel", "Cancel"),
    Transition(S.NOT_STARTED, S.IN_PROGRESS, "start", "Start"),
    Transition(S.NOT_STARTED, S.ON_HOLD, "hold", "Put on hold"),
    Transition(S.NOT_STARTED, S.CANCELLED, "cancel", "Cancel"),
    Transition(S.IN_PROGRESS, S.SUBMITTED, "submit", "Submit for review"),
    Transition(S.IN_PROGRESS, S.ON_HOLD, "hold", "Put on hold"),
    Transition(S.IN_PROGRESS, S.CANCELLED, "cancel", "Cancel"),
    Transition(S.SUBMITTED, S.COMPLETED, "approve", "Approve"),
    Transition(S.SUBMITTED, S.RETURNED, "return", "Return"),
    Transition(S.RETURNED, S.IN_PROGRESS, "start", "Start"),
    Transition(S.RETURNED, S.SUBMITTED, "submit", "Submit for review"),
    Transition(S.ON_HOLD, S.NOT_STARTED, "resume", "Resume"),
    Transition(S.ON_HOLD, S.IN_PROGRESS, "resume", "Resume"),
    Transition(S.ON_HOLD, S.CANCELLED, "cancel", "Cancel"),
    Transition(S.COMPLETED, S.IN_PROGRESS, "reopen", "Reopen", managers_only=True),
)


def manages_by_role(user):
    """A Manager or administrator by role (the "manager only" moves of the table)."""
    if user is None or not user.is_authenticated:
        return False
    scope = get_user_scope(user)
    return scope.is_admin or scope.is_manager


def resume_mismatch(action, row):
    """True for a Resume row that does not lead back to the held-from status."""
    return (
        row.name == "resume"
        and bool(action.held_from_status)
        and row.target != action.held_from_status
    )


def allowed_transitions(action, user=None):
    """The moves the table offers from the action's current status to ``user``.

    Preconditions on the action's data (lead unit, legal authority …) are not applied here,
    so a page can offer "Issue" and answer with what is missing; ``check_transition`` does.
    Without a user, manager-only moves are not offered.
    """
    return [
        row
        for (source, _), row in TRANSITIONS.items()
        if source == action.status
        and not resume_mismatch(action, row)
        and not (row.managers_only and not manages_by_role(user))
    ]


# Who may make each move of the status machine.
MOVE_RULES = {
    "issue": may_assign,
    "cancel": may_assign,
    "start": may_edit,
    "hold": may_edit,
    "resume": may_edit,
    "submit": may_edit,
    "approve": may_supervise,
    "return": may_supervise,
    "reopen": may_supervise,
}
MOVE_WHO = {
    may_assign: "its issuer, the issuing unit and managers of its units",
    may_edit: "the people and units working on it and their managers",
    may_supervise: "managers of its units",
}


def may_move(user, action, row):
    """May ``user`` make the status move ``row`` (:data:`TRANSITIONS`) on ``action``?"""
    rule = MOVE_RULES[row.name]
    if user is not None and rule(user, action):
        return ALLOW
    return deny(f"You cannot {row.label.lower()} this action: only {MOVE_WHO[rule]} can.")


def user_transitions(action, user):
    """The moves to offer ``user`` on the action's page: allowed from the current status
    (:func:`allowed_transitions`) and by the user's role (:func:`may_move`)."""
    return [row for row in allowed_transitions(action, user) if may_move(user, action, row)]


def may_add_subtasker(user, parent):
    """Create a sub-tasker under ``parent`` (the policy's ``add`` of a new child)."""
    return policy.may(user, "add", ExecutiveAction, ExecutiveAction(parent=parent))


def may_shift_suspense(user, child):
    """Move a sub-tasker's suspense with its parent's (issue 16): the right to change its
    due date, which is its assigners' (lead staff ask for an extension instead)."""
    if may_assign(user, child):
        return ALLOW
    return deny(
        f"You may not move the suspense of {child.number}: only its issuer and managers of "
        "its units may."
    )


def may_delete_action(user, action):
    if get_user_scope(user).is_admin:
        return ALLOW
    return deny("Only administrators delete actions; cancel it instead.")


# -- the policies of the models ------------------------------------------------------------

# Fields of a tasker no generic form sets: the system or a workflow action does.
ACTION_WORKFLOW_FIELDS = (
    "number",
    "version",
    "status",
    "issued_by",
    "issuing_unit",
    "issue_date",
    "completed_date",
    "original_due_date",
    "held_from_status",
    "message_id",
)


class ExecutiveActionPolicy(ModelPolicy):
    scoped = True
    system_fields = ACTION_WORKFLOW_FIELDS

    def object_verdict(self, user, verb, action):
        if verb == "delete":
            return may_delete_action(user, action)
        if verb == "add":
            if action.parent_id is None:
                return ALLOW
            parent = action.parent
            if not may_edit(user, parent):
                return deny(f"You may not add sub-taskers to {parent.number}.")
            return ALLOW
        verdict = may_edit(user, action)
        moved = action.parent_id != action.__dict__.get("_stored_parent_id", action.parent_id)
        if verdict and action.parent_id and moved:
            if not may_edit(user, action.parent):
                return deny(f"You may not put this action under {action.parent.number}.")
        return verdict

    def fixed_fields(self, user, action):
        fixed = set()
        if not action.pk:
            fixed.add("percent_complete")  # a new tasker starts at 0 %
        else:
            fixed |= {"lead_unit", "accountable_person"}  # the Assign page
            if not may_assign(user, action):
                fixed.add("due_date")  # lead staff ask for an extension
            if _has_children(action):
                fixed.add("percent_complete")  # rolled up from the sub-taskers
        return fixed


def _has_children(action):
    cached = action.__dict__.get("_has_children")
    if cached is None:
        cached = action._has_children = ExecutiveAction._base_manager.filter(
            parent_id=action.pk
        ).exists()
    return cached


class ActionPartPolicy(ModelPolicy):
    """A satellite of a tasker (a record with an ``action``): its rights are the tasker's.

    Adding and changing need :func:`may_edit` on the tasker (``parent_rule``), deleting
    needs a manager of the tasker's units (or an administrator); the tasker of an existing
    satellite never changes.
    """

    scoped = True
    parent_field = "action"
    parent_rule = staticmethod(may_edit)

    def parents(self, obj):
        value = getattr(obj, self.parent_field, None)
        return [value] if value is not None else []

    def object_verdict(self, user, verb, obj):
        parents = self.parents(obj)
        if not parents:
            return ALLOW  # the form reports the missing tasker
        for parent in parents:
            verdict = (
                may_supervise(user, parent) if verb == "delete" else self.parent_rule(user, parent)
            )
            if not verdict:
                return verdict
        return ALLOW

    def fixed_fields(self, user, obj):
        return {self.parent_field} if obj.pk else set()


class AssignmentPolicy(ActionPartPolicy):
    """Assigning is :func:`may_assign`; answering (status, response) is :func:`may_respond`.
    A user who may only answer sets only the answer."""

    system_fields = ("responded_at", "responded_by", "entered_on_behalf", "last_reminded_at")
    answer_fields = ("status", "response")

    def object_verdict(self, user, verb, obj):
        if verb == "change" and obj.pk and obj.action_id:
            if may_assign(user, obj.action) or may_respond(user, obj):
                return ALLOW
            return deny("Only the unit answering and those who assign the action may change this.")
        if verb == "add" and obj.action_id:
            return may_assign(user, obj.action)
        return super().object_verdict(user, verb, obj)

    def fixed_fields(self, user, obj):
        fixed = super().fixed_fields(user, obj)
        if obj.pk and not may_assign(user, obj.action):
            names = {f.name for f in Assignment._meta.fields}
            fixed |= names - set(self.answer_fields)
        return fixed


class ExtensionRequestPolicy(ActionPartPolicy):
    """Requests are made by editors; only a supervisor decides (the Decide buttons)."""

    system_fields = ("status", "decided_by", "decided_at", "decision_comment", "current_due_date")

    def object_verdict(self, user, verb, obj):
        if verb == "change" and obj.pk and obj.status != ExtensionStatus.PENDING:
            return deny("This extension request has been decided; it no longer changes.")
        return super().object_verdict(user, verb, obj)


class AttachmentPolicy(ActionPartPolicy):
    """The response document counts for the close-out: only editors attach it."""

    system_fields = ("content_type", "size", "uploaded_by")


class DueDateChangePolicy(ActionPartPolicy):
    """The due-date history is written by ``services.change_due_date`` only."""

    def may(self, user, verb, model, obj=None):
        return deny("The due-date history is written by the due-date workflow only.")


class RoutePolicy(ActionPartPolicy):
    """The route and its history change through the route's own pages only
    (``actions.routing``, asked through :func:`may_act_on_step` and
    :func:`may_manage_route`), never a generic form, the admin or an import."""

    def may(self, user, verb, model, obj=None):
        return deny("The route changes through the tasker's route panel only.")


class DependencyPolicy(ActionPartPolicy):
    """A dependency changes the plan of the successor, which names a visible predecessor."""

    parent_field = "successor"

    def parents(self, obj):
        return [obj.successor] if obj.successor_id else []


for _model, _policy in (
    (ExecutiveAction, ExecutiveActionPolicy()),
    (Assignment, AssignmentPolicy()),
    (StatusUpdate, ActionPartPolicy()),
    (DecisionLogEntry, ActionPartPolicy()),
    (Attachment, AttachmentPolicy()),
    (ExtensionRequest, ExtensionRequestPolicy()),
    (DueDateChange, DueDateChangePolicy()),
    (Dependency, DependencyPolicy()),
    (RouteStep, RoutePolicy()),
    (RouteStepEvent, RoutePolicy()),
):
    policy.register(_model, _policy)

__all__ = [
    "TRANSITIONS",
    "AttachmentKind",
    "Relation",
    "Transition",
    "allowed_transitions",
    "user_transitions",
    "Verdict",
    "answers_on_behalf",
    "involved_unit_ids",
    "may_add_subtasker",
    "may_act_on_step",
    "may_assign",
    "may_manage_route",
    "may_delete_action",
    "may_edit",
    "may_intake",
    "may_move",
    "may_respond",
    "may_shift_suspense",
    "may_supervise",
    "prime",
    "relation",
    "route_on_behalf",
    "supporting",
]
