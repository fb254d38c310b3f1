"""List filters of the actions app: generated ones plus the documented cross-field rules."""

import datetime

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from execcoord.filtersets import BaseFilterSet

from .choices import FINAL_STATUSES
from .models import (
    Assignment,
    Attachment,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExecutiveAction,
    ExecutiveActionType,
    ExtensionRequest,
    StatusUpdate,
    Tag,
)


class ExecutiveActionFilterSet(BaseFilterSet):
    """Actions, with the dashboard's filters (every dashboard number links to one of these)."""

    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")
    open = filters.BooleanFilter(method="filter_open", label="Open (not completed or cancelled)")
    due_within = filters.NumberFilter(method="filter_due_within", label="Due within (days)")
    lead_unit_subtree = filters.NumberFilter(
        method="filter_lead_unit_subtree", label="Lead unit and its sub-units (unit id)"
    )
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

    class Meta:
        model = ExecutiveAction

    def filter_overdue(self, queryset, name, value):
        """``true``: due before today (agency time zone) and not final; ``false``: the rest."""
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(status__in=FINAL_STATUSES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset, name, value):
        """``true``: not completed or cancelled; ``false``: completed or cancelled."""
        final = Q(status__in=FINAL_STATUSES)
        return queryset.exclude(final) if value else queryset.filter(final)

    def filter_due_within(self, queryset, name, value):
        """Open actions due from today to today + N days (N ≥ 0)."""
        today = timezone.localdate()
        end = today + datetime.timedelta(days=max(int(value), 0))
        return queryset.filter(due_date__range=(today, end)).exclude(status__in=FINAL_STATUSES)

    def filter_lead_unit_subtree(self, queryset, name, value):
        """Actions led by the unit ``value`` or any unit below it (a unit the user may see)."""
        from partners.models import OrganizationUnit

        units = OrganizationUnit.objects.visible_to(self.request.user).filter(pk=value)
        return queryset.filter(lead_unit__in=OrganizationUnit.objects.subtree(units))


class ExecutiveActionTypeFilterSet(BaseFilterSet):
    class Meta:
        model = ExecutiveActionType


class TagFilterSet(BaseFilterSet):
    class Meta:
        model = Tag


class AssignmentFilterSet(BaseFilterSet):
    main_filters = ("status", "role", "organization_unit_id", "action_id", "due_date")

    class Meta:
        model = Assignment


class StatusUpdateFilterSet(BaseFilterSet):
    class Meta:
        model = StatusUpdate


class DecisionLogEntryFilterSet(BaseFilterSet):
    class Meta:
        model = DecisionLogEntry


class DependencyFilterSet(BaseFilterSet):
    class Meta:
        model = Dependency


class ExtensionRequestFilterSet(BaseFilterSet):
    class Meta:
        model = ExtensionRequest


class DueDateChangeFilterSet(BaseFilterSet):
    class Meta:
        model = DueDateChange


class AttachmentFilterSet(BaseFilterSet):
    class Meta:
        model = Attachment
