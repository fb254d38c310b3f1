"""The project's URLs plus the benchmark's floor and peer: a trivial signed-in page, and the
action list built the stack's default way.

Used only by ``bench/run.py`` (through ``override_settings(ROOT_URLCONF="bench.urls")``), so
these URLs never exist in the running application.

- ``floor``: a constant page; the sign-in check is the project's ``LoginRequiredMiddleware``.
- ``peer_list``: what a team would deploy without the project's list machinery: django-filter's
  ``FilterView`` with the project's own filterset (same filters, same visible rows) and
  django-tables2's ``SingleTableMixin`` with a plain ``Table`` of the list's default columns,
  25 rows a page, ordered like the list (the model's ordering, then ``pk``), in the site's
  base template. The runner prints the action list's time over this page's.
- ``peer_admin``: Django admin's change list of the actions as a plain ``ModelAdmin`` on a
  plain ``AdminSite``: the same columns, filters (Django's own classes), search fields,
  joined relations and 50 rows a page, without the project's admin machinery (visibility,
  write policy, capped counts, kept sidebar). The runner prints the admin list's time over
  this page's.
"""

import django_tables2 as tables
from django.contrib import admin
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from actions.admin import ExecutiveActionAdmin
from actions.filtersets import ExecutiveActionFilterSet
from actions.models import ExecutiveAction
from actions.tables import ExecutiveActionTable
from execcoord.urls import urlpatterns as project_urlpatterns

FLOOR_BODY = "<!doctype html><title>floor</title><main><h1>Floor</h1></main>"


def floor(request):
    """A constant page; the sign-in check is the project's ``LoginRequiredMiddleware``."""
    return HttpResponse(FLOOR_BODY)


class PeerActionTable(tables.Table):
    """A plain django-tables2 table of the action list's default columns."""

    class Meta:
        model = ExecutiveAction
        fields = tuple(ExecutiveActionTable.Meta.default_columns)
        template_name = "django_tables2/bootstrap5.html"


PEER_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% load django_tables2 %}'
    "{% block content %}<h1>Executive actions</h1>"
    '<form method="get">{{ filter.form.as_div }}<button type="submit">Filter</button></form>'
    "{% render_table table %}{% endblock %}"
)


class PeerActionList(SingleTableMixin, FilterView):
    """The action list the stack's default way (see the module's docstring)."""

    model = ExecutiveAction
    table_class = PeerActionTable
    filterset_class = ExecutiveActionFilterSet
    paginate_by = 25

    def get_queryset(self):
        ordering = list(ExecutiveAction._meta.ordering or [])
        return (
            ExecutiveAction.objects.visible_to(self.request.user)
            .select_related("action_type", "lead_unit", "accountable_person")
            .order_by(*ordering, "pk")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = kwargs["data"] or None  # unbound when no filter: every visible row
        return kwargs

    def render_to_response(self, context, **response_kwargs):
        return HttpResponse(PEER_TEMPLATE.render(context, self.request))


def _djangos_filter(our_filter):
    """The field one of our admin filters filters on, for Django's own filter of it."""
    if isinstance(our_filter, str):
        return our_filter
    if isinstance(our_filter, tuple):  # (field, our filter class)
        return our_filter[0]
    return our_filter.field_name  # our filter of a chosen record


class PeerActionAdmin(admin.ModelAdmin):
    """The action list in Django admin, Django's defaults (see the module's docstring)."""

    list_display = ExecutiveActionAdmin.list_display
    list_filter = tuple(_djangos_filter(f) for f in ExecutiveActionAdmin.list_filter)
    list_select_related = ExecutiveActionAdmin.list_select_related
    search_fields = ExecutiveActionAdmin.search_fields
    list_per_page = ExecutiveActionAdmin.list_per_page


peer_admin = admin.AdminSite(name="peer_admin")
peer_admin.register(ExecutiveAction, PeerActionAdmin)


urlpatterns = [
    path("__bench__/peer/admin/", peer_admin.urls),
    path("__bench__/floor/", floor),
    path("__bench__/peer/actions/", PeerActionList.as_view()),
    *project_urlpatterns,
]
