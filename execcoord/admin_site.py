"""The admin site: Django's, with its list of models built, and its sidebar drawn, once per
permission set.

Every admin page draws the list of the models the user may use (the sidebar, the index):
Django builds it on each request from every model admin's permission methods, some two
hundred permission checks and a hundred URL reversals, 12 ms of a 100 ms change list. What
it depends on is what those methods read (``BaseAdmin`` asks the write policy, which asks
the role's model permissions when no record is given): whether the user is active, a
superuser, staff, and their permissions; so it is built once per such set and URL prefix.

The sidebar's HTML (``admin/app_list.html`` over that list, some sixty models) then took a
quarter of a change list's time to draw (6 ms of 26, issue 20). It depends on the list and
on which of its links the page's path contains (the current application and model are
marked): it is drawn once per list and marked links (:func:`sidebar_html`, which
``templates/admin/nav_sidebar.html`` asks through the ``admin_sidebar`` tag).
"""

from urllib.parse import quote

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import get_script_prefix

from execcoord import policy
from execcoord.utils import Kept


class AdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        key = (self.name, app_label, policy.permission_key(request.user), get_script_prefix())
        apps = _APP_LISTS.get(key, lambda: super(AdminSite, self).get_app_list(request, app_label))
        # a copy of the lists and dicts (the models and URLs are shared): callers may edit
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in apps]


def sidebar_html(request, app_list):
    """The sidebar's list of models: ``admin/app_list.html`` as Django's sidebar includes it
    (no change links), drawn once per list of models (its names and links) and set of the
    links the path marks as current (the template's ``url in request.path|urlencode``)."""
    path = quote(request.path, safe="/")  # Django's urlencode filter
    shown = tuple(
        (
            app.get("app_label"),
            app.get("name"),
            app.get("app_url"),
            tuple(
                (m.get("object_name"), m.get("name"), m.get("admin_url"), m.get("add_url"))
                for m in app["models"]
            ),
        )
        for app in app_list
    )
    marked = tuple(
        url
        for _, _, app_url, models in shown
        for url in (app_url, *(model[2] for model in models))
        if url and url in path
    )
    return _SIDEBARS.get(
        (shown, marked),
        lambda: render_to_string(
            "admin/app_list.html",
            {"app_list": app_list, "show_changelinks": False, "request": request},
        ),
    )


_APP_LISTS = Kept()  # per site, app, permission set and URL prefix
_SIDEBARS = Kept()  # per list of models and links marked current
