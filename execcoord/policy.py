"""The one write policy: who may add, change, delete or link which record, and which fields.

Reading has one home, ``Model.objects.visible_to(user)``; writing has this one. Every path
that changes data asks it: the generic pages (create, edit, bulk edit, delete, bulk delete,
link), the workflow pages, Django admin, import and the services they call. A path never
decides by itself.

The shared layer knows only the generic verbs and the model permission of the user's role;
a domain app registers a :class:`ModelPolicy` subclass for the models whose rights depend on
the record (``actions.policy`` for taskers and their satellites)::

    policy.register(Assignment, AssignmentPolicy())

Verbs of the generic layer:

- ``add``: ``obj`` is the new, unsaved record with its values (its parent set); ``None``
  asks whether the user may add records of the model at all (to show the page).
- ``change`` / ``delete``: ``obj`` is the stored record; ``None`` asks for the model.
- ``link``: see :func:`may_link`.

Domain verbs (``transition``, ``assign``, ``respond``, ``decide``) are methods of the domain
policies, reached through :func:`policy_for`.

Answers are :class:`Verdict` objects: true or false, with the reason to show when false.

Reading has two more rules here, because they follow the user's role rather than the record:

- **Sensitive fields.** A model names the fields only some roles see in
  ``sensitive_fields = {"clearance_level": ("Administrator", "Manager")}``;
  :func:`hidden_fields` gives the ones a user may not see, and every generic path that shows
  fields leaves them out (list columns and sorting, filters, detail, history, export,
  forms, import templates and exports).
- **Export.** A model whose rows together are sensitive (the staff directory) names the roles
  that may export it in ``export_roles``; :func:`may_export` answers.

Roles are group names the shared layer does not know: a domain app defines them
(``partners.access``) and, in its ``AppConfig.ready``, fills in what the shared layer asks of
it (:func:`grant`, :func:`register_user_unit`):

- **Privileges**: rights that are neither a model permission nor a record rule, granted to
  roles by name: ``import`` (the import pages, on top of add and change permission),
  ``share_views`` (sharing a saved view with a unit or everyone) and ``intake`` (turning a
  received e-mail into a draft, on top of add permission). A privilege no app granted is a
  superuser's only. A role name need not be a group: a domain app may give a user a role
  by other facts (the secretariat is Staff of a unit flagged as such).
- **The user's unit**: the organization unit (``settings.EXECCOORD_UNIT_MODEL``) a saved
  view is shared with; and, optionally, the user's roles read together with it.

A superuser has every role.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

VERBS = ("add", "change", "delete")


@dataclass(frozen=True)
class Verdict:
    """An answer of the policy: ``bool(verdict)`` and, when refused, ``reason``."""

    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed

    def require(self):
        """Raise ``PermissionDenied(reason)`` when refused."""
        if not self.allowed:
            raise PermissionDenied(self.reason)
        return self


ALLOW = Verdict(True)


def deny(reason):
    return Verdict(False, reason)


def role_allows(user, verb, model):
    """The model permission of ``user``'s role for ``verb`` (``app.verb_model``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    meta = model._meta
    return has_perm(user, f"{meta.app_label}.{verb}_{meta.model_name}")


def permission_key(user):
    """What ``has_perm`` answers from (active, superuser, the permissions read) and staff
    status: a key under which what depends on nothing else (the menu, the admin's list of
    models) is built once and kept."""
    return (
        user.is_active,
        user.is_superuser,
        user.is_staff,
        frozenset(user.get_all_permissions()),
    )


def has_perm(user, perm):
    """``user.has_perm(perm)``, remembered as long as the user's permissions are.

    A page asks the same few permissions dozens of times (the menu, its buttons, the write
    policy), and each ask goes through every authentication backend. The answers are kept
    beside the permissions the backend read (``_perm_cache``, the request's user object) and
    forgotten with them.
    """
    # getattr/setattr, not __dict__: the request's user is a lazy object in front of it
    read = getattr(user, "_perm_cache", None)
    memo = getattr(user, "_execcoord_perms", None)
    if read is None or memo is None or memo[0] is not read:
        answer = user.has_perm(perm)  # reads the permissions, once a user object
        read = getattr(user, "_perm_cache", None)
        if read is not None:
            user._execcoord_perms = (read, {perm: answer})
        return answer
    answers = memo[1]
    if perm not in answers:
        answers[perm] = user.has_perm(perm)
    return answers[perm]


