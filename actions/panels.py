"""The panels of an action's page beyond the generic ones: workflow (status moves, close-out
checklist, extension), sub-taskers, coordination board, timeline, due-date history and
attachments.

The panels read the rows of ``page_querysets``; the detail view loads them with those of every
other panel in one query (``execcoord.panels.load_panel_data``), whatever the number of
sub-taskers, updates or links, and the context functions only arrange those rows.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from execcoord.db.union import Counted, Shaped, related_rows
from execcoord.formats import format_date, format_datetime
from execcoord.panels import FieldsPanel, RelatedPanel, TemplatePanel, discover_relations
from execcoord.policy import has_perm

from . import coordination, due, policy, queries, routing, services, templates, timeline, workflow
from .business_days import non_business_day_reason
from .choices import (
    OPEN_STATUSES,
    ActionStatus,
    AttachmentKind,
    ExtensionStatus,
    RouteStepKind,
)
from .models import ExecutiveAction


def page_querysets(request, action):
    """Everything the action's own panels read, built once a page: the assignments, the
    timeline's rows (sub-taskers, dependencies, extension requests …), and the open
    sub-taskers: all of them, hidden ones included, because completing the action with
    "close children" closes them all (they are only counted)."""
    cached = getattr(action, "_page_querysets", None)
    if cached is not None and cached[0] is request:
        return cached[1]
    # each compiled once and sent again with the next tasker's values (``Shaped``)
    querysets = {
        "assignments": related_rows(
            action, "assignments", lambda rows: rows.select_related("organization_unit", "person")
        ),
        "route_steps": related_rows(
            action,
            "route_steps",
            lambda rows: rows.select_related(
                "organization_unit", "person", "acted_by", "signed_attachment"
            ).order_by("position", "pk"),
        ),
        # the timeline's own rows load when it is opened (``workflow_views.TimelineView``)
        **timeline.timeline_querysets(action, request.user, keys=timeline.SHARED_KEYS),
        # when the tasker took its status (the route panel's "with … since")
        "status_history": Shaped(("status_history",), queries.status_history, action.pk),
        "open_children": Shaped(
            ("open_children",),
            lambda pk: ExecutiveAction._base_manager.filter(
                parent_id=pk, status__in=OPEN_STATUSES
            ).only("pk", "number"),
            action.pk,
        ),
        # whether the "Apply template" button shows (``views._may_apply_template``), counted
        # with the page's rows rather than asked in a query of its own
        "offered_templates": Shaped(
            ("offered_templates",),
            lambda type_id: Counted(templates.offered_templates(type_id)),
            action.action_type_id,
            counted=True,
        ),
    }
    action._page_querysets = (request, querysets)
    return querysets


def prime_permissions(request, action, data):
    """Give the write policy the supporting units from the loaded assignments, so the page's
    many permission checks read no more rows."""
    policy.prime([action], data["assignments"])
    action.offered_template_count = data["offered_templates"]


def workflow_context(request, action, data):
    """Status moves the user may make, the close-out checklist, flags and roll-up."""
    user = request.user
    rows = policy.user_transitions(action, user)
    open_children = len(data["open_children"])
    checklist = None
    if action.status in (ActionStatus.IN_PROGRESS, ActionStatus.SUBMITTED, ActionStatus.RETURNED):
        checklist = services.closeout_checklist(action, user=user, page=data)
    pending = next(
        (r for r in data["timeline:extension_requests"] if r.status == ExtensionStatus.PENDING),
        None,
    )
    # the roll-up counts the sub-taskers the user sees
    children = [child for child in data["tree"] if child.parent_id == action.pk]
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
        "can_manage": bool(policy.may_supervise(user, action)),
        "can_edit": bool(policy.may_edit(user, action)),
        "extension_url": reverse("actions:executiveaction_extension", args=[action.pk]),
        # a cancelled sub-tasker is no longer work to complete ("2 of 2", not "2 of 3")
        "child_total": sum(child.status != ActionStatus.CANCELLED for child in children),
        "child_completed": sum(child.status == ActionStatus.COMPLETED for child in children),
    }


def tree_context(request, action, data):
    nodes = workflow.build_tree(action, data["tree"])
    can_add = bool(policy.may_add_subtasker(request.user, action))
    if not nodes and not can_add:
        return None
    return {
        "nodes": nodes,
        "rows_html": tree_html(nodes),
        "add_url": reverse("actions:executiveaction_add") + f"?parent={action.pk}",
        "can_add": can_add,
    }


def tree_html(nodes):
    """The sub-tasker tree's rows, drawn here rather than by a template loop (as the
    timeline's: a tasker with a few dozen sub-taskers spent most of its tree panel there)."""
    today = timezone.localdate()
    rows = []
    for node in nodes:
        child = node.action
        flags = ""
        if node.due_after_parent:
            flags += ' <span class="badge text-bg-warning">after its parent\'s due date</span>'
        if due.is_overdue(child, today):
            flags += ' <span class="badge text-bg-danger">overdue</span>'
        rows.append(
            format_html(
                '<tr><td class="ec-tree-depth-{}"><a href="{}">{}</a></td>'
                '<td><span class="badge text-bg-{}">{}</span></td><td>{}</td>'
                "<td>{}{}</td><td>{}%</td></tr>",
                int(node.depth),
                child.get_absolute_url(),
                child,
                child.get_choice_color("status"),
                child.get_status_display(),
                child.lead_unit if child.lead_unit_id else "—",
                format_date(child.due_date, "—"),
                mark_safe(flags),  # constant markup
                child.percent_complete,
            )
        )
    return mark_safe("\n".join(rows))  # every part escaped by format_html


