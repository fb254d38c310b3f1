"""Create/edit forms of the actions app."""

from django import forms
from django.utils import timezone

from execcoord.formats import format_date
from execcoord.forms import BaseModelForm, bulk_edit_form_for

from .business_days import non_business_day_reason
from .choices import AssignmentStatus
from .models import (
    Assignment,
    Attachment,
    DecisionLogEntry,
    Dependency,
    DueDateChange,
    ExecutiveAction,
    ExecutiveActionType,
    ExtensionRequest,
    RouteStep,
    RouteStepEvent,
    StatusUpdate,
    Tag,
)
from .policy import answers_on_behalf
from .services import change_due_date, default_due_date


class ExecutiveActionTypeForm(BaseModelForm):
    fieldsets = (
        ("Type", ("name", "category", "number_prefix", "description", "is_active")),
        ("Defaults", ("default_priority", "default_days_to_due")),
        (
            "Required before issuing",
            ("requires_legal_authority", "requires_impact_assessment", "requires_risk_assessment"),
        ),
    )

    class Meta:
        model = ExecutiveActionType
        fields = (
            "name",
            "category",
            "number_prefix",
            "description",
            "default_priority",
            "default_days_to_due",
            "requires_legal_authority",
            "requires_impact_assessment",
            "requires_risk_assessment",
            "is_active",
        )


class TagForm(BaseModelForm):
    class Meta:
        model = Tag
        fields = ("name",)


def prefer_lead_unit_people(form):
    """The accountable-person picker offers the people of the chosen lead unit first: its
    search asks the endpoint with ``prefer=<lead unit>`` (``static/js/execcoord.js``)."""
    if "accountable_person" in form.fields and "lead_unit" in form.fields:
        attrs = form.fields["accountable_person"].widget.attrs
        attrs["data-autocomplete-prefer-from"] = form["lead_unit"].auto_id


class ExecutiveActionForm(BaseModelForm):
    """Create and edit an action. The write policy (``actions.policy``) removes the fields
    the user may not set: the workflow facts always (status moves through the workflow
    buttons, the lead unit and accountable person through the Assign page once the action
    exists). A due-date change goes through ``services.change_due_date`` with the reason
    typed here; a new action starts as a draft with the type's business-day suspense when
    no due date is given."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date of an existing action.",
    )
    fieldsets = (
        (
            "Action",
            (
                "title",
                "action_type",
                "category",
                "status",
                "priority",
                "health",
                "description",
                "details",
                "parent",
            ),
        ),
        ("Responsibility", ("lead_unit", "accountable_person", "partners")),
        (
            "Dates",
            (
                "start_date",
                "due_date",
                "due_date_change_reason",
                "completed_date",
                "percent_complete",
            ),
        ),
        ("Issuance", ("issued_by", "issuing_unit", "issue_date", "executive_sponsor")),
        (
            "Receipt",
            (
                "method_of_receipt",
                "received_date",
                "received_from_account",
                "received_from_unit",
                "received_from_person",
            ),
        ),
        ("Access", ("visibility", "security_classification")),
        (
            "Context",
            (
                "source_legal_authority",
                "source_analysis",
                "source_impact",
                "source_risk_item",
                "legal_authorities",
                "analyses",
                "impacts",
                "risk_items",
                "agreements",
                "tags",
            ),
        ),
        (
            "Plan",
            (
                "estimated_effort_hours",
                "estimated_budget",
                "strategic_alignment",
                "success_criteria",
                "requires_formal_decision",
                "compliance_driven",
            ),
        ),
        ("Closure", ("outcome", "outcome_summary", "notes")),
    )

    class Meta:
        model = ExecutiveAction
        exclude = ("held_from_status", "original_due_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or "due_date" not in self.fields:
            del self.fields["due_date_change_reason"]  # nothing to explain
        prefer_lead_unit_people(self)

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            if not cleaned.get("due_date") and cleaned.get("action_type"):
                cleaned["due_date"] = default_due_date(
                    cleaned["action_type"], parent=cleaned.get("parent")
                )
        elif (
            "due_date" in self.changed_data
            and cleaned.get("due_date") != instance.due_date
            and not cleaned.get("due_date_change_reason", "").strip()
        ):
            self.add_error("due_date_change_reason", "Say why the due date changes.")
        return cleaned

    def due_date_warning(self):
        """A note when the due date falls on a weekend or federal holiday (not an error)."""
        due = self.cleaned_data.get("due_date") if hasattr(self, "cleaned_data") else None
        reason = non_business_day_reason(due)
        return f"The due date {format_date(due)} falls on {reason}." if reason else None

    def save(self, commit=True):
        """Save the fields, then move the due date through ``services.change_due_date``
        (history and the ``DueDateChange`` happen there)."""
        instance = self.instance
        if instance.pk is None or not commit:
            return super().save(commit=commit)
        new_due = instance.due_date
        instance.due_date = instance._stored_due_date
        if self.user is not None:
            instance._history_user = self.user
        saved = super().save(commit=True)
        if new_due != saved.due_date:
            change_due_date(
                saved, new_due, self.user, self.cleaned_data["due_date_change_reason"].strip()
            )
        return saved


class ExecutiveActionBulkEditForm(
    bulk_edit_form_for(ExecutiveAction, ("status", "priority", "health", "due_date", "visibility")),
):
    """Bulk edit of actions: a status is a move of the status machine, made per record
    through ``services.transition``; a due date goes through ``services.change_due_date``
    with the reason; the rest are set on each record (``BulkEditView.apply``)."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_date") and not cleaned.get("due_date_change_reason", "").strip():
            self.add_error("due_date_change_reason", "Say why the due dates change.")
        return cleaned


