"""The read-side pages: My work (home), the manager dashboard, the calendar feed and its page.

Plain function views (STYLE.md §5): each starts from ``visible_to`` through the named queries in
``actions.queries`` and renders; no business rule lives here.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from actions import queries
from actions.choices import Priority
from actions.models import CalendarFeedToken, ExecutiveAction, ExecutiveActionType
from execcoord import policy
from execcoord.widgets import AutocompleteSelect
from partners.access import get_user_scope
from partners.models import OrganizationUnit

VIEW_PERMISSION = "actions.view_executiveaction"


def my_work(request):
    """Home page: the signed-in user's taskers in lean sections, each linking to its list."""
    today = timezone.localdate()
    sections, person_id = queries.my_work(request.user, today)
    return render(
        request,
        "actions/my_work.html",
        {"sections": sections, "person_id": person_id, "today": today},
    )


class VisibleUnitField(forms.TypedChoiceField):
    """A unit the user may see, by id: checked with one lookup (``units``, a
    :class:`UnitLookup`) rather than a list of every unit (ten thousand in a large agency)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, empty_value=None, **kwargs)
        self.units = None

    def valid_value(self, value):
        try:
            return self.units is not None and self.units.row(int(value)) is not None
        except (TypeError, ValueError, OverflowError):
            return False


class DashboardForm(forms.Form):
    """The dashboard's choices: a unit (with sub-units), type, priority, suspense range.

    Args:
        units: a :class:`UnitLookup` of the user (checks the chosen unit, and keeps it with
            its children for the view).
        types: the action types the user may see.
    """

    unit = VisibleUnitField(required=False, label="Organization unit (with its sub-units)")
    scope = forms.ChoiceField(
        choices=[("lead", "Led by the unit"), ("issued", "Issued by the unit")],
        required=False,
        label="Taskers",
    )
    action_type = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Type")
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
    routes_after = forms.DateField(
        required=False,
        label="Routes completed from",
        help_text=f"Dwell time: the last {queries.DWELL_DEFAULT_DAYS} days when left empty.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    routes_before = forms.DateField(
        required=False,
        label="Routes completed to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, units, types, **kwargs):
        super().__init__(*args, **kwargs)
        # every visible unit is a valid choice; the picker draws only the chosen one and
        # searches the rest as the user types (a select of a thousand units is unusable)
        self.fields["unit"].units = units
        self.fields["unit"].widget = AutocompleteSelect(OrganizationUnit)
        self.fields["unit"].widget.choices = [("", "---------")]
        self.fields["action_type"].choices = [("", "All types")] + [
            (kind.pk, str(kind)) for kind in types
        ]
        for name, bound in self.fields.items():
            selects = ("unit", "scope", "action_type", "priority")
            css = "form-select" if name in selects else "form-control"
            bound.widget.attrs["class"] = (
                f"{css} form-select-sm" if css == "form-select" else (f"{css} form-control-sm")
            )

    def clean(self):
        data = super().clean()
        after, before = data.get("due_after"), data.get("due_before")
        if after and before and after > before:
            self.add_error("due_before", "The end of the range cannot be before its start.")
        after, before = data.get("routes_after"), data.get("routes_before")
        if after and before and after > before:
            self.add_error("routes_before", "The end of the range cannot be before its start.")
        return data

    def show_unit(self, unit, scope):
        """Offer ``unit`` (the one shown) as the picker's only drawn option, and show the
        scope in force."""
        self.fields["unit"].widget.choices = [("", "---------"), (unit.pk, str(unit))]
        if not self.is_bound:
            self.initial["unit"] = unit.pk
            self.initial["scope"] = scope


# what the dashboard reads of a unit, in the model's column order (``from_db`` reads them so)
UNIT_FIELDS = [
    field.attname
    for field in OrganizationUnit._meta.concrete_fields
    if field.attname in ("id", "name", "abbreviation", "path", "depth", "parent_id")
]


class UnitLookup:
    """The units of the dashboard as ``user`` sees them, read a unit at a time: the unit and
    its visible children in one query (a large agency's ten thousand units are never all
    read to show one and its children)."""

    def __init__(self, user):
        self.user = user
        self._read = {}

    def _rows(self, pk):
        if pk not in self._read:
            rows = (
                OrganizationUnit.objects.visible_to(self.user)
                .filter(Q(pk=pk) | Q(parent_id=pk))
                .values_list(*UNIT_FIELDS, named=True)
            )
            self._read[pk] = list(rows)
        return self._read[pk]

    def row(self, pk):
        """The row of unit ``pk`` if the user sees it, else ``None``."""
        return next((row for row in self._rows(pk) if row.id == pk), None)

    def unit(self, pk):
        """The unit record of ``pk`` (``None`` if the user does not see it)."""
        row = self.row(pk)
        return None if row is None else OrganizationUnit.from_db("default", UNIT_FIELDS, tuple(row))

    def children(self, unit):
        """The visible child units of ``unit``, by name."""
        rows = sorted(
            (row for row in self._rows(unit.pk) if row.parent_id == unit.pk),
            key=lambda row: (row.name, row.id),
        )
        return [OrganizationUnit.from_db("default", UNIT_FIELDS, tuple(row)) for row in rows]

    def default(self):
        """The unit a dashboard opens on: the top unit the user manages, else their own unit,
        else the top of the tree they see."""
        scope = get_user_scope(self.user)
        managed = sorted(scope.managed_roots(), key=lambda root: (root[0].count("/"), root[0]))
        for pk in [pk for _, pk in managed] + [scope.unit_id]:
            if pk is not None and (unit := self.unit(pk)) is not None:
                return unit
        top = OrganizationUnit.objects.visible_to(self.user).order_by("depth", "path").first()
        return None if top is None else self.unit(top.pk)


def default_issued(user, unit):
    """Whether the dashboard opens on what ``unit`` issued: for the secretariat's own unit."""
    scope = get_user_scope(user)
    return bool(unit is not None and scope.in_secretariat and unit.pk == scope.unit_id)


