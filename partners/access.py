"""Who the signed-in user is, organisationally: person, unit, managed units, roles.

The visibility rules of executive actions need this on nearly every query, so it is computed
once per request and cached on the user object (a new request loads a new user object).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr

from .choices import CLEARANCE_RANK, PersonnelType
from .models import OrganizationUnit, Person

ROLE_STAFF = "Staff"
ROLE_MANAGER = "Manager"
ROLE_ADMIN = "Administrator"
ROLE_VIEWER = "Viewer"
ROLES = (ROLE_STAFF, ROLE_MANAGER, ROLE_ADMIN, ROLE_VIEWER)

_CACHE_ATTR = "_execcoord_scope"


def clearance_rank(value):
    """The rank of a ``ClearanceLevel`` value: 0 for none/empty/unknown, 4 for Top Secret."""
    return CLEARANCE_RANK.get(value or "", 0)


@dataclass(frozen=True, slots=True)
class UserScope:
    """What the access rules need to know about one user.

    Attributes:
        person_id: the user's Person, or ``None``.
        unit_id: that person's organization unit, or ``None``.
        unit_ids: the units the user is a member of (the person's own unit).
        managed_unit_ids: every unit the user manages, subtrees included: the subtree of
            each unit whose ``manager`` is the user's person, and for members of the Manager
            group the subtree of their own unit.
        is_admin: superuser or member of the Administrator group.
        is_internal: agency staff rather than an outside partner.
        clearance_rank: see :func:`clearance_rank`.
        is_manager, is_viewer, is_staff_role: membership of those groups.
    """

    person_id: int | None = None
    unit_id: int | None = None
    unit_ids: frozenset = frozenset()
    managed_unit_ids: frozenset = frozenset()
    is_admin: bool = False
    is_internal: bool = False
    clearance_rank: int = 0
    is_manager: bool = False
    is_viewer: bool = False
    is_staff_role: bool = False

    @property
    def related_unit_ids(self):
        """Units whose records concern the user: own unit and every managed unit."""
        return self.unit_ids | self.managed_unit_ids


NO_SCOPE = UserScope()


def get_user_scope(user):
    """The :class:`UserScope` of ``user``, computed once and cached on the user object.

    At most three queries: the user's groups, the user's person, the managed units.
    Anonymous and inactive users get an empty scope (they see nothing).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    scope = getattr(user, _CACHE_ATTR, None)
    if scope is None:
        scope = _compute_scope(user)
        setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_user_scope(user):
    """Forget the cached scope, e.g. after changing the user's person, unit or groups."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _compute_scope(user):
    groups = set(user.groups.values_list("name", flat=True))
    is_admin = user.is_superuser or ROLE_ADMIN in groups
    is_manager = ROLE_MANAGER in groups
    person = (
        Person.objects.filter(user=user)
        .values("id", "organization_unit_id", "personnel_type", "clearance_level")
        .first()
    )
    if person is None:
        return UserScope(
            is_admin=is_admin,
            is_internal=is_admin or user.is_staff or bool(groups & set(ROLES)),
            is_manager=is_manager,
            is_viewer=ROLE_VIEWER in groups,
            is_staff_role=ROLE_STAFF in groups,
        )
    unit_id = person["organization_unit_id"]
    return UserScope(
        person_id=person["id"],
        unit_id=unit_id,
        unit_ids=frozenset([unit_id] if unit_id else []),
        managed_unit_ids=_managed_unit_ids(person["id"], unit_id if is_manager else None),
        is_admin=is_admin,
        is_internal=is_admin or person["personnel_type"] != PersonnelType.EXTERNAL,
        clearance_rank=clearance_rank(person["clearance_level"]),
        is_manager=is_manager,
        is_viewer=ROLE_VIEWER in groups,
        is_staff_role=ROLE_STAFF in groups,
    )


def _managed_unit_ids(person_id, own_unit_id):
    """Ids of the subtrees the person manages, in one query.

    A unit is in the result when it, or one of its ancestors, is managed by the person (its
    path starts with the managed unit's path), or when it lies under ``own_unit_id``.
    """
    managed_above = OrganizationUnit.objects.filter(
        manager_id=person_id, path=Substr(OuterRef("path"), 1, Length("path"))
    )
    condition = Exists(managed_above)
    if own_unit_id is not None:
        own_above = OrganizationUnit.objects.filter(
            pk=own_unit_id, path=Substr(OuterRef("path"), 1, Length("path"))
        )
        condition = Q(condition) | Q(Exists(own_above))
    return frozenset(OrganizationUnit.objects.filter(condition).values_list("id", flat=True))
