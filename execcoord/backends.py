"""Authentication backend: Django's model backend with the permissions read in one query.

``ModelBackend`` reads a user's own permissions and their groups' permissions with two
queries on the first ``has_perm`` of a request. Nearly every page asks, so this backend
reads both in one (a ``UNION``); the answer is cached on the user object exactly as
``ModelBackend`` caches it (``_perm_cache``), so it lives for one request.
"""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                permissions = Permission.objects.values_list(*fields)
            else:
                own = Permission.objects.filter(user=user_obj).values_list(*fields)
                via_groups = Permission.objects.filter(group__user=user_obj).values_list(*fields)
                permissions = own.order_by().union(via_groups.order_by())
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in permissions}
        return user_obj._perm_cache
