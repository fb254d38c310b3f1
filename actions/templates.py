"""Applying a process template to a tasker (issue 16): its standard sub-taskers, each due a
number of business days before the parent's suspense (back-planned: weekends and federal
holidays skipped, ``actions.business_days``), previewed and editable before they are
created; then the template's standard route.

:func:`plan` proposes the rows, :func:`row_problems` says why a row cannot be created,
:func:`apply_template` creates them all or none, through the one write policy (the right to
add sub-taskers to the parent, ``policy.may_add_subtasker``), at the parent's version the
preview was opened at.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from actions import policy, routing, services
from actions.business_days import non_business_day_reason, subtract_business_days
from actions.models import ExecutiveAction, ProcessTemplate
from actions.models.templates import PLACEHOLDER
from execcoord import policy as write_policy
from execcoord.formats import format_date
from execcoord.models import StaleEdit
from partners.access import get_user_scope

# What a sub-tasker takes from its parent (issue 16, item 4), whether made from a template
# or on the create form (``?parent=``, pre-filled there and changeable before saving).
INHERITED_FIELDS = (
    "action_type",
    "category",
    "priority",
    "visibility",
    "security_classification",
)
INHERITED_LINKS = ("legal_authorities", "partners")


class TemplateRefused(Exception):
    """The template was not applied; ``problems`` say why, nothing was created."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass
class PlannedSubtasker:
    """One sub-tasker the template proposes (or the preview's edited row)."""

    title: str
    unit: object
    due_date: date | None
    role: str = ""
    offset: int | None = None
    problems: list = field(default_factory=list)


def render_title(pattern, parent, unit):
    """The title from a template's pattern: ``{parent.title}``, ``{parent.number}`` and
    ``{unit}`` replaced, anything else left as typed."""
    values = {
        "parent.title": parent.title,
        "parent.number": parent.number or "",
        "unit": getattr(unit, "abbreviation", "") or str(unit or ""),
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern).strip()[:255]


def offered_templates(action_type):
    """The active templates of a type, for the create form and the tasker page."""
    return ProcessTemplate.objects.filter(action_type=action_type, is_active=True).order_by("name")


def plan(template, parent):
    """The template's sub-taskers for ``parent``: titles filled in, each due its offset in
    business days before the parent's suspense (no date when the parent has none)."""
    rows = []
    for row in template.subtaskers.select_related("organization_unit").order_by("position", "pk"):
        due = None
        if parent.due_date:
            due = subtract_business_days(parent.due_date, row.offset_business_days)
        rows.append(
            PlannedSubtasker(
                title=render_title(row.title_pattern, parent, row.organization_unit),
                unit=row.organization_unit,
                due_date=due,
                role=row.get_role_display(),
                offset=row.offset_business_days,
            )
        )
    return rows


def row_problems(row, parent, today=None):
    """Why ``row`` cannot be created under ``parent``: no title, office or date, an inactive
    office, a date after the parent's suspense or before today."""
    today = today or timezone.localdate()
    problems = []
    if not row.title.strip():
        problems.append("Give the sub-tasker a title.")
    if row.unit is None:
        problems.append("Choose the office.")
    elif not row.unit.is_active:
        problems.append(f"{row.unit} is no longer active: choose another office.")
    if row.due_date is None:
        problems.append("Give the sub-tasker a due date.")
    elif parent.due_date and row.due_date > parent.due_date:
        problems.append(
            f"Due {format_date(row.due_date)}, after the parent's suspense "
            f"{format_date(parent.due_date)}: a template's sub-taskers are due before it."
        )
    elif row.due_date < today:
        problems.append(
            f"Due {format_date(row.due_date)}, already past: the parent's suspense leaves "
            "too little time; give a later date."
        )
    return problems


def check_rows(rows, parent, today=None):
    """Fill each row's ``problems``; return whether every row may be created."""
    for row in rows:
        row.problems = row_problems(row, parent, today)
    return not any(row.problems for row in rows)


def _subtasker_fields(parent, row, user, template):
    """The fields of the sub-tasker ``row`` makes: what it inherits from its parent, its
    title, office and date, the user's unit as the issuer (as on the create form)."""
    scope = get_user_scope(user)
    return {
        **{name: getattr(parent, name) for name in INHERITED_FIELDS},
        "parent": parent,
        "title": row.title.strip(),
        "lead_unit": row.unit,
        "due_date": row.due_date,
        "description": f"From the process template “{template.name}”"
        + (f": {row.role.lower()}." if row.role else "."),
        "issued_by_id": scope.person_id,
        "issuing_unit_id": scope.unit_id,
    }


def apply_template(template, parent, user, rows, *, seen_version):
    """Create the sub-taskers ``rows`` under ``parent`` (all or none) and the template's
    route, as ``user``.

    Args:
        template: the ``ProcessTemplate`` (of the parent's type).
        parent: the tasker.
        rows: ``PlannedSubtasker`` rows, as the preview left them.
        seen_version: the parent's version when the preview was opened.

    Returns:
        The new sub-taskers.

    Raises:
        StaleEdit: the parent was saved since the preview was opened (a template applied
            meanwhile counts: applying grows the parent's version).
        TemplateRefused: the policy refuses, the template is of another type, or a row is
            refused (each row's ``problems`` say why).
    """
    with transaction.atomic():
        locked = ExecutiveAction.objects.select_for_update().get(pk=parent.pk)
        if str(locked.version) != str(seen_version):
            raise StaleEdit(locked)
        verdict = policy.may_add_subtasker(user, locked)
        if not verdict:
            raise TemplateRefused([verdict.reason])
        if template.action_type_id != locked.action_type_id:
            raise TemplateRefused(["This template is for another type of tasker."])
        if not rows and not template.route_steps.exists():
            raise TemplateRefused(["No sub-tasker is chosen: nothing was applied."])
        if not check_rows(rows, locked):
            raise TemplateRefused(["A row below cannot be created; nothing was applied."])
        links = {name: list(getattr(locked, name).all()) for name in INHERITED_LINKS}
        created = []
        for row in rows:
            fields = _subtasker_fields(locked, row, user, template)
            verdict = write_policy.may(user, "add", ExecutiveAction, ExecutiveAction(**fields))
            if not verdict:
                raise TemplateRefused([verdict.reason])
            created.append(services.create_action(user=user, **fields, **links))
        services._record_as(
            locked, user, f"Process template “{template.name}” applied: {len(created)} sub-taskers"
        )
        locked.save(update_fields=["updated_at"])
        _apply_route(template, locked, user)
    services._copy_state(locked, parent)
    return created


def _apply_route(template, action, user):
    """The template's standard route becomes the tasker's coordination route
    (``routing.start_route``), in the same transaction as its sub-taskers. A tasker that has
    a route already keeps it; building one is the route's own right
    (``policy.may_manage_route``), refused with the whole template otherwise."""
    steps = [
        routing.StepSpec(step.position, step.kind, step.organization_unit, step.person)
        for step in template.route_steps.select_related("organization_unit", "person")
    ]
    if not steps or routing.steps_of(action):
        return None
    verdict = policy.may_manage_route(user, action)
    if not verdict:
        raise TemplateRefused([verdict.reason])
    try:
        return routing.start_route(action, steps, user)
    except routing.RouteError as refused:
        raise TemplateRefused([str(refused)]) from refused


def date_warning(day):
    """A note when a proposed date falls on a weekend or holiday (it never does when
    back-planned; it may once edited)."""
    reason = non_business_day_reason(day)
    return f"{format_date(day)} falls on {reason}." if reason else ""
