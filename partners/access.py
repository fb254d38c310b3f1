"""Who the signed-in user is, organisationally: person, unit, managed units, roles.

The visibility rules of executive actions need this on nearly every query, so it is computed
once per request and cached on the user object (a new request loads a new user object).
"""

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr

from execcoord.db.compiled import compiled_rows
from execcoord.db.trees import subtree_q

from .choices import CLEARANCE_RANK, PersonnelType
from .models import OrganizationUnit

ROLE_STAFF = "Staff"
ROLE_MANAGER = "Manager"
ROLE_ADMIN = "Administrator"
ROLE_VIEWER = "Viewer"
ROLES = (ROLE_STAFF, ROLE_MANAGER, ROLE_ADMIN, ROLE_VIEWER)
# Not a group: the role a Staff member or Manager of a unit flagged as the executive
# secretariat (``OrganizationUnit.is_secretariat``) holds besides their group's. The write
# policy's privileges are granted to role names, so the secretariat is granted them by name.
ROLE_SECRETARIAT = "Secretariat"
# the roles that import records and share saved views beyond their owner (granted to the
# shared layer's privileges in ``PartnersConfig.ready``)
PRIVILEGED_ROLES = (ROLE_ADMIN, ROLE_MANAGER)
# who imports and who takes in correspondence (e-mail intake): also the secretariat
SECRETARIAT_ROLES = (ROLE_ADMIN, ROLE_MANAGER, ROLE_SECRETARIAT)

_CACHE_ATTR = "_execcoord_scope"


def clearance_rank(value):
    """The rank of a ``ClearanceLevel`` value: 0 for none/empty/unknown, 4 for Top Secret."""
    return CLEARANCE_RANK.get(value or "", 0)


