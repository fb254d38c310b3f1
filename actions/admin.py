"""Admin of the actions app: reference data, and actions for administrators.

Every page asks the write policy (``execcoord.admin.BaseAdmin``, ``actions.policy``): the
workflow facts of an action (status, number, issuer, dates the moves set, and on an existing
action its lead unit and accountable person) are read-only here and move through the
action's own pages; the supporting units of the inline are edited only by those who assign
the action. Due-date changes go through ``services.change_due_date`` with a reason, exactly
as on the staff pages. An action's fields are grouped as on its form
(``ExecutiveActionForm.fieldsets``).
"""

import datetime

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from actions import services
from actions.models import (
    ActionNumberSequence,
    Assignment,
    Attachment,
    CalendarFeedToken,
    CompletionTally,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExecutiveAction,
    ExecutiveActionType,
    ExtensionRequest,
    Notification,
    NotificationEvent,
    NotificationPreference,
    ProcessTemplate,
    ReminderLog,
    RouteStep,
    RouteStepEvent,
    StatusUpdate,
    Tag,
    TemplateRouteStep,
    TemplateSubtasker,
)
from actions.resources import ExecutiveActionResource, ExecutiveActionTypeResource
from execcoord.admin import (
    BaseAdmin,
    ChosenRecordFilter,
    ConcurrencyAdminForm,
    PolicyInline,
    ReadOnly,
    ReadOnlyInline,
    relation_fields,
)
from execcoord.imports import admin_mixin
from partners.access import get_user_scope

ImportExportAdminMixin = admin_mixin()


class UntrackedAdmin(BaseAdmin):
    """For the bookkeeping models, which keep no change history: Django's own history page
    (the admin log) instead of simple_history's."""

    object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)


class ActionTypeFilter(ChosenRecordFilter):
    title = "action type"
    parameter_name = "action_type__id__exact"
    field_name = "action_type"


class TagFilter(ChosenRecordFilter):
    title = "tag"
    parameter_name = "tags__id__exact"
    field_name = "tags"


def _link_to_actions(list_filter, record):
    """A link to the admin list of the actions of ``record`` (no query)."""
    url = reverse("admin:actions_executiveaction_changelist")
    return format_html('<a href="{}?{}={}">Actions</a>', url, list_filter.parameter_name, record.pk)


@admin.register(ExecutiveActionType)
class ExecutiveActionTypeAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [ExecutiveActionTypeResource]
    list_display = (
        "name",
        "category",
        "number_prefix",
        "default_priority",
        "default_days_to_due",
        "is_active",
        "action_list",
    )
    list_filter = (
        "category",
        "is_active",
        "requires_legal_authority",
        "requires_impact_assessment",
        "requires_risk_assessment",
    )
    search_fields = ("name", "description")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="Actions")
    def action_list(self, action_type):
        return _link_to_actions(ActionTypeFilter, action_type)


@admin.register(Tag)
class TagAdmin(BaseAdmin):
    list_display = ("name", "action_list")
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="Actions")
    def action_list(self, tag):
        return _link_to_actions(TagFilter, tag)


