"""Create/edit forms of the actions app."""

from django import forms

from execcoord.forms import BaseModelForm, BulkEditForm, bulk_edit_form_for

from .choices import ActionStatus
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


class StatusTransitionMixin:
    """A changed ``status`` must be an allowed move for this user
    (``actions.services.check_transition`` with ``strict=True``: the table, the role rules
    and, on approval, the close-out checklist)."""

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("status")
        instance = self.instance
        if target and instance.pk and target != instance.status:
            from django.forms.models import construct_instance

            from .services import check_transition

            # the stored status is the source; other values typed in this edit count
            proposed = construct_instance(
                self, ExecutiveAction.objects.get(pk=instance.pk), exclude=["status"]
            )
            for problem in check_transition(
                proposed,
                target,
                self.user,
                close_children=cleaned.get("close_children", False),
                strict=True,
            ):
                self.add_error("status", problem)
        return cleaned


class ExecutiveActionForm(StatusTransitionMixin, BaseModelForm):
    """Create and edit an action. On an existing action a status change goes through
    ``services.transition`` and a due-date change through ``services.change_due_date`` (with
    the reason typed here); a new action starts as a draft with the type's business-day
    suspense when no due date is given."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date of an existing action.",
    )
    close_children = forms.BooleanField(
        required=False,
        label="Also complete its open sub-taskers",
        help_text="Needed to complete an action whose sub-taskers are still open.",
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
                "close_children",
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
        if self.instance.pk is None:  # nothing to explain or close on a new action
            for name in ("due_date_change_reason", "close_children"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            status = cleaned.get("status") or ActionStatus.DRAFT
            if status != ActionStatus.DRAFT:
                self.add_error("status", "A new action starts as Draft; issue it afterwards.")
            if not cleaned.get("due_date") and cleaned.get("action_type"):
                from .services import default_due_date

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
        from .business_days import non_business_day_reason

        due = self.cleaned_data.get("due_date") if hasattr(self, "cleaned_data") else None
        reason = non_business_day_reason(due)
        return f"The due date {due:%d %b %Y} falls on {reason}." if reason else None

    def save(self, commit=True):
        """Save the fields, then move the due date and status through the services (history,
        dates, roll-up and ``DueDateChange`` happen there)."""
        instance = self.instance
        if instance.pk is None or not commit:
            return super().save(commit=commit)
        from .services import change_due_date, transition

        stored = ExecutiveAction.objects.only("status", "due_date").get(pk=instance.pk)
        target, new_due = instance.status, instance.due_date
        instance.status, instance.due_date = stored.status, stored.due_date
        instance._stored_due_date = stored.due_date
        if self.user is not None:
            instance._history_user = self.user
        saved = super().save(commit=True)
        if new_due != stored.due_date:
            change_due_date(
                saved, new_due, self.user, self.cleaned_data["due_date_change_reason"].strip()
            )
        if target != stored.status:
            transition(
                saved,
                target,
                self.user,
                close_children=self.cleaned_data.get("close_children", False),
                strict=True,
            )
        return saved


class ExecutiveActionBulkEditForm(
    StatusTransitionMixin,
    bulk_edit_form_for(
        ExecutiveAction,
        (
            "status",
            "priority",
            "health",
            "lead_unit",
            "accountable_person",
            "due_date",
            "visibility",
        ),
    ),
):
    """Bulk edit of actions: each record is still saved through ``ExecutiveActionForm``."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date.",
    )

    def clean(self):
        return BulkEditForm.clean(self)  # transitions are checked per record by the form


class AssignmentForm(BaseModelForm):
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
            "responded_at",
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
        fields = (
            "action",
            "current_due_date",
            "requested_due_date",
            "justification",
            "status",
            "decision_comment",
        )


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
        fields = ("action", "title", "kind", "file", "content_type")
