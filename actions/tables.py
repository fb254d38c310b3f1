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
        default_columns = ("name",)
        fields = ("pk", *default_columns, "updated_at")


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
        default_columns = ("organization_unit", "action", "person", "role", "status", "due_date")
        fields = ("pk", *default_columns, "responded_at", "updated_at")
        card_columns = ("organization_unit", "action", "status", "due_date")


class StatusUpdateTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.StatusUpdate
        default_columns = (
            "status_date",
            "action",
            "kind",
            "health",
            "percent_complete",
            "reported_by",
        )
        fields = ("pk", *default_columns, "escalation_required", "updated_at")
        card_columns = ("status_date", "action", "health", "reported_by")


class DecisionLogEntryTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.DecisionLogEntry
        default_columns = ("title", "action", "decision_date", "category", "decided_by")
        fields = ("pk", *default_columns, "decision_authority", "implementation_date", "updated_at")


class DependencyTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Dependency
        default_columns = ("predecessor", "successor", "dependency_type", "status", "critical_path")
        fields = ("pk", *default_columns, "updated_at")


class ExtensionRequestTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ExtensionRequest
        default_columns = (
            "action",
            "status",
            "current_due_date",
            "requested_due_date",
            "requested_by",
        )
        fields = ("pk", *default_columns, "decided_by", "decided_at", "updated_at")
        card_columns = ("action", "status", "requested_due_date", "requested_by")


class DueDateChangeTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.DueDateChange
        default_columns = ("action", "old_due_date", "new_due_date", "changed_by", "changed_at")
        fields = ("pk", *default_columns, "extension_request")


class AttachmentTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.Attachment
        default_columns = ("title", "action", "kind", "uploaded_by", "uploaded_at")
        fields = ("pk", *default_columns, "size", "content_type")


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
        default_columns = ("at", "action", "step", "kind", "outcome", "user", "on_behalf")
        fields = ("pk", *default_columns, "text")
        card_columns = ("at", "action", "kind", "outcome")


class ProcessTemplateTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.ProcessTemplate
        fields = ("pk", "name", "action_type", "description", "is_active", "updated_at")
        default_columns = ("name", "action_type", "is_active")


class TemplateSubtaskerTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.TemplateSubtasker
        default_columns = ("template", *models.TemplateSubtasker.row_fields)
        fields = ("pk", *default_columns)


class TemplateRouteStepTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = models.TemplateRouteStep
        fields = ("pk", "template", *models.TemplateRouteStep.row_fields)
        default_columns = ("template", "position", "kind", "organization_unit", "person")
