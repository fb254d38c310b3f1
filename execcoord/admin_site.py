"""The admin site: Django's, with its list of models built once per permission set.

Every admin page draws the list of the models the user may use (the sidebar, the index):
Django builds it on each request from every model admin's permission methods, some two
hundred permission checks and a hundred URL reversals, 12 ms of a 100 ms change list. What
it depends on is what those methods read (``BaseAdmin`` asks the write policy, which asks
the role's model permissions when no record is given): whether the user is active, a
superuser, staff, and their permissions; so it is built once per such set and URL prefix.
"""

from django.contrib import admin
from django.urls import get_script_prefix

from execcoord import policy


class AdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        key = (app_label, policy.permission_key(request.user), get_script_prefix())
        built = self.__dict__.setdefault("_app_lists", {})
        apps = built.get(key)
        if apps is None:
            apps = built[key] = super().get_app_list(request, app_label)
        # a copy of the lists and dicts (the models and URLs are shared): callers may edit
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in apps]
