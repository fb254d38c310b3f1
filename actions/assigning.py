"""Assigning a tasker: its lead unit, accountable person and supporting units, saved under a
lock, and one notification to each new assignee (``actions.notifications``: queued when the
transaction commits, never sent inside the request; none while the tasker is a draft)."""

from django.db import transaction

from actions import notifications, services
from actions.models import Assignment, ExecutiveAction
from execcoord.models import StaleEdit
from execcoord.submissions import clash_message


class AssignmentRefused(Exception):
    """The Assign page's rows were refused under the lock (a unit already assigned by
    someone else meanwhile): the rows carry their errors; nothing was saved."""


def save_assignment(
    action, user, *, lead_unit, accountable_person, formset, seen_version=None, request=None
):
    """:func:`assign` in its own transaction; returns the notification events it wrote."""
    with transaction.atomic():
        return assign(
            action,
            user,
            lead_unit=lead_unit,
            accountable_person=accountable_person,
            formset=formset,
            seen_version=seen_version,
        )


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
        The notification events written (none for a draft): "assigned" when the lead unit
        or accountable person changed (to the person, else the lead office's managers), and
        "supporting unit added" for the new or re-pointed supporting rows (to each row's
        person, else its unit's managers).
    """
    locked = _lock_unchanged(action, formset, seen_version)
    reassigned = _set_lead(locked, lead_unit, accountable_person)
    removed = _remove_rows(formset, user)
    saved = _rows_to_save(formset, locked)
    added = _save_rows(saved, user)
    if reassigned or saved or removed:
        # the tasker's assignment is part of the tasker: its version grows, so every Assign
        # page opened before this save is now stale
        reason = "Reassigned" if reassigned else "Supporting units changed"
        services._record_as(locked, user, reason)
        locked.save()
    events = _notify(locked, user, reassigned, added)
    services._copy_state(locked, action)
    return events


def _lock_unchanged(action, formset, seen_version):
    """The tasker and its assignments locked; :class:`StaleEdit` when the tasker or a row
    the formset changes or removes is no longer at the version its page showed."""
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
    return locked


def _set_lead(locked, lead_unit, accountable_person):
    """Set (and validate) the lead unit and accountable person; whether either changed."""
    lead_changed = locked.lead_unit_id != getattr(lead_unit, "pk", None)
    person_changed = locked.accountable_person_id != getattr(accountable_person, "pk", None)
    if lead_changed or person_changed:
        locked.lead_unit = lead_unit
        locked.accountable_person = accountable_person
        locked.full_clean()
    return lead_changed or person_changed


def _remove_rows(formset, user):
    """Delete the stored rows the formset removes; how many."""
    removed = 0
    for form in formset.deleted_forms:
        if form.instance.pk:
            services._record_as(form.instance, user, "Supporting unit removed")
            form.instance.delete()
            removed += 1
    return removed


def _rows_to_save(formset, locked):
    """The new and changed rows, unsaved: ``(assignment, is_new, repointed)`` each.

    Raises:
        AssignmentRefused: a new or re-pointed row names a unit already on the tasker (the
            row's form carries the error).
    """
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
    return saved


def _save_rows(saved, user):
    """Save the rows of :func:`_rows_to_save`; the ids of the new and re-pointed ones."""
    added = []
    for assignment, is_new, repointed in saved:
        services._record_as(assignment, user, "Assigned" if is_new else "Assignment changed")
        assignment.save()
        if is_new or repointed:
            added.append(assignment.pk)
    return added


def _notify(locked, user, reassigned, added):
    """The notification events of an assignment (none for a draft)."""
    events = []
    if reassigned:
        events.append(notifications.notify(notifications.K.ASSIGNED, locked, actor=user))
    if added:
        events.append(
            notifications.notify(
                notifications.K.SUPPORTING_ADDED, locked, actor=user, assignment_ids=added
            )
        )
    return [event for event in events if event is not None]
