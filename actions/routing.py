"""The coordination route of a tasker (issue 16): building it, moving the response through
it, and reading where it stands. The one home of the route's rules; the pages
(``actions/workflow_views.py``) and the demo call these functions, and ask the write policy
(``actions.policy.may_act_on_step``, ``may_manage_route``) first.

A route is the tasker's :class:`~actions.models.RouteStep` rows. Steps with the same
``position`` run in parallel; the lowest position with a step not done is the current one,
and its steps are ``current``. When every step of the current position is done — and every
non-concurrence among them has the lead office's disposition — the next position starts.
A return sends the response back to an earlier position: the steps from there on wait
again (their earlier answers stay in their events and history).

Every change writes a :class:`~actions.models.RouteStepEvent` (who, when, the text) and the
step's history; a step's days are counted from its events (``dwell_seconds``).

Every step that becomes current tells its person, else its office's managers
(``notifications.route_step_now_yours``, in the transaction of the move; the e-mail goes
from a worker after the commit).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from actions import notifications
from actions.choices import (
    ROUTE_OUTCOMES_BY_KIND,
    AssignmentRole,
    AttachmentKind,
    RouteEventKind,
    RouteOutcome,
    RouteStepKind,
    RouteStepState,
)
from actions.models import Assignment, Attachment, RouteStep, RouteStepEvent
from actions.policy import route_on_behalf
from execcoord.models import StaleEdit

W, C, D = RouteStepState.WAITING, RouteStepState.CURRENT, RouteStepState.DONE
NEEDS_TEXT = frozenset({RouteOutcome.NON_CONCUR, RouteOutcome.CONCUR_WITH_COMMENT})


class RouteError(ValueError):
    """A route change the rules refuse (the message says why, for the page)."""


@dataclass(frozen=True)
class StepSpec:
    """One step to create: its position, kind, and office and/or person (model instances
    or ids)."""

    position: int
    kind: str
    unit: object = None
    person: object = None


# -- reading ------------------------------------------------------------------------------


def steps_of(action):
    """The route of ``action`` in order (one query)."""
    return list(
        RouteStep.objects.filter(action=action)
        .select_related("organization_unit", "person", "acted_by", "signed_attachment")
        .order_by("position", "pk")
    )


def current_steps(steps):
    """The current steps among ``steps`` (a loaded route)."""
    return [step for step in steps if step.state == C]


def waiting_for_disposition(steps):
    """Non-concurrences the lead office has not disposed of yet (the route waits for them:
    they can only be at the position it stopped at)."""
    return [s for s in steps if s.needs_disposition]


def is_complete(steps):
    return bool(steps) and all(s.state == D for s in steps) and not waiting_for_disposition(steps)


def spec_of(item):
    """A :class:`StepSpec` from a spec or a dict (``position``, ``kind``, ``unit`` or
    ``organization_unit``, ``person``)."""
    if isinstance(item, StepSpec):
        return item
    return StepSpec(
        position=item["position"],
        kind=item["kind"],
        unit=item.get("unit", item.get("organization_unit")),
        person=item.get("person"),
    )


def _id(value):
    return getattr(value, "pk", value)


# -- building and editing the route ----------------------------------------------------------


def start_route(action, steps, user, *, now=None):
    """Create the route of ``action`` from ``steps`` (:class:`StepSpec` or dicts) and start
    its first position. The caller has asked ``policy.may_manage_route``.

    Returns:
        the created steps, in order.

    Raises:
        RouteError: the action already has a route, no steps, a step without office or
            person, or an unknown kind.
    """
    specs = sorted((spec_of(s) for s in steps), key=lambda s: s.position)
    if not specs:
        raise RouteError("A route needs at least one step.")
    now = now or timezone.now()
    with transaction.atomic():
        if RouteStep.objects.select_for_update().filter(action=action).exists():
            raise RouteError("This tasker already has a route; change its steps instead.")
        created = [_new_step(action, spec, user) for spec in specs]
        _start_position(action, created, specs[0].position, user, now)
    return created


def _new_step(action, spec, user):
    if spec.kind not in RouteStepKind.values:
        raise RouteError(f"There is no step kind “{spec.kind}”.")
    if not (spec.unit or spec.person):
        raise RouteError("Each step names an office or a person.")
    if spec.position is None or int(spec.position) < 1:
        raise RouteError("Step positions start at 1.")
    step = RouteStep(
        action=action,
        position=int(spec.position),
        kind=spec.kind,
        organization_unit_id=_id(spec.unit),
        person_id=_id(spec.person),
    )
    step.full_clean(exclude=["action"])
    step._history_user = user
    step._change_reason = "Route step added"
    step.save()
    return step


def add_step(action, spec, user, *, now=None):
    """Add one step to the route (not before the current position). A step at the current
    position starts at once; a first step starts the route."""
    spec = spec_of(spec)
    now = now or timezone.now()
    with transaction.atomic():
        steps = list(RouteStep.objects.select_for_update().filter(action=action))
        if not steps:
            return start_route(action, [spec], user, now=now)[0]
        open_positions = [s.position for s in steps if s.state != D]
        current = min(open_positions) if open_positions else None
        if current is not None and int(spec.position) < current:
            raise RouteError("A step cannot be added before the current one; return first.")
        step = _new_step(action, spec, user)
        if current is None or int(spec.position) == current:
            _start([step], user, now)  # joins the current position, or reopens a done route
    return step


def remove_step(step, user, *, version=None):
    """Remove a step that has not started (``waiting`` and never acted on)."""
    with transaction.atomic():
        locked = _lock(step, version)
        if locked.state != W or locked.events.exists():
            raise RouteError("Only a step that has not been reached yet can be removed.")
        locked._history_user = user
        locked.delete()


# -- moving the response ----------------------------------------------------------------------


def act_on_step(
    step,
    user,
    outcome,
    *,
    comment="",
    version=None,
    attachment=None,
    signer_name="",
    signer_role="",
    now=None,
):
    """Record the answer of a current step: reviewed, concur, concur with comment,
    non-concur (text required), signed or approved. A signature keeps the signer's name and
    role and the signed document (``attachment``, else the tasker's latest response) with
    its version and file. An answer by someone outside the step's office (the
    secretariat) is stored as entered on its behalf. The caller has asked
    ``policy.may_act_on_step``.

    Raises:
        StaleEdit: the step changed since ``version`` was read.
        RouteError: the step is not current, the answer does not fit its kind, a text is
            missing, or there is no document to sign.
    """
    now = now or timezone.now()
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock_current(step, version, "recorded")
        _check_answer(locked, outcome, comment)
        if outcome == RouteOutcome.SIGNED:
            _sign(locked, user, attachment, signer_name, signer_role)
        _answer(locked, user, outcome, comment, now)
        _advance(locked.action, user, now)
    _copy(locked, step)
    return step


def _check_answer(step, outcome, comment):
    """Refuse an answer that does not fit the step's kind, or lacks the text it needs."""
    if outcome not in ROUTE_OUTCOMES_BY_KIND[step.kind]:
        raise RouteError(f"A {step.get_kind_display().lower()} step cannot be “{outcome}”.")
    if outcome in NEEDS_TEXT and not comment:
        raise RouteError("Say why: a non-concurrence or a comment needs its text.")


