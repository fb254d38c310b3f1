"""Create/edit forms of the actions app."""

from execcoord.forms import BaseModelForm, BulkEditForm, bulk_edit_form_for

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
    """A changed ``status`` must be an allowed move (``actions.services.check_transition``)."""

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("status")
        if target and target != self.instance.status:
            from .services import check_transition

            for problem in check_transition(self.instance, target, self.user):
                self.add_error("status", problem)
        return cleaned


class ExecutiveActionForm(StatusTransitionMixin, BaseModelForm):
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
        ("Dates", ("start_date", "due_date", "completed_date", "percent_complete")),
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