def board_context(request, action, data):
    rows, states = coordination.coordination_board(
        action, request.user, assignments=data["assignments"]
    )
    # a unit with a concur step answers on the route (issue 16); the board shows it
    concur_units = {
        s.organization_unit_id for s in data["route_steps"] if s.kind == RouteStepKind.CONCUR
    }
    on_route = [r for r in rows if r.assignment.organization_unit_id in concur_units]
    for row in on_route:
        row.can_respond = False
    return {
        "on_route": bool(on_route),
        "route_unit_ids": concur_units,
        "rows": rows,
        "states": states,
        "response_choices": coordination.RESPONSE_CHOICES,
        "can_remind": policy.may_edit(request.user, action)
        and any(r.state in ("pending", "acknowledged", "overdue") for r in rows),
        "can_manage": bool(policy.may_supervise(request.user, action)),
        "can_assign": bool(policy.may_assign(request.user, action)),
        "assign_url": reverse("actions:executiveaction_assign", args=[action.pk]),
        "remind_url": reverse("actions:executiveaction_remind", args=[action.pk]),
    }


def route_context(request, action, data):
    """The coordination route as a vertical stepper (issue 16): every step with its state,
    days spent, answer and signature; the current steps highlighted, with the answer and
    return forms for those who may act; who holds the tasker now and since when; and, for
    the lead office and the secretariat, adding and removing steps."""
    from django.utils import timezone

    from .choices import ROUTE_OUTCOMES_BY_KIND, RouteOutcome
    from .workflow_views import RouteStepAddForm

    user = request.user
    now = timezone.now()
    steps = list(data["route_steps"])
    can_manage = bool(policy.may_manage_route(user, action))
    labels = dict(RouteOutcome.choices)
    rows = []
    for step in steps:
        earlier = sorted({s.position for s in steps if s.position < step.position})
        can_act = step.state == "current" and bool(policy.may_act_on_step(user, step))
        rows.append(
            {
                "step": step,
                "who": step.organization_unit or step.person,
                "days": routing.days_at(step, now)
                if step.started_at or step.dwell_seconds
                else None,
                "can_act": can_act,
                "on_behalf": can_act and policy.route_on_behalf(user, step),
                "outcomes": [(o, labels[o]) for o in ROUTE_OUTCOMES_BY_KIND[step.kind]],
                "earlier": earlier if can_act else [],
                "can_dispose": can_manage and step.needs_disposition,
                "can_remove": can_manage and step.state == "waiting",
            }
        )
    if not rows and not can_manage:
        return None
    next_position = max((s.position for s in steps), default=0) + 1
    return {
        "rows": rows,
        "holder": queries.holder(action, steps, data["status_history"]),
        "now": now,
        "can_manage": can_manage,
        "manage_url": reverse("actions:executiveaction_route", args=[action.pk]),
        "add_form": RouteStepAddForm(initial={"position": next_position}) if can_manage else None,
        "kinds": RouteStepKind.choices,
    }


