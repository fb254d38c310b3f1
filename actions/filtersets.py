"""List filters of the actions app: generated ones plus the documented cross-field rules."""

import django_filters as filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from execcoord.filtersets import BaseFilterSet, DaysFilter, NumberInFilter
from partners.models import OrganizationUnit, Person

from . import due, queries
from .models import Assignment, ExecutiveAction, RouteStep


class ExecutiveActionFilterSet(BaseFilterSet):
    """Actions, with the dashboard's filters (every dashboard number links to one of these)."""

    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")
    open = filters.BooleanFilter(
        method="filter_open", label="Open", help_text="Not completed or cancelled."
    )
    due_within = DaysFilter(method="filter_due_within", label="Due within (days)")
    lead_unit_subtree = NumberInFilter(
        method="filter_lead_unit_subtree", label="Lead unit and its sub-units"
    )
    held_by_unit = filters.NumberFilter(
        method="filter_held_by_unit",
        label="On the desk of (office)",
        help_text="Open taskers whose current route step is this office's.",
    )
    issuing_unit_subtree = NumberInFilter(
        method="filter_issuing_unit_subtree", label="Issued by the unit or its sub-units"
    )
    has_lead_unit = filters.BooleanFilter(method="filter_has_lead_unit", label="Lead unit named")
    needs_officer = filters.BooleanFilter(
        method="filter_needs_officer",
        label="Needs an action officer",
        help_text="Issued and open, with a lead unit but no accountable person yet.",
    )
    # The drill-through filters of My work and the dashboard (actions.queries): each
    # dashboard number links to the list with exactly the rows it counts.
    overdue_days_min = DaysFilter(
        method="filter_overdue_days_min", label="Overdue by at least (days)"
    )
    overdue_days_max = DaysFilter(
        method="filter_overdue_days_max", label="Overdue by at most (days)"
    )
    completed_on_time = filters.BooleanFilter(
        method="filter_completed_on_time", label="Completed on time (current suspense)"
    )
    completed_on_time_original = filters.BooleanFilter(
        method="filter_completed_on_time_original", label="Completed on time (original suspense)"
    )
    extended = filters.BooleanFilter(method="filter_extended", label="Extension granted")
    extension_pending = filters.BooleanFilter(
        method="filter_extension_pending", label="Extension request pending"
    )
    supporting_unit = filters.NumberFilter(method="filter_supporting_unit", label="Supporting unit")
    involving_person = filters.NumberFilter(method="filter_involving_person", label="Work of")
    main_filters = (
        "status",
        "priority",
        "lead_unit_id",
        "accountable_person_id",
        "overdue",
        "open",
        "due_within",
        "due_date",
    )
    # the list opens on the work still to do; "Open: Any" shows the finished ones too
    defaults = {"open": "true"}
    # set by the dashboard's and My work's links; shown as chips naming the records
    link_filters = (
        "lead_unit_subtree",
        "issuing_unit_subtree",
        "has_lead_unit",
        "needs_officer",
        "supporting_unit",
        "involving_person",
        "overdue_days_min",
        "overdue_days_max",
    )
    chip_models = {
        "lead_unit_subtree": "partners.OrganizationUnit",
        "issuing_unit_subtree": "partners.OrganizationUnit",
        "supporting_unit": "partners.OrganizationUnit",
        "involving_person": "partners.Person",
    }

    class Meta:
        model = ExecutiveAction

    def filter_overdue(self, queryset, name, value):
        """``true``: due before today (agency time zone) and not final; ``false``: the rest."""
        overdue = due.overdue_q(timezone.localdate())  # open statuses: uses an index
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset, name, value):
        """``true``: not completed or cancelled; ``false``: completed or cancelled."""
        return queryset.filter(due.OPEN if value else due.FINAL)  # by name: the status index

    def filter_due_within(self, queryset, name, value):
        """Open actions due from today to today + N days (N ≥ 0)."""
        return queryset.filter(due.due_soon_q(timezone.localdate(), max(int(value), 0)))

    def filter_lead_unit_subtree(self, queryset, name, value):
        """Actions led by one of the units ``value`` (``5`` or ``5,9``) or any unit below them
        (units the user may see)."""
        units = OrganizationUnit.objects.visible_to(self.request.user).filter(pk__in=value)
        return queryset.filter(lead_unit__in=OrganizationUnit.objects.subtree(units))

    def filter_issuing_unit_subtree(self, queryset, name, value):
        """Actions issued by one of the units ``value`` or any unit below them (what a
        secretariat issued; units the user may see)."""
        units = OrganizationUnit.objects.visible_to(self.request.user).filter(pk__in=value)
        return queryset.filter(issuing_unit__in=OrganizationUnit.objects.subtree(units))

    def filter_has_lead_unit(self, queryset, name, value):
        """``true``: a lead unit is named; ``false``: none yet (a draft being prepared)."""
        return queryset.filter(lead_unit__isnull=not value)

    def filter_needs_officer(self, queryset, name, value):
        """``true``: issued and open, led by a unit, nobody accountable yet (the lead unit's
        manager names the action officer); ``false``: the rest."""
        q = queries.needs_officer_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue_days_min(self, queryset, name, value):
        """Overdue by at least N whole days: open, suspense on or before today − N (N ≥ 1)."""
        days = max(int(value), 1)
        return queryset.filter(due.overdue_days_q(timezone.localdate(), days))

    def filter_overdue_days_max(self, queryset, name, value):
        """Overdue by at most N whole days: open, suspense from today − N to yesterday."""
        return queryset.filter(due.overdue_days_q(timezone.localdate(), 1, max(int(value), 1)))

    def filter_completed_on_time(self, queryset, name, value):
        """``true``: completed on or before the current suspense; ``false``: completed after
        it. Actions without a completion or due date match neither."""
        return queryset.filter(due.completed_on_time_q("due_date", value))

    def filter_completed_on_time_original(self, queryset, name, value):
        """Like ``completed_on_time``, measured against the suspense set at issue."""
        return queryset.filter(due.completed_on_time_q("original_due_date", value))

    def filter_extended(self, queryset, name, value):
        """``true``: at least one extension request approved; ``false``: none approved."""
        q = queries.extended_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_extension_pending(self, queryset, name, value):
        """``true``: an extension request waits for a decision; ``false``: none waits."""
        q = queries.extension_pending_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_supporting_unit(self, queryset, name, value):
        """Actions the unit ``value`` is assigned to as a supporting unit (OCR)."""
        return queryset.filter(
            Exists(Assignment.objects.filter(action=OuterRef("pk"), organization_unit_id=value))
        )

    def filter_held_by_unit(self, queryset, name, value):
        """Open taskers whose current route step belongs to office ``value`` (the ball is
        in its court; ``actions.queries.held_by_unit_q``)."""
        return queryset.filter(queries.held_by_unit_q(int(value)))

    def filter_involving_person(self, queryset, name, value):
        """A person's work: they are accountable or named on an assignment, or the action is
        led by or assigned to their unit (what "My work" lists)."""
        person = Person.objects.visible_to(self.request.user).filter(pk=value).first()
        if person is None:
            return queryset.none()
        return queryset.filter(queries.involving_q(person.pk, person.organization_unit_id))