class ModelPolicy:
    """The write rules of one model. The default: the role's model permission decides, and
    every editable field may be set except the ``system_fields``.

    Subclasses override :meth:`object_verdict` (rights that depend on the record) and
    :meth:`fixed_fields` (fields this user may not set on this record).

    Attributes:
        system_fields: fields no form may ever set (the system or a workflow sets them).
        scoped: the rules depend on the record (the system check for satellites of a
            scoped model reads this).
    """

    system_fields = ()
    scoped = False

    def may(self, user, verb, model, obj=None):
        """The verdict for ``user`` doing ``verb`` (add/change/delete) on ``obj`` of ``model``."""
        if not role_allows(user, verb, model):
            noun = model._meta.verbose_name_plural
            return deny(f"Your role does not allow you to {verb} {noun}.")
        if obj is None:
            return ALLOW
        return self.object_verdict(user, verb, obj)

    def object_verdict(self, user, verb, obj):
        """Record-level rules for ``verb`` on ``obj`` (the role already allows the verb)."""
        return ALLOW

    def fixed_fields(self, user, obj):
        """Names of the fields ``user`` may not set on ``obj`` (new or stored), beyond the
        ``system_fields``."""
        return set()

    def writable(self, user, obj, names):
        """The subset of field ``names`` that ``user`` may set on ``obj`` (never a field
        hidden from them)."""
        fixed = set(self.system_fields) | set(self.fixed_fields(user, obj))
        fixed |= self.hidden_fields(user, type(obj))
        return [name for name in names if name not in fixed]

    def hidden_fields(self, user, model):
        """The fields of ``model`` that ``user`` may not see: the model's
        ``sensitive_fields`` reserved to roles the user does not have."""
        sensitive = getattr(model, "sensitive_fields", None) or {}
        return frozenset(name for name, roles in sensitive.items() if not has_role(user, roles))

    def may_export(self, user, model):
        """May ``user`` export the rows of ``model`` (list export, import-format export)?
        Anyone who may view them, unless the model names ``export_roles``."""
        roles = getattr(model, "export_roles", None)
        if roles is None or has_role(user, roles):
            return ALLOW
        noun = model._meta.verbose_name_plural
        return deny(f"Only {_or(roles)} may export {noun}.")


DEFAULT = ModelPolicy()
_policies = {}


def register(model, model_policy):
    """Give ``model`` its policy (a :class:`ModelPolicy` instance); returns it."""
    _policies[model] = model_policy
    return model_policy


def policy_for(model):
    """The policy of a model class or instance (the default one if none is registered)."""
    model = model if isinstance(model, type) else type(model)
    return _policies.get(model._meta.concrete_model, DEFAULT)


def user_roles(user):
    """The names of the role groups of ``user`` (one query, then kept on the user object,
    which lives for one request; the read-side scope fills it in when it reads the roles)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = getattr(user, "_execcoord_roles", None)
    if roles is None and _user_roles is not None:
        roles = _user_roles(user)  # a domain app reads them with the rest of its scope
    if roles is None:
        roles = frozenset(user.groups.values_list("name", flat=True))
    user._execcoord_roles = roles = frozenset(roles)
    return roles


def has_role(user, roles):
    """Whether ``user`` has one of ``roles`` (role group names); a superuser has them all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_roles(user) & set(roles))


# -- what the domain apps fill in (AppConfig.ready)

PRIVILEGES = ("import", "share_views", "intake")
_privileges = {}
_user_unit = None
_user_roles = None


def grant(privilege, roles):
    """Give ``privilege`` (one of :data:`PRIVILEGES`) to the role groups named ``roles``."""
    if privilege not in PRIVILEGES:
        raise ValueError(f"Unknown privilege {privilege!r}; known: {', '.join(PRIVILEGES)}.")
    _privileges[privilege] = tuple(roles)


def privilege_roles(privilege):
    """The role names holding ``privilege`` (empty when no app granted it)."""
    return _privileges.get(privilege, ())


def has_privilege(user, privilege):
    """Whether ``user`` holds ``privilege`` (a superuser holds every one)."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return has_role(user, privilege_roles(privilege))


def register_user_unit(func):
    """Name the function giving a user's organization unit id: ``func(user) -> id | None``."""
    global _user_unit
    _user_unit = func
    return func