def _answer(step, user, outcome, comment, now):
    """Close the locked current ``step`` with ``user``'s answer, mirrored on the office's
    assignment and kept as an event (entered on the office's behalf when it is not theirs)."""
    on_behalf = bool(route_on_behalf(user, step))
    _close(step, now)
    step.state = D
    step.completed_at = now
    step.outcome = outcome
    step.comment = comment
    step.acted_by = user
    step.entered_on_behalf = on_behalf
    verb = "Answer entered for the office" if on_behalf else "Answered"
    _save(step, user, f"{verb}: {step.get_outcome_display()}")
    _mirror_on_assignment(step, user, outcome=outcome, text=comment, on_behalf=on_behalf)
    facts = {"outcome": outcome, "text": comment, "on_behalf": on_behalf}
    _event(step, RouteEventKind.ANSWERED, user, now, **facts)


def _sign(step, user, attachment, signer_name, signer_role):
    if attachment is None:
        attachment = (
            Attachment.objects.filter(action_id=step.action_id, kind=AttachmentKind.RESPONSE)
            .order_by("-uploaded_at", "-pk")
            .first()
        )
    if attachment is None or attachment.action_id != step.action_id:
        raise RouteError("Attach the response document before it is signed.")
    person = getattr(user, "person", None)
    step.signer_name = (signer_name or "").strip() or (
        str(person) if person else (user.get_full_name() or user.get_username())
    )
    step.signer_role = (signer_role or "").strip() or (getattr(person, "job_title", "") or "")
    step.signed_attachment = attachment
    step.signed_attachment_version = attachment.version
    step.signed_file = attachment.file.name


