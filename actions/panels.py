"""The panels of an action's page beyond the generic ones: workflow (status moves, close-out
checklist, extension), sub-taskers, coordination board, timeline, due-date history and
attachments. Each context function reads a fixed number of queries.
"""

from django.urls import reverse

from execcoord.panels import FieldsPanel, RelatedPanel, TemplatePanel

from . import permissions, services, workflow
from .business_days import non_business_day_reason
from .choices import OPEN_STATUSES, ActionStatus, AttachmentKind, ExtensionStatus
from .workflow import RESPONSE_CHOICES


def workflow_context(request, action):
    """Status moves the user may make, the close-out checklist, flags and roll-up."""
    user = request.user
    rows = services.user_transitions(action, user)
    open_children = action.children.filter(status__in=OPEN_STATUSES).count()
    checklist = None
    if action.status in (ActionStatus.IN_PROGRESS, ActionStatus.SUBMITTED, ActionStatus.RETURNED):
        checklist = services.closeout_checklist(action)
    pending = action.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    figures = _child_counts(action)
    return {
        "transitions": [
            {
                "row": row,
                "url": reverse("actions:executiveaction_transition", args=[action.pk, row.target]),
                "needs_close_children": row.target == ActionStatus.COMPLETED and open_children,
                "wants_comment": row.name in ("return", "cancel", "hold", "reopen"),
            }
            for row in rows
        ],
        "checklist": checklist,
        "open_children": open_children,
        "due_flag": non_business_day_reason(action.due_date),
        "pending_extension": pending,
        "can_manage": permissions.can_manage(user, action),
        "can_edit": permissions.can_edit(user, action),
        "extension_url": reverse("actions:executiveaction_extension", args=[action.pk]),
        "child_total": figures["total"],
        "child_completed": figures["completed"],
    }


def _child_counts(action):
    from django.db.models import Count, Q

    return action.children.aggregate(
        total=Count("pk"), completed=Count("pk", filter=Q(status=ActionStatus.COMPLETED))
    )


def tree_context(request, action):
    nodes = workflow.descendants(action, request.user)
    if not nodes and not request.user.has_perm("actions.add_executiveaction"):
        return None
    return {
        "nodes": nodes,
        "add_url": reverse("actions:executiveaction_add") + f"?parent={action.pk}",
        "can_add": request.user.has_perm("actions.add_executiveaction"),
    }


def board_context(request, action):
    rows, states = workflow.coordination_board(action, request.user)
    return {
        "rows": rows,
        "states": states,
        "response_choices": RESPONSE_CHOICES,
        "can_remind": permissions.can_edit(request.user, action)
        and any(r.state in ("pending", "acknowledged", "overdue") for r in rows),
        "can_manage": permissions.can_manage(request.user, action),
        "can_assign": _may_assign(request.user, action),
        "assign_url": reverse("actions:executiveaction_assign", args=[action.pk]),
        "remind_url": reverse("actions:executiveaction_remind", args=[action.pk]),
    }


def _may_assign(user, action):
    return permissions.can_manage(user, action) or services._is_issuer(user, action)


def timeline_context(request, action):
    back = action.get_absolute_url()
    can_edit = permissions.can_edit(request.user, action)

    def add(name, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{reverse(f'actions:{name}_add')}?action={action.pk}&{query}return_url={back}"

    return {
        "events": workflow.timeline(action),
        "can_edit": can_edit,
        "update_url": add("statusupdate"),
        "interim_url": add("statusupdate", kind="interim"),
        "decision_url": add("decisionlogentry"),
        "dependency_url": (
            f"{reverse('actions:dependency_add')}?successor={action.pk}&return_url={back}"
        ),
    }


def due_dates_context(request, action):
    changes = list(action.due_date_changes.select_related("changed_by", "extension_request"))
    return {
        "changes": changes,
        "original": action.original_due_date,
        "current": action.due_date,
        "on_time": action.completed_on_time,
        "on_time_original": action.completed_on_time_original,
    }


def attachments_context(request, action):
    from django.conf import settings

    attachments = list(action.attachments.select_related("uploaded_by"))
    return {
        "attachments": attachments,
        "can_upload": permissions.can_edit(request.user, action)
        and request.user.has_perm("actions.add_attachment"),
        "upload_url": reverse("actions:executiveaction_attach", args=[action.pk]),
        "kinds": AttachmentKind.choices,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "extensions": ", ".join(settings.ATTACHMENT_ALLOWED_EXTENSIONS),
    }


# Relations not drawn by the panels above get the generic related panel.
_OTHER_RELATIONS = (
    "legal_authorities",
    "analyses",
    "impacts",
    "risk_items",
    "agreements",
    "partners",
    "tags",
    "predecessor_links",
    "successor_links",
    "extension_requests",
)


def action_layout(fieldsets):
    """The action page: workflow first, then the record, its tree, board and timeline."""
    return [
        TemplatePanel(
            "actions/panels/workflow.html", workflow_context, title="Workflow", width="col-12"
        ),
        TemplatePanel(
            "actions/panels/tree.html", tree_context, title="Sub-taskers", width="col-12"
        ),
        TemplatePanel(
            "actions/panels/board.html", board_context, title="Coordination", width="col-12"
        ),
        TemplatePanel(
            "actions/panels/timeline.html",
            timeline_context,
            title="Timeline",
            width="col-12 col-xl-8",
        ),
        TemplatePanel(
            "actions/panels/due_dates.html",
            due_dates_context,
            title="Due-date history",
            width="col-12 col-xl-4",
        ),
        TemplatePanel(
            "actions/panels/attachments.html",
            attachments_context,
            title="Attachments",
            width="col-12",
        ),
        FieldsPanel(fieldsets=fieldsets),
        *[RelatedPanel(name) for name in _OTHER_RELATIONS],
    ]