def timeline_context(request, action, data):
    back = action.get_absolute_url()
    can_edit = bool(policy.may_edit(request.user, action))

    def add(name, **params):
        query = urlencode({"action": action.pk, **params, "return_url": back})
        return f"{reverse(f'actions:{name}_add')}?{query}"

    rows_url = reverse("actions:executiveaction_timeline", args=[action.pk])
    return {
        # drawn closed, its rows loaded when opened (issue 20): a tasker's history is its
        # page's longest panel, and most visits are to act on it, not to read it all
        "rows_url": f"{rows_url}?rows=1",
        "page_url": rows_url,
        "can_edit": can_edit,
        "update_url": add("statusupdate"),
        "interim_url": add("statusupdate", kind="interim"),
        "decision_url": add("decisionlogentry"),
        "dependency_url": (
            f"{reverse('actions:dependency_add')}?"
            + urlencode({"successor": action.pk, "return_url": back})
        ),
    }


def timeline_html(events):
    """The timeline's items, drawn here rather than by a template loop: an action with a
    long history has a hundred events or more, which the template language drew in
    20 ms (this takes about 2)."""
    items = []
    for event in events:
        when = template_localtime(event.when)
        title = (
            format_html('<a href="{}">{}</a>', event.url, event.title) if event.url else event.title
        )
        who = format_html(" · {}", event.who) if event.who else ""
        detail = (
            format_html(
                '<p class="small mb-0 mt-1">{}</p>',
                Truncator(event.detail).words(40, truncate=" …"),
            )
            if event.detail
            else ""
        )
        items.append(
            format_html(
                '<li class="list-group-item">'
                '<div class="d-flex flex-wrap gap-2 align-items-baseline">'
                '<span class="badge text-bg-{}">{}</span>'
                '<span class="fw-semibold">{}</span>'
                '<span class="small text-body-secondary ms-auto">'
                '<time datetime="{}">{}</time>{}</span></div>{}</li>',
                event.badge,
                event.label,
                title,
                when.isoformat(),  # what Django's "c" writes
                format_datetime(when),
                who,
                detail,
            )
        )
    return mark_safe("\n".join(items))  # every part escaped by format_html


def due_dates_context(request, action, data):
    return {
        "changes": data["timeline:due_date_changes"],
        "original": action.original_due_date,
        "current": action.due_date,
        "on_time": action.completed_on_time,
        "on_time_original": action.completed_on_time_original,
    }


def attachments_context(request, action, data):
    return {
        "attachments": data["timeline:attachments"],
        "can_upload": policy.may_edit(request.user, action)
        and has_perm(request.user, "actions.add_attachment"),
        "upload_url": reverse("actions:executiveaction_attach", args=[action.pk]),
        "kinds": AttachmentKind.choices,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "extensions": ", ".join(settings.ATTACHMENT_ALLOWED_EXTENSIONS),
    }


def extension_context(request, extension, data):
    """An extension request's own page: its tasker, and Approve / Deny while it is pending
    for a manager of the tasker's units (the same form as on the tasker's page)."""
    return {"can_decide": bool(policy.may_supervise(request.user, extension.action))}


