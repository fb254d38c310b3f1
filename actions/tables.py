"""List tables of the actions app."""

from execcoord.tables import BaseTable

from . import models


class ExecutiveActionTypeTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ExecutiveActionType
        fields = (
            "pk",
            "name",
            "category",
            "number_prefix",
            "default_priority",
            "default_days_to_due",
            "requires_legal_authority",
            "requires_impact_assessment",
            "requires_risk_assessment",
            "is_active",
        )
        default_columns = ("name", "category", "number_prefix", "default_priority", "is_active")


class TagTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Tag
        fields = ("pk", "name", "updated_at")
        default_columns = ("name",)


class ExecutiveActionTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ExecutiveAction
        fields = (
            "pk",
            "number",
            "title",
            "action_type",
            "category",
            "status",
            "priority",
            "health",
            "visibility",
            "security_classification",
            "lead_unit",
            "accountable_person",
            "issuing_unit",
            "issued_by",
            "issue_date",
            "start_date",
            "due_date",
            "original_due_date",
            "completed_date",
            "percent_complete",
            "parent",
            "outcome",
            "tags",
            "updated_at",
        )
        default_columns = (
            "number",
            "title",
            "action_type",
            "status",
            "priority",
            "lead_unit",
            "accountable_person",
            "due_date",
            "percent_complete",
        )
        card_columns = ("number", "title", "status", "due_date")


class AssignmentTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Assignment
        fields = (
            "pk",
            "organization_unit",
            "action",
            "person",
            "role",
            "status",
            "due_date",
            "responded_at",
            "updated_at",
        )
        default_columns = ("organization_unit", "action", "person", "role", "status", "due_date")
        card_columns = ("organization_unit", "action", "status", "due_date")


class StatusUpdateTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.StatusUpdate
        fields = (
            "pk",
            "status_date",
            "action",
            "kind",
            "health",
            "percent_complete",
            "reported_by",
            "escalation_required",
            "updated_at",
        )
        default_columns = (
            "status_date",
            "action",
            "kind",
            "health",
            "percent_complete",
            "reported_by",
        )
        card_columns = ("status_date", "action", "health", "reported_by")


class DecisionLogEntryTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.DecisionLogEntry
        fields = (
            "pk",
            "title",
            "action",
            "decision_date",
            "category",
            "decided_by",
            "decision_authority",
            "implementation_date",
            "updated_at",
        )
        default_columns = ("title", "action", "decision_date", "category", "decided_by")


class DependencyTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Dependency
        fields = (
            "pk",
            "predecessor",
            "successor",
            "dependency_type",
            "status",
            "critical_path",
            "updated_at",
        )
        default_columns = ("predecessor", "successor", "dependency_type", "status", "critical_path")


class ExtensionRequestTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ExtensionRequest
        fields = (
            "pk",
            "action",
            "status",
            "current_due_date",
            "requested_due_date",
            "requested_by",
            "decided_by",
            "decided_at",
            "updated_at",
        )
        default_columns = (
            "action",
            "status",
            "current_due_date",
            "requested_due_date",
            "requested_by",
        )
        card_columns = ("action", "status", "requested_due_date", "requested_by")


class DueDateChangeTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.DueDateChange
        fields = (
            "pk",
            "action",
            "old_due_date",
            "new_due_date",
            "changed_by",
            "changed_at",
            "extension_request",
        )
        default_columns = ("action", "old_due_date", "new_due_date", "changed_by", "changed_at")


class AttachmentTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Attachment
        fields = (
            "pk",
            "title",
            "action",
            "kind",
            "uploaded_by",
            "uploaded_at",
            "size",
            "content_type",
        )
        default_columns = ("title", "action", "kind", "uploaded_by", "uploaded_at")


class RouteStepTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.RouteStep
        fields = (
            "pk",
            "action",
            "position",
            "kind",
            "organization_unit",
            "person",
            "state",
            "outcome",
            "started_at",
            "completed_at",
            "dwell_seconds",
            "entered_on_behalf",
            "updated_at",
        )
        default_columns = (
            "action",
            "position",
            "kind",
            "organization_unit",
            "state",
            "outcome",
            "started_at",
            "completed_at",
        )
        card_columns = ("action", "kind", "organization_unit", "state")


class RouteStepEventTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.RouteStepEvent
        fields = ("pk", "at", "action", "step", "kind", "outcome", "user", "on_behalf", "text")
        default_columns = ("at", "action", "step", "kind", "outcome", "user", "on_behalf")
        card_columns = ("at", "action", "kind", "outcome")


class ProcessTemplateTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ProcessTemplate
        fields = ("pk", "name", "action_type", "description", "is_active", "updated_at")
        default_columns = ("name", "action_type", "is_active")


class TemplateSubtaskerTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.TemplateSubtasker
        fields = (
            "pk",
            "template",
            "position",
            "title_pattern",
            "organization_unit",
            "role",
            "offset_business_days",
        )
        default_columns = (
            "template",
            "position",
            "title_pattern",
            "organization_unit",
            "role",
            "offset_business_days",
        )


class TemplateRouteStepTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.TemplateRouteStep
        fields = (
            "pk",
            "template",
            "position",
            "kind",
            "organization_unit",
            "person",
            "instructions",
        )
        default_columns = ("template", "position", "kind", "organization_unit", "person")
