"""Generic pages of the actions models: one registration each."""

from django.urls import path

from execcoord.panels import Button
from execcoord.registry import ObjectViews, register
from execcoord.utils import viewname

from . import filtersets, forms, permissions, tables
from . import workflow_views as wf
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
from .panels import action_layout


def _add_subtasker_url(action):
    from django.urls import reverse

    return f"{reverse(viewname(ExecutiveAction, 'add'))}?parent={action.pk}"


def _assign_url(action):
    from django.urls import reverse

    return reverse("actions:executiveaction_assign", args=[action.pk])


# The workflow pages of an action (actions/workflow_views.py).
WORKFLOW_URLS = [
    path(
        "executive-actions/<int:pk>/transition/<str:target>/",
        wf.ActionTransitionView.as_view(),
        name="executiveaction_transition",
    ),
    path(
        "executive-actions/<int:pk>/assign/",
        wf.AssignmentView.as_view(),
        name="executiveaction_assign",
    ),
    path(
        "executive-actions/<int:pk>/request-extension/",
        wf.ExtensionRequestView.as_view(),
        name="executiveaction_extension",
    ),
    path(
        "executive-actions/<int:pk>/attachments/upload/",
        wf.AttachmentUploadView.as_view(),
        name="executiveaction_attach",
    ),
    path(
        "executive-actions/<int:pk>/remind/",
        wf.RemindView.as_view(),
        name="executiveaction_remind",
    ),
    path(
        "extension-requests/<int:pk>/decide/",
        wf.ExtensionDecideView.as_view(),
        name="extensionrequest_decide",
    ),
    path(
        "assignments/<int:pk>/respond/",
        wf.RespondView.as_view(),
        name="assignment_respond",
    ),
    path(
        "assignments/<int:pk>/disposition/",
        wf.DispositionView.as_view(),
        name="assignment_disposition",
    ),
    path(
        "attachments/<int:pk>/download/",
        wf.attachment_download,
        name="attachment_download",
    ),
]


register(
    ObjectViews(
        model=ExecutiveAction,
        table=tables.ExecutiveActionTable,
        filterset=filtersets.ExecutiveActionFilterSet,
        form=forms.ExecutiveActionForm,
        bulk_edit_form=forms.ExecutiveActionBulkEditForm,
        fieldsets=forms.ExecutiveActionForm.fieldsets,
        detail_layout=action_layout(forms.ExecutiveActionForm.fieldsets),
        detail_actions=[
            Button("Add sub-tasker", _add_subtasker_url, permission="add"),
            Button(
                "Assign",
                _assign_url,
                permission="view",
                condition=lambda request, action: wf.may_assign(request.user, action),
            ),
        ],
        views={
            "add": wf.ExecutiveActionEditView,
            "edit": wf.ExecutiveActionEditView,
            "bulk_edit": wf.ExecutiveActionBulkEditView,
        },
        extra_urls=WORKFLOW_URLS,
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
        views={"add": wf.StatusUpdateEditView, "edit": wf.StatusUpdateEditView},
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
