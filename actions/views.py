"""Generic pages of the actions models: one registration each, by convention."""

from django.urls import path, re_path, reverse

from execcoord.panels import Button
from execcoord.registry import app_registrar
from execcoord.utils import viewname

from . import filtersets, forms, models, policy, tables, templates
from . import workflow_views as wf
from .intake_views import IntakeView
from .panels import action_layout, extension_layout


def _add_subtasker_url(action):
    return f"{reverse(viewname(models.ExecutiveAction, 'add'))}?parent={action.pk}"


def _apply_template_url(action):
    return reverse("actions:executiveaction_apply_template", args=[action.pk])


def _may_apply_template(request, action):
    """The button shows when the type has an active template and the user may add
    sub-taskers (the page asks the policy again)."""
    if not policy.may_add_subtasker(request.user, action):
        return False
    counted = getattr(action, "offered_template_count", None)  # read with the page's rows
    if counted is not None:
        return counted > 0
    return templates.offered_templates(action.action_type_id).exists()


def _assign_url(action):
    return reverse("actions:executiveaction_assign", args=[action.pk])


# The workflow pages of an action (actions/workflow_views.py).
WORKFLOW_URLS = [
    # people quote the number (EA-2026-00505), not the key: the same pages answer to it
    re_path(
        r"^executive-actions/(?P<number>[A-Za-z][A-Za-z0-9]*-\d{4}-\d+)/(?P<rest>[a-z-]+/)?$",
        wf.action_by_number,
        name="executiveaction_by_number",
    ),
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
        "executive-actions/<int:pk>/timeline/",
        wf.TimelineView.as_view(),
        name="executiveaction_timeline",
    ),
    path(
        "executive-actions/<int:pk>/remind/",
        wf.RemindView.as_view(),
        name="executiveaction_remind",
    ),
    path(
        "executive-actions/<int:pk>/apply-template/",
        wf.ApplyTemplateView.as_view(),
        name="executiveaction_apply_template",
    ),
    path(
        "executive-actions/<int:pk>/shift-subtaskers/",
        wf.ShiftSubtaskersView.as_view(),
        name="executiveaction_shift_subtaskers",
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
        "executive-actions/<int:pk>/route/",
        wf.RouteManageView.as_view(),
        name="executiveaction_route",
    ),
    path(
        "route-steps/<int:pk>/act/",
        wf.RouteStepActView.as_view(),
        name="routestep_act",
    ),
    path(
        "route-steps/<int:pk>/disposition/",
        wf.RouteDispositionView.as_view(),
        name="routestep_disposition",
    ),
    path(
        "attachments/<int:pk>/download/",
        wf.attachment_download,
        name="attachment_download",
    ),
    path("intake/", IntakeView.as_view(), name="intake"),
]


register_model = app_registrar(tables, filtersets, forms, menu_group="Actions")
register_model(
    models.ExecutiveAction,
    bulk_edit_form=forms.ExecutiveActionBulkEditForm,
    detail_layout=action_layout(forms.ExecutiveActionForm.fieldsets),
    detail_actions=[
        Button(
            "Add sub-tasker",
            _add_subtasker_url,
            permission="view",
            condition=lambda request, action: bool(policy.may_add_subtasker(request.user, action)),
        ),
        Button(
            "Apply template",
            _apply_template_url,
            permission="view",
            condition=_may_apply_template,
        ),
        Button(
            "Assign",
            _assign_url,
            permission="view",
            condition=lambda request, action: bool(policy.may_assign(request.user, action)),
        ),
    ],
    views={
        "add": wf.ExecutiveActionEditView,
        "edit": wf.ExecutiveActionEditView,
        "bulk_edit": wf.ExecutiveActionBulkEditView,
        "history": wf.ExecutiveActionHistoryView,
    },
    extra_urls=WORKFLOW_URLS,
)
register_model(models.Assignment)
register_model(
    models.StatusUpdate, views={"add": wf.StatusUpdateEditView, "edit": wf.StatusUpdateEditView}
)
register_model(models.DecisionLogEntry)
register_model(models.Dependency)
register_model(
    models.ExtensionRequest, user_fields=("requested_by",), detail_layout=extension_layout()
)
register_model(models.DueDateChange, user_fields=("changed_by",))
register_model(models.Attachment, user_fields=("uploaded_by",))
register_model(models.RouteStep)
register_model(models.RouteStepEvent)
register_model(models.ExecutiveActionType)
register_model(models.Tag)
register_model(
    models.ProcessTemplate,
    views={"add": wf.ProcessTemplateEditView, "edit": wf.ProcessTemplateEditView},
)
register_model(models.TemplateSubtasker)
register_model(models.TemplateRouteStep)