def return_step(step, user, to_position, reason, *, version=None, now=None):
    """Send the response back from the current ``step`` to the earlier ``to_position``,
    with a reason: the steps from there on wait again and ``to_position`` starts anew.
    The caller has asked ``policy.may_act_on_step``.

    Raises:
        StaleEdit, RouteError (not current, no reason, not an earlier position).
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock_current(step, version, "returned")
        if not reason:
            raise RouteError("Say why the response goes back.")
        steps = list(
            RouteStep.objects.select_for_update()
            .filter(action_id=locked.action_id)
            .order_by("position", "pk")
        )
        positions = sorted({s.position for s in steps if s.position < locked.position})
        try:
            to_position = int(to_position)
        except (TypeError, ValueError):
            to_position = None
        if to_position not in positions:
            raise RouteError("Choose an earlier step to return the response to.")
        on_behalf = bool(route_on_behalf(user, locked))
        for other in steps:
            if other.position < to_position:
                continue
            if other.pk == locked.pk:
                other = locked
            kind = RouteEventKind.RETURNED if other.pk == locked.pk else RouteEventKind.RESET
            if other.state == W and other.pk != locked.pk:
                continue
            if other.state == C:
                _close(other, now)
            _event(other, kind, user, now, text=reason, on_behalf=on_behalf and kind == "returned")
            _reset(other)
            label = f"Returned to step {to_position}" if kind == "returned" else "Sent back"
            _save(other, user, label)
        _start([s for s in steps if s.position == to_position], user, now)
    _copy(locked, step)
    return step


def record_disposition(step, user, text, *, version=None, now=None):
    """The lead office's disposition of a non-concurrence; the route moves on once every
    non-concurrence of the position has one. The caller has asked
    ``policy.may_manage_route``."""
    now = now or timezone.now()
    text = (text or "").strip()
    with transaction.atomic():
        locked = _lock(step, version)
        if locked.outcome != RouteOutcome.NON_CONCUR or locked.state != D:
            raise RouteError("Only a non-concurrence needs a disposition.")
        if locked.disposition:
            raise RouteError("This non-concurrence already has its disposition.")
        if not text:
            raise RouteError("Describe how the non-concurrence was resolved.")
        locked.disposition = text
        locked.disposition_by = user
        locked.disposition_at = now
        _save(locked, user, "Non-concurrence disposition recorded")
        _mirror_on_assignment(locked, user, disposition=text)
        _event(locked, RouteEventKind.DISPOSITION, user, now, text=text)
        _advance(locked.action, user, now)
    _copy(locked, step)
    return step


# -- the moves' parts --------------------------------------------------------------------------


def answers_on_route(assignment):
    """Whether a supporting unit answers on the tasker's route (it has a concur step
    there): the coordination board then shows its answer and takes none."""
    return RouteStep.objects.filter(
        action_id=assignment.action_id,
        organization_unit_id=assignment.organization_unit_id,
        kind=RouteStepKind.CONCUR,
    ).exists()


def _mirror_on_assignment(step, user, *, outcome=None, text="", on_behalf=False, disposition=None):
    """A concur step's answer (or disposition) is also the answer of the office's
    coordinating assignment, if it has one, so the board, the reminders (which skip units
    that answered) and the close-out read the same answer as the route."""
    if step.kind != RouteStepKind.CONCUR or not step.organization_unit_id:
        return
    assignment = (
        Assignment.objects.select_for_update()
        .filter(
            action_id=step.action_id,
            organization_unit_id=step.organization_unit_id,
            role=AssignmentRole.COORDINATING,
        )
        .first()
    )
    if assignment is None:
        return
    if outcome is not None:
        assignment.status = outcome  # the concur answers are the assignment's statuses
        assignment.response = text or assignment.response
        assignment.responded_at = step.completed_at
        assignment.responded_by = user
        assignment.entered_on_behalf = on_behalf
        reason = "Answered on the coordination route"
    else:
        assignment.disposition = disposition
        reason = "Non-concurrence disposition recorded on the coordination route"
    assignment._history_user = user
    assignment._change_reason = reason
    assignment.save()


def _lock(step, version):
    locked = RouteStep.objects.select_for_update().select_related("action").get(pk=step.pk)
    if version not in (None, "") and int(version) != locked.version:
        raise StaleEdit(locked)
    return locked


def _lock_current(step, version, nothing_was):
    """``_lock``, refusing a step that is no longer the current one (``nothing_was``: what
    the refusal says was not done)."""
    locked = _lock(step, version)
    if locked.state != C:
        raise RouteError(f"This step is not the current one; nothing was {nothing_was}.")
    return locked


def _copy(source, target):
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _save(step, user, reason):
    step._history_user = user
    step._change_reason = reason
    step.save()


def _event(step, kind, user, now, *, outcome="", text="", on_behalf=False):
    event = RouteStepEvent(
        action_id=step.action_id,
        step=step,
        kind=kind,
        outcome=outcome,
        text=text,
        user=user,
        on_behalf=on_behalf,
        at=now,
    )
    event._history_user = user
    event.save()
    return event


def _close(step, now):
    """End the step's current pass: its time is added to ``dwell_seconds``."""
    if step.started_at:
        step.dwell_seconds += max(int((now - step.started_at).total_seconds()), 0)


