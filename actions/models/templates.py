"""Process templates: per tasker type, a named set of standard sub-taskers and a standard
coordination route, applied to a tasker by ``actions.templates`` (issue 16).

Templates are reference data that administrators keep: every signed-in user reads them
(the create form offers them, the apply page previews them), only administrators change them
(the roles' model permissions; no record-level rule).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from actions.choices import (
    ROUTE_STEP_KIND_COLORS,
    TEMPLATE_SUBTASKER_ROLE_COLORS,
    RouteStepKind,
    TemplateSubtaskerRole,
)
from actions.models.action import ExecutiveActionType
from actions.models.route import office_or_person
from execcoord.db.constraints import unique
from execcoord.models import BaseModel, optional_link

# ``{parent.title}``, ``{parent.number}``, ``{unit}``: the only placeholders of a title
# pattern (a whitelist, not ``str.format``, which would reach any attribute of the tasker)
PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
PLACEHOLDERS = ("parent.title", "parent.number", "unit")


def placeholder_errors(pattern):
    """The placeholders of ``pattern`` that are not allowed, as one message, or ``None``."""
    unknown = sorted({name for name in PLACEHOLDER.findall(pattern) if name not in PLACEHOLDERS})
    if not unknown:
        return None
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    return f"Unknown placeholder(s) {', '.join(unknown)}: use {allowed}."


class ProcessTemplate(BaseModel):
    """A named set of standard sub-taskers and route steps for one tasker type."""

    str_fields = ("name",)

    name = models.CharField(max_length=255)
    action_type = models.ForeignKey(
        ExecutiveActionType,
        on_delete=models.PROTECT,
        related_name="process_templates",
        verbose_name="type",
        help_text="Taskers of this type are offered the template.",
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Only active templates are offered when creating a tasker."
    )

    search_fields = ("name", "description")

    class Meta:
        ordering = ["name"]
        verbose_name = "process template"
        verbose_name_plural = "process templates"
        constraints = [
            unique(
                ["action_type", "name"],
                "unique_type_name",
                "This type already has a template of this name.",
            ),
        ]

    def __str__(self):
        return self.name


class TemplateSubtasker(BaseModel):
    """A standard sub-tasker of a template: the office it goes to, its title, what the
    office does, and how many business days before the parent's suspense it is due."""

    str_fields = ("title_pattern",)

    template = models.ForeignKey(
        ProcessTemplate, on_delete=models.CASCADE, related_name="subtaskers"
    )
    position = models.PositiveSmallIntegerField(default=1, help_text="Order in the template.")
    organization_unit = models.ForeignKey(
        "partners.OrganizationUnit",
        on_delete=models.PROTECT,
        related_name="template_subtaskers",
        verbose_name="office",
        help_text="The office the sub-tasker goes to (its lead unit).",
    )
    title_pattern = models.CharField(
        max_length=255,
        help_text="E.g. “{parent.title}: legal review”; placeholders: {parent.title}, "
        "{parent.number}, {unit}.",
    )
    role = models.CharField(
        max_length=16, choices=TemplateSubtaskerRole, default=TemplateSubtaskerRole.INPUT
    )
    offset_business_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(260)],
        verbose_name="business days before the parent's suspense",
        help_text="The sub-tasker is due this many business days (weekends and federal "
        "holidays skipped) before its parent.",
    )

    choice_colors = {"role": TEMPLATE_SUBTASKER_ROLE_COLORS}
    search_fields = ("title_pattern",)
    # a row of the template, in the order its edit page, its form and its list show it
    row_fields = ("position", "title_pattern", "organization_unit", "role", "offset_business_days")

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = "template sub-tasker"
        verbose_name_plural = "template sub-taskers"

    def __str__(self):
        return self.title_pattern

    def clean(self):
        """Refuse a title pattern with a placeholder outside the whitelist."""
        problem = placeholder_errors(self.title_pattern or "")
        if problem:
            raise ValidationError({"title_pattern": problem})


class TemplateRouteStep(BaseModel):
    """A step of a template's standard coordination route: its position (steps at the same
    position run in parallel), its kind, and the office or person who acts."""

    template = models.ForeignKey(
        ProcessTemplate, on_delete=models.CASCADE, related_name="route_steps"
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order of the step; steps with the same position run in parallel."
    )
    kind = models.CharField(max_length=16, choices=RouteStepKind, default=RouteStepKind.REVIEW)
    organization_unit = optional_link(
        "partners.OrganizationUnit",
        "template_route_steps",
        on_delete=models.PROTECT,
        verbose_name="office",
    )
    person = optional_link("partners.Person", "template_route_steps")
    instructions = models.CharField(
        max_length=255, blank=True, help_text="What the office is asked to look at, if anything."
    )

    choice_colors = {"kind": ROUTE_STEP_KIND_COLORS}
    # a step of the template, in the order its edit page, its form and its list show it
    row_fields = ("position", "kind", "organization_unit", "person", "instructions")

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = "template route step"
        verbose_name_plural = "template route steps"
        constraints = [
            office_or_person("unit_or_person"),
        ]

    def __str__(self):
        return f"{self.position}. {self.get_kind_display()}"