class UserScope:
    """What the access rules need to know about one user.

    Attributes:
        person_id: the user's Person, or ``None``.
        unit_id: that person's organization unit, or ``None``.
        unit_ids: the units the user is a member of (the person's own unit).
        is_admin: superuser or member of the Administrator group.
        is_internal: agency staff rather than an outside partner.
        clearance_rank: see :func:`clearance_rank`.
        is_manager, is_viewer, is_staff_role: membership of those groups.
        in_secretariat: the person works in a unit flagged as the executive secretariat
            and is Staff or Manager there (the ``Secretariat`` role of the policy).
        covers_all: the user manages the one root unit, so every unit is in a subtree they
            manage (the read rules then need not ask which units are).

    ``derived`` is a memo the read rules keep what they build from the scope in (the
    scope's lifetime is theirs: :func:`clear_user_scope` forgets both).

    The units the user manages are offered two ways: :meth:`managed_units` is a lazy
    queryset to filter with in SQL (the database resolves the subtrees once per query, so
    a manager of the root unit does not send a thousand ids), and :attr:`managed_unit_ids`
    is the same set in Python, fetched on first use.
    """

    __slots__ = (
        "person_id",
        "unit_id",
        "unit_ids",
        "is_admin",
        "is_internal",
        "clearance_rank",
        "is_manager",
        "is_viewer",
        "is_staff_role",
        "in_secretariat",
        "unit_path",
        "manages_named_units",
        "named_unit_path",
        "named_unit_id",
        "covers_all",
        "_managed_unit_ids",
        "derived",
    )

    def __init__(
        self,
        person_id=None,
        unit_id=None,
        is_admin=False,
        is_internal=False,
        clearance_rank=0,
        is_manager=False,
        is_viewer=False,
        is_staff_role=False,
        in_secretariat=False,
        unit_path="",
        manages_named_units=True,
        named_unit_path="",
        named_unit_id=None,
        covers_all=False,
        managed_unit_ids=None,
    ):
        values = {
            "person_id": person_id,
            "unit_id": unit_id,
            "unit_ids": frozenset([unit_id] if unit_id else []),
            "is_admin": is_admin,
            "is_internal": is_internal,
            "clearance_rank": clearance_rank,
            "is_manager": is_manager,
            "is_viewer": is_viewer,
            "is_staff_role": is_staff_role,
            "in_secretariat": in_secretariat,
            "unit_path": unit_path,
            "manages_named_units": manages_named_units,
            "named_unit_path": named_unit_path,
            "named_unit_id": named_unit_id,
            "covers_all": covers_all,
            "_managed_unit_ids": (
                frozenset(managed_unit_ids) if managed_unit_ids is not None else None
            ),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        # what the read rules build from the scope, kept as long as the scope is (see
        # ``ExecutiveActionQuerySet.visible_to``): a page asks the same rule several times
        object.__setattr__(self, "derived", {})

    def __setattr__(self, name, value):
        raise AttributeError(f"UserScope is read-only (tried to set {name!r})")

    # what the scope is made of (what it derives and caches aside): two scopes with the same
    # key give every read rule the same SQL (``execcoord.access.read_key``)
    _KEY_FIELDS = tuple(
        name for name in __slots__ if name not in ("unit_ids", "_managed_unit_ids", "derived")
    )

    @property
    def key(self):
        """The scope's values as a tuple (see ``_KEY_FIELDS``)."""
        return tuple(getattr(self, name) for name in self._KEY_FIELDS)

    def __repr__(self):
        return (
            f"UserScope(person_id={self.person_id}, unit_id={self.unit_id}, "
            f"is_admin={self.is_admin}, is_manager={self.is_manager})"
        )

    @property
    def manages_units(self):
        """Whether the user may manage some unit (role, or named manager of a unit).

        Cheap: true for the Manager role without a query; otherwise asks the database once.
        """
        if self.person_id is None:
            return False
        if self.is_manager and self.unit_id:
            return True
        if self._managed_unit_ids is not None:
            return bool(self._managed_unit_ids)
        return bool(self.managed_roots())

    def manages_path(self, path):
        """Whether the unit with materialised ``path`` is inside a subtree the user manages
        (the same units as :meth:`managed_units`, by path: no list of ids is read)."""
        return any(path.startswith(root) for root, _ in self.managed_roots())

    def managed_units(self):
        """Queryset of the units the user manages, subtrees included: the subtree of each
        unit whose ``manager`` is the user's person, and for members of the Manager group
        the subtree of their own unit. Empty for a user without a person.

        The common cases are written so that the database can estimate them: nothing
        managed is ``none()``; a Manager of their own unit only is a path prefix.
        """
        if self.person_id is None:
            return OrganizationUnit.objects.none()
        own_unit = self.unit_id if self.is_manager else None
        prefixes = [self.unit_path] if own_unit and self.unit_path else []
        if self.manages_named_units:
            if not self.named_unit_path:  # several units: the generic subquery
                return _managed_units(self.person_id, own_unit)
            prefixes.append(self.named_unit_path)
        if own_unit and not self.unit_path:
            return _managed_units(self.person_id, own_unit)
        if not prefixes:
            return OrganizationUnit.objects.none()
        return OrganizationUnit.objects.filter(subtree_q(prefixes))

    def managed_roots(self):
        """The tops of the subtrees the user manages, ``[(path, unit id)]`` in path order:
        the unit they are named manager of and, for the Manager role, their own unit,
        without one nested in the other. No query unless they are named on several units."""
        if self.person_id is None:
            return []
        if "managed_roots" not in self.derived:  # asked for every path tested: kept
            self.derived["managed_roots"] = self._managed_roots()
        return self.derived["managed_roots"]

    def _managed_roots(self):
        units = []
        if self.is_manager and self.unit_id and self.unit_path:
            units.append((self.unit_path, self.unit_id))
        if self.manages_named_units:
            if self.named_unit_id is not None:
                units.append((self.named_unit_path, self.named_unit_id))
            else:  # several units: ask
                named = OrganizationUnit.objects.filter(manager_id=self.person_id)
                units += named.values_list("path", "pk")
        roots = []
        for path, pk in sorted(set(units)):  # an ancestor sorts before its descendants
            if not any(path.startswith(prefix) for prefix, _ in roots):
                roots.append((path, pk))
        return roots

    def involved_units(self):
        """The user's own unit and every managed unit: a list of ids when that is all there
        is (a plain ``IN (…)`` the planner estimates well), otherwise a subquery."""
        if self.person_id is None:
            return []
        if not self.manages_named_units and not (self.is_manager and self.unit_id):
            return [self.unit_id] if self.unit_id else []
        units = self.managed_units()
        if self.unit_id:
            units = units | OrganizationUnit.objects.filter(pk=self.unit_id)
        return units.values("pk")

    def managed_among(self, unit_ids):
        """The ids among ``unit_ids`` of units the user manages (:meth:`managed_units`).

        Asked by path (:meth:`manages_path`) rather than against every managed id: a manager
        of the root unit of a large agency would otherwise read ten thousand ids to learn
        about the two or three units of one tasker. The paths of units not asked about
        before come in one query and are kept in :attr:`derived` for the scope's lifetime.
        """
        ids = {pk for pk in unit_ids if pk}
        if not ids or not self.manages_units:
            return frozenset()
        if self._managed_unit_ids is not None or (self.is_manager and not self.unit_path):
            # read already (or given), or a unit without its path: by id
            return frozenset(ids & self.managed_unit_ids)
        paths = self.derived.setdefault("unit_paths", {})
        if self.unit_id and self.unit_path:
            paths.setdefault(self.unit_id, self.unit_path)
        if self.named_unit_id is not None and self.named_unit_path:
            paths.setdefault(self.named_unit_id, self.named_unit_path)
        missing = ids - paths.keys()
        if missing:
            paths.update(
                OrganizationUnit.objects.filter(pk__in=sorted(missing)).values_list("pk", "path")
            )
        return frozenset(pk for pk in ids if pk in paths and self.manages_path(paths[pk]))

    @property
    def managed_unit_ids(self):
        """The ids of :meth:`managed_units` as a frozenset (one query, on first use)."""
        if (
            self._managed_unit_ids is None
            and not self.manages_named_units
            and not (self.is_manager and self.unit_id)
        ):
            object.__setattr__(self, "_managed_unit_ids", frozenset())
        if self._managed_unit_ids is None:
            ids = frozenset(self.managed_units().values_list("id", flat=True))
            object.__setattr__(self, "_managed_unit_ids", ids)
        return self._managed_unit_ids

    @property
    def related_unit_ids(self):
        """Units whose records concern the user: own unit and every managed unit."""
        return self.unit_ids | self.managed_unit_ids


NO_SCOPE = UserScope(managed_unit_ids=())


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


def scope_key(user):
    """The key of ``user``'s scope (:attr:`UserScope.key`)."""
    return get_user_scope(user).key


def user_unit_id(user):
    """The id of ``user``'s organization unit, or ``None`` (``execcoord.policy`` asks)."""
    return get_user_scope(user).unit_id


def user_roles(user):
    """The names of ``user``'s role groups, read with the rest of the scope (the scope's one
    query; ``execcoord.policy`` asks), or ``None`` when the scope did not read them."""
    get_user_scope(user)
    return getattr(user, "_execcoord_roles", None)


def clear_user_scope(user):
    """Forget the cached scope, e.g. after changing the user's person, unit or groups."""
    for attr in (_CACHE_ATTR, "_execcoord_roles"):
        if user is not None and hasattr(user, attr):
            delattr(user, attr)


def _compute_scope(user):
    """One query: the user's roles (``EXISTS`` per group) and person, joined; its SQL is
    compiled once per process (``execcoord.db.compiled``), as it is the same for every user."""
    rows = compiled_rows("user-scope", _scope_query, user.pk)
    row = rows[0] if rows else None
    if row is None:
        return NO_SCOPE
    roles = {role for i, role in enumerate(ROLES) if row[f"role_{i}"]}
    in_secretariat = bool(row["person__organization_unit__is_secretariat"]) and bool(
        roles & {ROLE_STAFF, ROLE_MANAGER}
    )
    # the write policy's roles, read here (no second query); the secretariat's is by unit
    user._execcoord_roles = frozenset(roles | ({ROLE_SECRETARIAT} if in_secretariat else set()))
    is_admin = user.is_superuser or ROLE_ADMIN in roles
    person_id = row["person__id"]
    root = row["sole_root_id"]  # the id of the tree's root unit, if it has one root
    if person_id is None:
        return UserScope(
            is_admin=is_admin,
            is_internal=is_admin or user.is_staff or bool(roles),
            is_manager=ROLE_MANAGER in roles,
            is_viewer=ROLE_VIEWER in roles,
            is_staff_role=ROLE_STAFF in roles,
            managed_unit_ids=(),
        )
    return UserScope(
        person_id=person_id,
        unit_id=row["person__organization_unit_id"],
        is_admin=is_admin,
        is_internal=is_admin or row["person__personnel_type"] != PersonnelType.EXTERNAL,
        clearance_rank=clearance_rank(row["person__clearance_level"]),
        is_manager=ROLE_MANAGER in roles,
        is_viewer=ROLE_VIEWER in roles,
        is_staff_role=ROLE_STAFF in roles,
        in_secretariat=in_secretariat,
        unit_path=row["person__organization_unit__path"] or "",
        manages_named_units=bool(row["manages_named_units"]),
        named_unit_path=row["named_unit_path"] or "",
        named_unit_id=row["named_unit_id"],
        covers_all=root is not None
        and (
            (ROLE_MANAGER in roles and row["person__organization_unit_id"] == root)
            or (bool(row["manages_named_units"]) and row["named_unit_id"] == root)
        ),
    )


def _scope_query(user_pk):
    """The scope's query of the user ``user_pk`` (see :func:`_compute_scope`)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    named_units = OrganizationUnit.objects.filter(manager__user=OuterRef("pk")).order_by()

    def member_of(role):
        return Exists(Group.objects.filter(user=OuterRef("pk"), name=role))

    return (
        get_user_model()
        .objects.filter(pk=user_pk)
        .annotate(**{f"role_{i}": member_of(role) for i, role in enumerate(ROLES)})
        .annotate(
            manages_named_units=Exists(named_units),
            # the path and id of the one unit the person is named manager of (none if several)
            named_unit_path=Subquery(_the_only(named_units, "manager", "path")),
            named_unit_id=Subquery(_the_only(named_units, "manager", "pk")),
            # the root unit, when the tree has one (``UserScope.covers_all``)
            sole_root_id=Subquery(
                _the_only(OrganizationUnit.objects.filter(parent=None), "parent", "pk")
            ),
        )
        .values(
            *(f"role_{i}" for i in range(len(ROLES))),
            "person__id",
            "person__organization_unit_id",
            "person__personnel_type",
            "person__clearance_level",
            "person__organization_unit__path",
            "person__organization_unit__is_secretariat",
            "manages_named_units",
            "named_unit_path",
            "named_unit_id",
            "sole_root_id",
        )
        .order_by()
    )


def _the_only(units, group, field):
    """``field`` of the unit in ``units`` (grouped by ``group``, one value for all of them)
    when there is exactly one; no row otherwise."""
    return (
        units.order_by()
        .values(group)
        .annotate(n=Count("pk"), value=Max(field))
        .filter(n=1)
        .values("value")[:1]
    )


def _managed_units(person_id, own_unit_id):
    """The units in the subtrees the person manages, as a lazy queryset.

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
    return OrganizationUnit.objects.filter(condition)