class RouteStepFilterSet(BaseFilterSet):
    """Route steps, with the dashboard's dwell-time drill-through: the steps of routes
    completed in a period, on taskers led by a unit's subtree (``actions.queries.dwell``)."""

    main_filters = ("kind", "state", "organization_unit_id", "action_id")
    route_completed = filters.DateFromToRangeFilter(
        method="filter_route_completed", label="Route completed"
    )
    lead_unit_subtree = NumberInFilter(
        method="filter_lead_unit_subtree", label="Tasker's lead unit and its sub-units"
    )

    class Meta:
        model = RouteStep

    def filter_route_completed(self, queryset, name, value):
        """Steps of complete routes whose last step was done in the range
        (``route_completed_after`` / ``_before``, inclusive)."""
        if not value or (value.start is None and value.stop is None):
            return queryset
        return queryset.filter(action_id__in=queries.completed_routes(value.start, value.stop))

    def filter_lead_unit_subtree(self, queryset, name, value):
        """Steps of taskers led by the units ``value`` or below (units the user sees)."""
        units = OrganizationUnit.objects.visible_to(self.request.user).filter(pk__in=value)
        return queryset.filter(action__lead_unit__in=OrganizationUnit.objects.subtree(units))


# the filters shown open on the lists whose filters are all generated
MAIN_FILTERS = {
    "Assignment": ("status", "role", "organization_unit_id", "action_id", "due_date"),
    "ProcessTemplate": ("action_type_id", "is_active"),
    "TemplateSubtasker": ("template_id", "organization_unit_id", "role"),
    "TemplateRouteStep": ("template_id", "kind", "organization_unit_id"),
}