class ExecutiveActionAdminForm(ConcurrencyAdminForm):
    """A due-date change needs its reason (it is recorded by ``services.change_due_date``).
    The status and the other workflow facts are read-only here (the write policy); they
    move through the workflow buttons of the action's page."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the due date of an existing action.",
    )

    class Meta:
        model = ExecutiveAction
        fields = "__all__"  # noqa: DJ007 (the admin narrows it to its fieldsets)

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk
            and "due_date" in self.changed_data
            and not cleaned.get("due_date_change_reason")
        ):
            self.add_error("due_date_change_reason", "Say why the due date changes.")
        self.instance._parent_suspense_checked = True  # with the typed values: the model need not
        problem = services.late_suspense_problem(
            self.instance,
            cleaned.get("parent"),
            cleaned.get("due_date"),
            cleaned.get("late_suspense_reason"),
        )
        if problem:
            self.add_error("late_suspense_reason", problem)
        return cleaned


class DueDateFilter(admin.DateFieldListFilter):
    """Due dates by what is coming: before today, today, the next 7 or 30 days, this year or
    next. Links only, no query.

    The actions and the records that grow with them filter their dates through links like
    these (``DateFieldListFilter``), not a date hierarchy, which reads every row twice for its
    years: ~90 ms for 100,000 actions, ~300 ms for their 200,000 status updates.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        this_year = today.replace(month=1, day=1)
        next_year = this_year.replace(year=today.year + 1)

        def between(start, end):
            return {self.lookup_kwarg_since: str(start), self.lookup_kwarg_until: str(end)}

        self.links = (
            ("Any date", {}),
            ("Before today", {self.lookup_kwarg_until: str(today)}),
            ("Today", between(today, today + day)),
            ("Next 7 days", between(today, today + 8 * day)),
            ("Next 30 days", between(today, today + 31 * day)),
            ("This year", between(this_year, next_year)),
            ("Next year", between(next_year, next_year.replace(year=next_year.year + 1))),
        )
        if field.null:
            self.links += (
                ("No date", {self.field_generic + "isnull": "True"}),
                ("Has date", {self.field_generic + "isnull": "False"}),
            )


class AssignmentInline(PolicyInline):
    """Supporting units: edited here by those who may assign the action (``may_assign``),
    listed for anyone else; an answer is recorded on the action's page."""

    model = Assignment
    extra = 0
    fields = ("organization_unit", "person", "role", "due_date", "status")
    autocomplete_fields = ("organization_unit", "person")
    show_change_link = True


class StatusUpdateInline(ReadOnlyInline):
    model = StatusUpdate
    fields = ("status_date", "kind", "health", "percent_complete", "reported_by")
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = DecisionLogEntry
    fields = ("decision_date", "title", "category", "decided_by")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("title", "kind", "uploaded_at", "size")
    readonly_fields = fields


@admin.register(ExecutiveAction)
class ExecutiveActionAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [ExecutiveActionResource]
    form = ExecutiveActionAdminForm
    list_display = (
        "number",
        "title",
        "status",
        "priority",
        "lead_unit",
        "accountable_person",
        "due_date",
    )
    list_filter = (
        "status",
        "priority",
        "visibility",
        "security_classification",
        "health",
        "category",
        ("due_date", DueDateFilter),
        ActionTypeFilter,
        TagFilter,
    )
    list_select_related = ("lead_unit", "accountable_person")
    search_fields = ("number", "title", "description")
    show_facets = admin.ShowFacets.NEVER  # a facet is a COUNT over every visible action
    autocomplete_fields = relation_fields(ExecutiveAction)
    readonly_fields = (
        "workflow_link",
        "number",
        "version",
        "held_from_status",
        "original_due_date",
        "is_overdue",
        "days_overdue",
        "completed_on_time",
        "completed_on_time_original",
        "message_id",
        "created_at",
        "updated_at",
    )
    fields_before = {"title": ("number",)}
    fields_after = {
        "status": ("workflow_link", "held_from_status"),
        "received_from_person": ("message_id",),
        "due_date_change_reason": ("original_due_date",),
        "completed_date": (
            "is_overdue",
            "days_overdue",
            "completed_on_time",
            "completed_on_time_original",
        ),
    }
    collapsed_groups = ("Receipt", "Context", "Plan")
    inlines = (AssignmentInline, StatusUpdateInline, DecisionInline, AttachmentInline)

    def get_search_results(self, request, queryset, search_term):
        """Also the actions carrying a tag named ``search_term`` (the sidebar lists no tags: the
        list of every tag grows without bound). An ``EXISTS``, so the list needs no
        ``DISTINCT``."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        name = search_term.strip()
        if name:
            tagged = Tag.objects.filter(actions=OuterRef("pk"), name__iexact=name)
            found |= queryset.filter(Exists(tagged))
        return found, may_have_duplicates

    @admin.display(description="Workflow")
    def workflow_link(self, action):
        """Status moves are made on the action's page, where the workflow buttons are."""
        if not action.pk:
            return "—"
        return format_html(
            '<a href="{}">Open the action\'s page to issue, start, submit, approve…</a>',
            action.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change):
        """A new action is issued by the administrator's unit; a changed due date moves
        through ``services.change_due_date`` (history and the due-date record)."""
        if not change:
            scope = get_user_scope(request.user)
            obj.issued_by_id = obj.issued_by_id or scope.person_id
            obj.issuing_unit_id = obj.issuing_unit_id or scope.unit_id
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        new_due = obj.due_date
        obj.due_date = obj._stored_due_date
        super().save_model(request, obj, form, change)
        if new_due != obj.due_date:
            services.change_due_date(
                obj, new_due, request.user, form.cleaned_data["due_date_change_reason"]
            )