class AssignmentForm(BaseModelForm):
    """A supporting unit on an action. Those who assign set the unit, person, role and dates;
    the unit itself (or the issuer, for an answer received outside the app) sets the
    answer, which records who entered it."""

    def save(self, commit=True):
        answer = {"status", "response"} & set(self.changed_data)
        if answer and self.user is not None and self.instance.pk:
            instance = self.instance
            instance.responded_by = self.user
            instance.entered_on_behalf = answers_on_behalf(self.user, instance)
            if instance.status != AssignmentStatus.ACKNOWLEDGED:
                instance.responded_at = timezone.now()
        return super().save(commit=commit)

    class Meta:
        model = Assignment
        fields = (
            "action",
            "organization_unit",
            "person",
            "role",
            "due_date",
            "allow_later_due_date",
            "status",
            "response",
        )


class StatusUpdateForm(BaseModelForm):
    fieldsets = (
        (
            "Update",
            (
                "action",
                "kind",
                "sent_to",
                "status_date",
                "reporting_period_start",
                "reporting_period_end",
                "reported_by",
                "health",
                "percent_complete",
            ),
        ),
        (
            "Report",
            (
                "key_accomplishments",
                "challenges_and_risks",
                "decisions_needed",
                "resource_concerns",
                "next_steps",
            ),
        ),
        (
            "Impact",
            (
                "timeline_impact",
                "budget_impact",
                "scope_change_requested",
                "escalation_required",
                "notes",
            ),
        ),
    )

    class Meta:
        model = StatusUpdate
        exclude = ()


class DecisionLogEntryForm(BaseModelForm):
    class Meta:
        model = DecisionLogEntry
        exclude = ()


class DependencyForm(BaseModelForm):
    class Meta:
        model = Dependency
        exclude = ()


class ExtensionRequestForm(BaseModelForm):
    class Meta:
        model = ExtensionRequest
        fields = ("action", "requested_due_date", "justification")


class DueDateChangeForm(BaseModelForm):
    class Meta:
        model = DueDateChange
        fields = (
            "action",
            "old_due_date",
            "new_due_date",
            "changed_at",
            "reason",
            "extension_request",
        )


class AttachmentForm(BaseModelForm):
    class Meta:
        model = Attachment
        fields = ("action", "title", "kind", "file")


class RouteStepForm(BaseModelForm):
    """Only for the generic pages' shape: the write policy refuses every generic write of a
    route step (the route panel changes routes, ``actions.routing``)."""

    class Meta:
        model = RouteStep
        fields = ("action", "position", "kind", "organization_unit", "person")


class RouteStepEventForm(BaseModelForm):
    """Only for the generic pages' shape (the route's history is written by
    ``actions.routing``)."""

    class Meta:
        model = RouteStepEvent
        fields = ("action", "step", "kind", "outcome", "text")
