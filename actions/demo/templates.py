"""The demo agency's process templates (issue 16): three types' standard sub-taskers and
routes, and one congressional inquiry staffed with its template, as the secretariat would.

Made with the factories of ``actions.demo.actions``; the template is applied through
``actions.templates.apply_template``, the service the apply page calls.
"""

from actions.business_days import add_business_days
from actions.choices import ActionStatus, Priority, RouteStepKind, TemplateSubtaskerRole

from . import actions as af

R, S = TemplateSubtaskerRole, RouteStepKind

# (template name, type name, description,
#  [(title pattern, unit code, role, business days before the parent's suspense)],
#  [(position, kind, unit code)])
TEMPLATES = (
    (
        "Congressional inquiry",
        "Congressional Inquiry",
        "A letter from a Member or committee: the program office drafts, counsel and "
        "legislative affairs review, the Secretary signs.",
        [
            ("{parent.title}: draft response", "OPP", R.DRAFT, 10),
            ("{parent.title}: legal review", "OGC", R.REVIEW, 6),
            ("{parent.title}: budget figures", "OCFO", R.INPUT, 8),
            ("{parent.number}: final clearance", "OS", R.REVIEW, 2),
        ],
        [(1, S.REVIEW, "OGC"), (2, S.CONCUR, "OCFO"), (2, S.CONCUR, "OCIO"), (3, S.SIGN, "OS")],
    ),
    (
        "Policy directive",
        "Executive Directive",
        "A departmental directive: drafted by policy, coordinated with the offices it "
        "binds, cleared by counsel and approved by the Secretary.",
        [
            ("{parent.title}: draft directive", "OPP", R.DRAFT, 15),
            ("{parent.title}: implementation impact", "OCIO", R.INPUT, 10),
            ("{parent.title}: legal sufficiency", "OGC", R.REVIEW, 5),
        ],
        [(1, S.CONCUR, "OCIO"), (1, S.CONCUR, "OCFO"), (2, S.REVIEW, "OGC"), (3, S.APPROVE, "OS")],
    ),
    (
        "Compliance tasker",
        "Security Review",
        "A compliance finding to close: the system owner plans the fix, security checks it.",
        [
            ("{parent.title}: corrective action plan", "OCIO-CSD", R.DRAFT, 7),
            ("{parent.title}: control evidence", "OCIO-CSD-GRC", R.INPUT, 4),
        ],
        [(1, S.REVIEW, "OCIO-CSD-GRC"), (2, S.APPROVE, "OCIO")],
    ),
)


def make_templates(types, units_by_code):
    """The templates of :data:`TEMPLATES` for the demo's types (found by name); rows whose
    office the agency lacks are left out."""
    by_name = {t.name: t for t in types}
    made = []
    for name, type_name, description, rows, steps in TEMPLATES:
        action_type = by_name.get(type_name)
        if action_type is None:
            continue
        template = af.ProcessTemplateFactory(
            name=name, action_type=action_type, description=description
        )
        for position, (pattern, code, role, offset) in enumerate(rows, 1):
            if code in units_by_code:
                af.TemplateSubtaskerFactory(
                    template=template,
                    position=position,
                    title_pattern=pattern,
                    organization_unit=units_by_code[code],
                    role=role,
                    offset_business_days=offset,
                )
        for position, kind, code in steps:
            if code in units_by_code:
                af.TemplateRouteStepFactory(
                    template=template,
                    position=position,
                    kind=kind,
                    organization_unit=units_by_code[code],
                )
        made.append(template)
    return made


def staff_with_template(template, secretariat, today):
    """A congressional inquiry the secretariat issued, due in 20 business days, with its
    template's sub-taskers back-planned from that suspense."""
    from actions import services, templates

    person = secretariat.person
    first = template.subtaskers.order_by("position").first()
    lead = first.organization_unit if first else person.organization_unit
    parent = services.create_action(
        user=secretariat,
        title="Senate committee letter on the claims backlog",
        action_type=template.action_type,
        priority=Priority.HIGH,
        lead_unit=lead,
        accountable_person=lead.people.filter(is_active=True).order_by("pk").first(),
        issued_by=person,
        issuing_unit=person.organization_unit,
        due_date=add_business_days(today, 20),
        description="The committee asks for the backlog by region and the plan to reduce it.",
    )
    services.transition(parent, ActionStatus.NOT_STARTED, secretariat, strict=False)
    rows = templates.plan(template, parent)
    templates.apply_template(template, parent, secretariat, rows, seen_version=parent.version)
    return parent