def dashboard(request):
    """The manager dashboard for a unit and its sub-units; every number links to its rows."""
    if not policy.has_perm(request.user, VIEW_PERMISSION):
        raise PermissionDenied
    units = UnitLookup(request.user)
    types = list(ExecutiveActionType.objects.visible_to(request.user))
    form = DashboardForm(request.GET or None, units=units, types=types)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = units.unit(data["unit"]) if data.get("unit") else units.default()
    # the secretariat opens on what its unit issued; everyone else on what the unit leads
    scope = data.get("scope") or ("issued" if default_issued(request.user, unit) else "lead")
    if unit is not None:
        form.show_unit(unit, scope)
    context = {
        "form": form,
        "unit": unit,
        "due_soon_days": settings.DUE_SOON_DAYS,
        "issued": scope == "issued",
    }
    if unit is not None:
        filters = queries.DashboardFilters(
            unit=unit,
            action_type_id=data.get("action_type"),
            priority=data.get("priority") or None,
            due_after=data.get("due_after"),
            due_before=data.get("due_before"),
            issued=scope == "issued",
        )
        children = units.children(unit)
        type_names = {kind.pk: str(kind) for kind in types}
        today = timezone.localdate()
        context.update(queries.dashboard(request.user, filters, today, children, type_names))
        before = data.get("routes_before") or today
        after = data.get("routes_after") or before - datetime.timedelta(
            days=queries.DWELL_DEFAULT_DAYS - 1
        )
        context.update(
            dwell=queries.dwell_by_office(request.user, unit, after, before),
            dwell_after=after,
            dwell_before=before,
        )
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
    scope = get_user_scope(user)
    if not scope.person_id:
        return ExecutiveAction.objects.none()
    pid = scope.person_id
    mine = Q(accountable_person_id=pid) | queries.assigned_q(person_id=pid)
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