def extension_layout():
    """The extension request page: the decision first, then its fields and due-date changes."""
    return [
        TemplatePanel(
            "actions/panels/extension.html",
            extension_context,
            title="Decision",
            width="col-12",
        ),
        FieldsPanel(),
        RelatedPanel("due_date_changes"),
    ]


def _timeline_rows(key, keep=lambda action, row: True):
    """Rows of a related panel taken from the timeline's (already scoped) rows."""

    def rows(request, action, data):
        return [row for row in data[key] if keep(action, row)]

    return rows


# the dependencies and extension requests the timeline loads whole, in the lists' order
_FROM_TIMELINE = {
    "predecessor_links": _timeline_rows(
        "timeline:dependencies", lambda action, link: link.successor_id == action.pk
    ),
    "successor_links": _timeline_rows(
        "timeline:dependencies", lambda action, link: link.predecessor_id == action.pk
    ),
    "extension_requests": _timeline_rows("timeline:extension_requests"),
}


def _related_panel(name):
    """A generic related panel of the action page: drawn from the timeline's rows when it
    loads them anyway, else closed with its count, its rows loaded when opened (issue 20:
    the partners, authorities, analyses … of a tasker were a third of its page's query)."""
    rows = _FROM_TIMELINE.get(name)
    if rows is None:
        return RelatedPanel(name, lazy=True)
    return RelatedPanel(name, rows_fn=rows, querysets_fn=page_querysets)


def _drawing(panel, *relations):
    """``panel``, marked as the one that draws the action's ``relations`` (their generic
    related panels are left out of the page)."""
    panel.draws = relations
    return panel


def action_layout(fieldsets):
    """The action page: workflow first, then the record, its tree, board and timeline, then
    one related panel per relation none of those draws (found like any detail page's, so
    a model linked to taskers appears here without a change to this module).

    Returns ``fn(views) -> panels``: the relations are known once every app has registered;
    the list is built on the first page and kept.
    """
    own = [*_own_panels(), FieldsPanel(fieldsets=fieldsets)]
    built = {}

    def layout(views):
        if views.model not in built:  # two first pages at once build the same list
            drawn = {name for panel in own for name in getattr(panel, "draws", ())}
            related = [r.name for r in discover_relations(views.model) if r.name not in drawn]
            built[views.model] = [*own, *map(_related_panel, related)]
        return built[views.model]

    return layout


def _own_panels():
    """The action's own panels, each marked with the relations it draws."""
    return [
        TemplatePanel(
            "actions/panels/workflow.html",
            workflow_context,
            title="Workflow",
            width="col-12",
            querysets_fn=page_querysets,
            prepare_fn=prime_permissions,
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/tree.html",
                tree_context,
                title="Sub-taskers",
                width="col-12",
                querysets_fn=page_querysets,
            ),
            "children",
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/board.html",
                board_context,
                title="Coordination",
                width="col-12",
                querysets_fn=page_querysets,
                prepare_fn=prime_permissions,
            ),
            "assignments",
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/route.html",
                route_context,
                title="Coordination route",
                width="col-12",
                querysets_fn=page_querysets,
                prepare_fn=prime_permissions,
            ),
            "route_steps",
            "route_events",
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/timeline.html",
                timeline_context,
                title="Timeline",
                width="col-12 col-xl-8",
                querysets_fn=page_querysets,
                prepare_fn=prime_permissions,
            ),
            "status_updates",
            "decisions",
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/due_dates.html",
                due_dates_context,
                title="Due-date history",
                # as tall as its rows, not stretched to the timeline beside it
                width="col-12 col-xl-4 align-self-start",
                querysets_fn=page_querysets,
            ),
            "due_date_changes",
        ),
        _drawing(
            TemplatePanel(
                "actions/panels/attachments.html",
                attachments_context,
                title="Attachments",
                width="col-12",
                querysets_fn=page_querysets,
                prepare_fn=prime_permissions,
            ),
            "attachments",
        ),
    ]
