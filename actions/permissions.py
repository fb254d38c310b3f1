"""Who may change what on an executive action (issue 6).

What a user may *see* is decided by ``ExecutiveAction.objects.visible_to(user)`` alone; this
module decides what a user who sees an action may *do* with it. The rules, by role:

- Viewer: nothing.
- Staff: edit the taskers of their unit and those they are named on (accountable person,
  issuer, sponsor, or the person of a supporting assignment); post updates, request
  extensions, attach files, submit for review.
- Manager: everything staff may do, for every action led, issued or supported by a unit in the
  subtree they manage; plus assign, approve or deny extensions, approve or return a response,
  cancel, reopen.
- Administrator (or superuser): everything.

Each function takes the user and the action and answers ``True``/``False``; views and forms
call them after the visibility check.
"""

from partners.access import get_user_scope


def _action_unit_ids(action):
    """The units an action involves: lead, issuing and supporting units (one query, cached)."""
    cached = getattr(action, "_unit_ids_cache", None)
    if cached is None:
        cached = {action.lead_unit_id, action.issuing_unit_id}
        cached.update(action.assignments.values_list("organization_unit_id", flat=True))
        cached.discard(None)
        action._unit_ids_cache = cached
    return cached


def _named_person_ids(action):
    """People named on an action: accountable, issuer, sponsor and assignment persons."""
    cached = getattr(action, "_person_ids_cache", None)
    if cached is None:
        cached = {action.accountable_person_id, action.issued_by_id, action.executive_sponsor_id}
        cached.update(action.assignments.exclude(person=None).values_list("person_id", flat=True))
        cached.discard(None)
        action._person_ids_cache = cached
    return cached


def is_admin(user):
    """Superusers and members of the Administrator group."""
    return user.is_authenticated and get_user_scope(user).is_admin


def can_manage(user, action):
    """Assign, approve extensions, approve/return, cancel and reopen: managers of the units."""
    if not user.is_authenticated or not user.is_active:
        return False
    scope = get_user_scope(user)
    if scope.is_admin:
        return True
    if not user.has_perm("actions.change_executiveaction"):
        return False
    return bool(_action_unit_ids(action) & scope.managed_unit_ids)


def can_edit(user, action):
    """Edit the action and add its satellites (updates, decisions, attachments, requests)."""
    if not user.is_authenticated or not user.is_active:
        return False
    scope = get_user_scope(user)
    if scope.is_admin:
        return True
    if not user.has_perm("actions.change_executiveaction"):
        return False
    if scope.person_id and scope.person_id in _named_person_ids(action):
        return True
    units = _action_unit_ids(action)
    if scope.unit_id and scope.unit_id in units:
        return True
    return bool(units & scope.managed_unit_ids)


def can_delete(user, action):
    """Only administrators delete actions; staff cancel them instead (DESIGN.md §2.6)."""
    return is_admin(user) and user.has_perm("actions.delete_executiveaction")