@admin.register(Assignment)
class AssignmentAdmin(BaseAdmin):
    list_display = ("action", "organization_unit", "person", "role", "status", "due_date")
    list_filter = ("role", "status")
    list_select_related = ("action", "organization_unit", "person")
    search_fields = ("response", "action__number", "action__title")
    autocomplete_fields = relation_fields(Assignment)
    readonly_fields = ("created_at", "updated_at")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(BaseAdmin):
    list_display = ("__str__", "action", "health", "percent_complete", "reported_by")
    list_filter = (
        "kind",
        "health",
        "escalation_required",
        ("status_date", admin.DateFieldListFilter),
    )
    list_select_related = ("action", "reported_by")
    search_fields = ("action__number", "key_accomplishments", "next_steps", "notes")
    autocomplete_fields = relation_fields(StatusUpdate)
    readonly_fields = ("created_at", "updated_at")


@admin.register(DecisionLogEntry)
class DecisionLogEntryAdmin(BaseAdmin):
    list_display = ("title", "action", "category", "decision_date", "decided_by")
    list_filter = ("category", ("decision_date", admin.DateFieldListFilter))
    list_select_related = ("action", "decided_by")
    search_fields = ("title", "description", "rationale", "action__number")
    autocomplete_fields = relation_fields(DecisionLogEntry)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Dependency)
class DependencyAdmin(BaseAdmin):
    list_display = ("__str__", "predecessor", "successor", "status", "critical_path")
    list_filter = ("dependency_type", "status", "critical_path")
    list_select_related = ("predecessor", "successor")
    search_fields = ("predecessor__number", "successor__number", "description")
    autocomplete_fields = relation_fields(Dependency)
    readonly_fields = ("created_at", "updated_at")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(BaseAdmin):
    """Requests are decided on the staff pages (``services.decide_extension``), which move
    the due date with a record; here they are read."""

    list_display = ("__str__", "action", "current_due_date", "requested_due_date", "status")
    list_filter = ("status",)
    list_select_related = ("action",)
    search_fields = ("action__number", "justification")
    autocomplete_fields = ("action",)
    readonly_fields = (
        "requested_by",
        "status",
        "decided_by",
        "decided_at",
        "decision_comment",
        "created_at",
        "updated_at",
    )


@admin.register(DueDateChange)
class DueDateChangeAdmin(ReadOnly, BaseAdmin):
    """The due-date record is written by ``services.change_due_date`` only."""

    list_display = ("__str__", "action", "changed_at", "changed_by")
    list_filter = (("changed_at", admin.DateFieldListFilter),)
    list_select_related = ("action", "changed_by")
    search_fields = ("action__number", "reason")


