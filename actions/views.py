"""Generic pages of the actions models: one registration each."""

from execcoord.panels import Button
from execcoord.registry import ObjectViews, register
from execcoord.utils import viewname

from . import filtersets, forms, permissions, tables
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


def _add_subtasker_url(action):
    from django.urls import reverse

    return f"{reverse(viewname(ExecutiveAction, 'add'))}?parent={action.pk}"


register(
    ObjectViews(
        model=ExecutiveAction,
        table=tables.ExecutiveActionTable,
        filterset=filtersets.ExecutiveActionFilterSet,
        form=forms.ExecutiveActionForm,
        bulk_edit_form=forms.ExecutiveActionBulkEditForm,
        fieldsets=forms.ExecutiveActionForm.fieldsets,
        detail_actions=[Button("Add sub-tasker", _add_subtasker_url, permission="add")],
        user_can_change=permissions.can_edit,
        user_can_delete=permissions.can_delete,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=Assignment,
        table=tables.AssignmentTable,
        filterset=filtersets.AssignmentFilterSet,
        form=forms.AssignmentForm,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=StatusUpdate,
        table=tables.StatusUpdateTable,
        filterset=filtersets.StatusUpdateFilterSet,
        form=forms.StatusUpdateForm,
        fieldsets=forms.StatusUpdateForm.fieldsets,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=DecisionLogEntry,
        table=tables.DecisionLogEntryTable,
        filterset=filtersets.DecisionLogEntryFilterSet,
        form=forms.DecisionLogEntryForm,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=Dependency,
        table=tables.DependencyTable,
        filterset=filtersets.DependencyFilterSet,
        form=forms.DependencyForm,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=ExtensionRequest,
        table=tables.ExtensionRequestTable,
        filterset=filtersets.ExtensionRequestFilterSet,
        form=forms.ExtensionRequestForm,
        user_fields=("requested_by",),
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=DueDateChange,
        table=tables.DueDateChangeTable,
        filterset=filtersets.DueDateChangeFilterSet,
        form=forms.DueDateChangeForm,
        user_fields=("changed_by",),
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=Attachment,
        table=tables.AttachmentTable,
        filterset=filtersets.AttachmentFilterSet,
        form=forms.AttachmentForm,
        user_fields=("uploaded_by",),
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=ExecutiveActionType,
        table=tables.ExecutiveActionTypeTable,
        filterset=filtersets.ExecutiveActionTypeFilterSet,
        form=forms.ExecutiveActionTypeForm,
        fieldsets=forms.ExecutiveActionTypeForm.fieldsets,
        menu_group="Actions",
    )
)
register(
    ObjectViews(
        model=Tag,
        table=tables.TagTable,
        filterset=filtersets.TagFilterSet,
        form=forms.TagForm,
        menu_group="Actions",
    )
)
