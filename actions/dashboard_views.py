"""The read-side pages: My work (home), the manager dashboard, the calendar feed and its page.

Plain function views (STYLE.md §5): each starts from ``visible_to`` through the named queries in
``actions.dashboards`` and renders; no business rule lives here.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from actions import dashboards
from actions.choices import Priority
from actions.models import CalendarFeedToken, ExecutiveAction, ExecutiveActionType
from partners.access import get_user_scope
from partners.models import OrganizationUnit

VIEW_PERMISSION = "actions.view_executiveaction"


def my_work(request):
    """Home page: the signed-in user's taskers in lean sections, each linking to its list."""
    today = timezone.localdate()
    sections, person_id = dashboards.my_work(request.user, today)
    return render(
        request,
        "actions/my_work.html",
        {"sections": sections, "person_id": person_id, "today": today},
    )


class DashboardForm(forms.Form):
    """The dashboard's choices: a unit (with sub-units), type, priority, suspense range."""

    unit = forms.ModelChoiceField(
        queryset=OrganizationUnit.objects.none(),
        required=False,
        label="Organization unit (with its sub-units)",
    )
    action_type = forms.ModelChoiceField(
        queryset=ExecutiveActionType.objects.none(),
        required=False,
        label="Type",
        empty_label="All types",
    )
    priority = forms.ChoiceField(
        choices=[("", "All priorities"), *Priority.choices], required=False, label="Priority"
    )
    due_after = forms.DateField(
        required=False,
        label="Suspense from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = forms.DateField(
        required=False, label="Suspense to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrganizationUnit.objects.visible_to(user).order_by("path")
        self.fields["unit"].label_from_instance = _indented_unit
        self.fields["action_type"].queryset = ExecutiveActionType.objects.visible_to(user)
        for name, bound in self.fields.items():
            css = "form-select" if name in ("unit", "action_type", "priority") else "form-control"
            bound.widget.attrs["class"] = (
                f"{css} form-select-sm" if css == "form-select" else (f"{css} form-control-sm")
            )

    def clean(self):
        data = super().clean()
        after, before = data.get("due_after"), data.get("due_before")
        if after and before and after > before:
            self.add_error("due_before", "The end of the range cannot be before its start.")
        return data


def _indented_unit(unit):
    return f"{'— ' * unit.depth}{unit.abbreviation or unit.name}"


def default_unit(user):
    """The unit a dashboard opens on: the top unit the user manages, else their own unit,
    else the top of the tree."""
    scope = get_user_scope(user)
    units = OrganizationUnit.objects.visible_to(user)
    if scope.managed_unit_ids:
        top = units.filter(pk__in=scope.managed_unit_ids).order_by("depth", "path").first()
        if top:
            return top
    if scope.unit_id:
        own = units.filter(pk=scope.unit_id).first()
        if own:
            return own
    return units.order_by("depth", "path").first()


def dashboard(request):
    """The manager dashboard for a unit and its sub-units; every number links to its rows."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = DashboardForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = data.get("unit") or default_unit(request.user)
    if not form.is_bound:
        form.initial["unit"] = unit
    context = {"form": form, "unit": unit, "due_soon_days": settings.DUE_SOON_DAYS}
    if unit is not None:
        filters = dashboards.DashboardFilters(
            unit=unit,
            action_type_id=data["action_type"].pk if data.get("action_type") else None,
            priority=data.get("priority") or None,
            due_after=data.get("due_after"),
            due_before=data.get("due_before"),
        )
        context.update(dashboards.dashboard(request.user, filters, timezone.localdate()))
    return render(request, "actions/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# Calendar feed


def calendar_settings(request):
    """The user's private calendar URL, with buttons to create, regenerate or revoke it."""
    token = CalendarFeedToken.objects.filter(user=request.user).first()
    feed_url = None
    if token and token.is_active:
        path = reverse("calendar_feed", args=[token.token])
        feed_url = f"{settings.SITE_URL.rstrip('/')}{path}"
    return render(request, "actions/calendar.html", {"token": token, "feed_url": feed_url})


@require_POST
def calendar_token(request):
    """Create or regenerate (``action=rotate``) or revoke (``action=revoke``) the feed URL."""
    token, created = CalendarFeedToken.objects.get_or_create(user=request.user)
    if request.POST.get("action") == "revoke":
        token.revoke()
        messages.success(
            request, "Your calendar URL no longer works. Calendars using it stop updating."
        )
    elif not created:
        token.rotate()
        messages.success(request, "A new calendar URL was made; the old one no longer works.")
    else:
        messages.success(request, "Your private calendar URL is ready.")
    return HttpResponseRedirect(reverse("calendar_settings"))


@login_not_required
def calendar_feed(request, token):
    """The iCalendar feed of a token's user: the suspense dates of their open taskers.

    The one page that works without signing in (calendar programs cannot sign in); a wrong
    or revoked token, or an inactive user, is a 404. Rows still go through ``visible_to``.
    """
    feed = (
        CalendarFeedToken.objects.active()
        .select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    actions = feed_actions(feed.user)
    calendar = build_calendar(actions, request.get_host())
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="execcoord.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


def feed_actions(user):
    """Open taskers with a suspense date where the user is accountable or named on an
    assignment, as far as the user may see them."""
    from django.db.models import Exists, OuterRef, Q

    from actions.models import Assignment

    scope = get_user_scope(user)
    if not scope.person_id:
        return ExecutiveAction.objects.none()
    pid = scope.person_id
    mine = Q(accountable_person_id=pid) | Q(
        Exists(Assignment.objects.filter(action=OuterRef("pk"), person_id=pid))
    )
    return (
        ExecutiveAction.objects.visible_to(user)
        .open()
        .filter(mine, due_date__isnull=False)
        .select_related("lead_unit")
        .order_by("due_date", "pk")
    )


def build_calendar(actions, host):
    """An iCalendar with one all-day event per action on its suspense date."""
    calendar = Calendar()
    calendar.add("prodid", "-//execcoord//Suspense dates//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Executive Coordination: suspense dates")
    calendar.add("method", "PUBLISH")
    site = settings.SITE_URL.rstrip("/")
    stamp = timezone.now()
    for action in actions:
        event = Event()
        event.add("uid", f"action-{action.pk}@{host.split(':')[0] or 'execcoord'}")
        event.add("dtstamp", stamp)
        event.add("summary", f"Due: {action}")
        event.add("dtstart", action.due_date)
        event.add("dtend", action.due_date + datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        url = f"{site}{action.get_absolute_url()}"
        event.add("url", url)
        unit = action.lead_unit.abbreviation or action.lead_unit.name if action.lead_unit else "—"
        event.add(
            "description",
            f"{action.get_status_display()} · lead unit {unit} · {url}",
        )
        calendar.add_component(event)
    return calendar