def _reset(step):
    step.state = W
    step.started_at = step.completed_at = None
    step.outcome = step.comment = step.disposition = ""
    step.acted_by = step.disposition_by = step.disposition_at = None
    step.entered_on_behalf = False
    step.signer_name = step.signer_role = step.signed_file = ""
    step.signed_attachment = None
    step.signed_attachment_version = None


def _start(steps, user, now):
    for step in steps:
        step.state = C
        step.started_at = now
        step.completed_at = None
        _save(step, user, "Reached the step")
        _event(step, RouteEventKind.STARTED, user, now)
        notifications.route_step_now_yours(
            step.action, unit=step.organization_unit, person=step.person, actor=user
        )


def _start_position(action, steps, position, user, now):
    _start([s for s in steps if s.position == position and s.state == W], user, now)


def _advance(action, user, now):
    """Start the next position once the current one is done and disposed of."""
    steps = list(
        RouteStep.objects.select_for_update().filter(action=action).order_by("position", "pk")
    )
    if any(s.state == C for s in steps):
        return
    if any(s.needs_disposition for s in steps):
        return
    waiting = [s.position for s in steps if s.state == W]
    if waiting:
        _start_position(action, steps, min(waiting), user, now)


# -- dwell time ----------------------------------------------------------------------------------


def dwell_seconds_from_events(events, now=None):
    """Seconds spent at a step, from its events in order: each ``started`` opens a pass, the
    next answer, return or reset closes it; a pass still open counts up to ``now`` (when
    given). The stored ``dwell_seconds`` is this sum for closed passes."""
    total, opened = 0, None
    for event in events:
        if event.kind == RouteEventKind.STARTED:
            opened = event.at
        elif opened is not None and event.kind in (
            RouteEventKind.ANSWERED,
            RouteEventKind.RETURNED,
            RouteEventKind.RESET,
        ):
            total += max(int((event.at - opened).total_seconds()), 0)
            opened = None
    if opened is not None and now is not None:
        total += max(int((now - opened).total_seconds()), 0)
    return total


def days_at(step, now):
    """Days the step has taken so far: its closed passes plus the open one."""
    seconds = step.dwell_seconds
    if step.state == C and step.started_at:
        seconds += max(int((now - step.started_at).total_seconds()), 0)
    return round(seconds / 86400, 1)


__all__ = [
    "RouteError",
    "StepSpec",
    "act_on_step",
    "answers_on_route",
    "add_step",
    "current_steps",
    "days_at",
    "dwell_seconds_from_events",
    "is_complete",
    "record_disposition",
    "remove_step",
    "return_step",
    "start_route",
    "steps_of",
    "waiting_for_disposition",
]