def register_user_roles(func):
    """Name the function reading a user's role names, ``func(user) -> names | None``, when a
    domain app reads them together with more (one query instead of two); ``None`` leaves
    it to :func:`user_roles`' own query of the user's groups."""
    global _user_roles
    _user_roles = func
    return func


def user_unit_id(user):
    """The id of ``user``'s organization unit (``settings.EXECCOORD_UNIT_MODEL``), or None."""
    if _user_unit is None or user is None or not user.is_authenticated:
        return None
    return _user_unit(user)


def may_import(user, model):
    """May ``user`` import records of ``model``? The role's add and change permissions and
    the ``import`` privilege."""
    if not (role_allows(user, "add", model) and role_allows(user, "change", model)):
        noun = model._meta.verbose_name_plural
        return deny(f"Your role does not allow you to add and change {noun}.")
    if not has_privilege(user, "import"):
        return deny(f"Only {_or(privilege_roles('import'))} import records.")
    return ALLOW


def _or(roles):
    names = [f"{str(role).lower()}s" for role in roles] or ["superusers"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def hidden_fields(user, model):
    """The fields of ``model`` (class or instance) that ``user`` may not see."""
    model = model if isinstance(model, type) else type(model)
    return policy_for(model).hidden_fields(user, model)


def path_hidden(user, model, path):
    """Whether the field ``path`` of ``model`` (``"clearance_level"``, ``"person.
    clearance_level"``, ``"person__clearance_level"``) reaches a field hidden from ``user``."""
    for part in str(path).replace("__", ".").split("."):
        if part in hidden_fields(user, model):
            return True
        try:
            field = model._meta.get_field(part)
        except Exception:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def may_export(user, model):
    """May ``user`` export the rows of ``model``? A :class:`Verdict`."""
    return policy_for(model).may_export(user, model)


def may(user, verb, model, obj=None):
    """May ``user`` ``verb`` (add/change/delete) ``obj`` (or records of ``model``)?"""
    return policy_for(model).may(user, verb, model, obj)


def writable_fields(user, obj, names):
    """The field ``names`` that ``user`` may set on ``obj`` (a new or a stored record)."""
    return policy_for(obj).writable(user, obj, names)


def link_owner(obj, other):
    """The record a link between ``obj`` and ``other`` belongs to: the one whose policy is
    scoped (a tasker's links are part of the tasker), else the one whose model declares the
    many-to-many field, whichever side the link is made from."""
    pair = ((obj, other), (other, obj))
    for record, _ in pair:
        if policy_for(record).scoped:
            return record
    for record, partner in pair:
        partner_model = type(partner)._meta.concrete_model
        if any(f.related_model is partner_model for f in type(record)._meta.many_to_many):
            return record
    return obj


def may_link(user, obj, other):
    """May ``user`` link (or unlink) ``obj`` and ``other``? The link changes its owner
    (:func:`link_owner`), so it takes the owner's ``change`` right."""
    owner = link_owner(obj, other)
    return may(user, "change", type(owner), owner)


def may_link_to(user, obj, related_model):
    """Whether ``user`` may link ``obj`` to some records of ``related_model`` (to offer the
    "link existing" picker; each link is then decided by :func:`may_link`)."""
    if policy_for(obj).scoped:
        return may(user, "change", type(obj), obj)
    declares = any(f.related_model is related_model for f in type(obj)._meta.many_to_many)
    if declares and not policy_for(related_model).scoped:
        return may(user, "change", type(obj), obj)
    return may(user, "change", related_model)


class SavedViewPolicy(ModelPolicy):
    """Saved list views: saving one takes the role's ``add_savedview`` permission (viewers
    have none); sharing it beyond its owner (a unit, everyone) the ``share_views``
    privilege; only its owner changes or deletes it."""

    def object_verdict(self, user, verb, view):
        if verb in ("change", "delete") and view.owner_id != getattr(user, "pk", None):
            return deny("Only its owner changes or deletes a saved view.")
        if verb in ("add", "change") and not self.may_share(user, view):
            return deny(
                f"Only {_or(privilege_roles('share_views'))} share a view with a unit or "
                "everyone; "
                "save it for yourself."
            )
        return ALLOW

    def may_share(self, user, view):
        """May ``user`` give ``view`` its sharing (private is always allowed)?"""
        return view.sharing == view.Sharing.PRIVATE or has_privilege(user, "share_views")