@admin.register(Attachment)
class AttachmentAdmin(BaseAdmin):
    list_display = ("title", "action", "kind", "uploaded_at", "size")
    list_filter = ("kind",)
    list_select_related = ("action",)
    search_fields = ("title", "action__number")
    autocomplete_fields = ("action",)
    readonly_fields = ("size", "content_type", "uploaded_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class _RouteAdmin(ReadOnly, BaseAdmin):
    """The route is changed on the tasker's page (``actions.routing``); here it is read."""


@admin.register(RouteStep)
class RouteStepAdmin(_RouteAdmin):
    list_display = ("__str__", "action", "organization_unit", "person", "state", "outcome")
    list_filter = ("kind", "state", "outcome")
    list_select_related = ("action", "organization_unit", "person")
    search_fields = ("action__number", "action__title")


@admin.register(RouteStepEvent)
class RouteStepEventAdmin(_RouteAdmin):
    list_display = ("__str__", "action", "step", "kind", "outcome", "user", "on_behalf")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    list_select_related = ("action", "step", "user")
    search_fields = ("action__number",)


@admin.register(ActionNumberSequence)
class ActionNumberSequenceAdmin(ReadOnly, UntrackedAdmin):
    """Counters are read-only: changing one by hand could hand out a number twice."""

    list_display = ("prefix", "year", "last_value")
    search_fields = ("prefix",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompletionTally)
class CompletionTallyAdmin(ActionNumberSequenceAdmin):
    """The dashboard's maintained on-time figures (``actions.tallies``), read-only: the
    database keeps them exact in the statement of every write."""

    list_display = (
        "unit_id",
        "visibility",
        "security_classification",
        "on_time_original",
        "late_original",
        "on_time_current",
        "late_current",
    )
    list_filter = ("visibility", "security_classification")
    search_fields = ()


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(UntrackedAdmin):
    """Administrators may revoke a feed URL; the token itself is never shown."""

    list_display = ("user", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "created_at", "revoked_at")
    readonly_fields = ("user", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnly, UntrackedAdmin):
    list_display = ("__str__", "person", "date", "kind", "item_count", "sent_at")
    list_filter = ("kind", ("date", admin.DateFieldListFilter))
    list_select_related = ("person",)
    search_fields = ("person__last_name", "person__email")


class TemplateSubtaskerInline(PolicyInline):
    model = TemplateSubtasker
    fields = TemplateSubtasker.row_fields
    autocomplete_fields = ("organization_unit",)
    extra = 1


class TemplateRouteStepInline(PolicyInline):
    model = TemplateRouteStep
    fields = TemplateRouteStep.row_fields
    autocomplete_fields = ("organization_unit", "person")
    extra = 1


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(BaseAdmin):
    """A template with its standard sub-taskers and route steps as inlines."""

    list_display = ("name", "action_type", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    readonly_fields = ("created_at", "updated_at")
    inlines = (TemplateSubtaskerInline, TemplateRouteStepInline)


@admin.register(TemplateSubtasker)
class TemplateSubtaskerAdmin(BaseAdmin):
    list_display = ("title_pattern", "template", "organization_unit", "offset_business_days")
    search_fields = ("title_pattern",)
    autocomplete_fields = ("organization_unit",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(TemplateRouteStep)
class TemplateRouteStepAdmin(BaseAdmin):
    list_display = ("template", "position", "kind", "organization_unit", "person")
    autocomplete_fields = ("organization_unit", "person")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Notification)
class NotificationAdmin(ReadOnly, UntrackedAdmin):
    """Who was told of what, and whether the e-mail went (read only)."""

    list_display = ("__str__", "recipient", "kind", "mail_state", "created_at", "read_at")
    list_filter = ("kind", "mail_state", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("recipient__last_name", "recipient__email", "message")
    raw_id_fields = ("event", "recipient", "action")


@admin.register(NotificationEvent)
class NotificationEventAdmin(ReadOnly, UntrackedAdmin):
    """The workflow events told (the outbox): when each was fanned out (read only)."""

    list_display = ("__str__", "kind", "action", "actor", "created_at", "fanned_out_at")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("action", "actor")
    raw_id_fields = ("action", "actor")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(UntrackedAdmin):
    list_display = ("__str__", "person", "kind", "delivery")
    list_filter = ("kind", "delivery")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
