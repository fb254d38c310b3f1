"""Authentication backend: Django's model backend with the permissions read in one query.

``ModelBackend`` reads a user's own permissions and their groups' permissions with two
queries on the first ``has_perm`` of a request. Nearly every page asks, so this backend
reads both in one, compiled once per process and prepared (``execcoord.db.compiled``); the
answer is cached on the user object exactly as ``ModelBackend`` caches it
(``_perm_cache``), so it lives for one request.

With ``PASSWORD_SIGN_IN = "break-glass"`` (single sign-on, issue 19) it signs in with a
password only the users named in ``BREAK_GLASS_USERS``, whichever form asks (the sign-in
page says so first; Django admin's form reaches this refusal).
"""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission

from execcoord.db.compiled import compiled_rows
from execcoord.sso import password_sign_in_allowed


def _permissions_query(user_id):
    """The permissions of the user ``user_id``: their own and their groups' (a ``UNION``,
    each part served by its table's index on the user)."""
    fields = ("content_type__app_label", "codename")
    own = Permission.objects.filter(user=user_id).values(*fields).order_by()
    return own.union(Permission.objects.filter(group__user=user_id).values(*fields).order_by())


class ModelBackend(backends.ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and not password_sign_in_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                fields = ("content_type__app_label", "codename")
                permissions = Permission.objects.values_list(*fields)
            else:
                rows = compiled_rows("user-permissions", _permissions_query, user_obj.pk)
                permissions = [(r["content_type__app_label"], r["codename"]) for r in rows]
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in permissions}
        return user_obj._perm_cache
