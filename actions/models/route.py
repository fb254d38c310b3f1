"""The coordination route of a tasker (issue 16): the ordered steps its response goes
through — review, concurrence, signature, approval — each an office or a person, steps with
the same position running in parallel; and the history of every step (who acted, when,
with what text), from which the days spent at each step are counted.

The rules (who moves the response, what an answer needs) live in ``actions/routing.py``;
these are the records.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from actions.choices import (
    ROUTE_EVENT_KIND_COLORS,
    ROUTE_OUTCOME_COLORS,
    ROUTE_STEP_KIND_COLORS,
    ROUTE_STEP_STATE_COLORS,
    RouteEventKind,
    RouteOutcome,
    RouteStepKind,
    RouteStepState,
)
from actions.models.action import ExecutiveAction
from actions.models.satellites import (
    ActionPartQuerySet,
    Attachment,
    answer_recorder,
    on_behalf_flag,
)
from execcoord.db.constraints import check
from execcoord.formats import format_datetime
from execcoord.models import BaseModel, optional_link, user_link

SECONDS_A_DAY = 86400


def office_or_person(rule):
    """The check constraint of a route step, on a tasker or in a template: it names an
    office or a person.

    Args:
        rule: the constraint's rule name, after the model's prefix.
    """
    return check(
        Q(organization_unit__isnull=False) | Q(person__isnull=False),
        rule,
        "A route step names an office or a person.",
    )


class RouteStep(BaseModel):
    """One step of a tasker's coordination route: an office (or a person) that reviews,
    concurs, signs or approves the response. Steps sharing a ``position`` run in parallel;
    the route moves to the next position when every step of the current one is done.

    ``started_at``/``completed_at`` are those of the step's latest pass (a return sends a
    step back to waiting); ``dwell_seconds`` adds up every pass, from the step's events.
    A signature keeps the signer's name and role and the attachment (its id, version and
    file) that was signed.
    """

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="route_steps"
    )
    position = models.PositiveSmallIntegerField(
        help_text="Order in the route; steps with the same position run in parallel."
    )
    kind = models.CharField(max_length=16, choices=RouteStepKind)
    organization_unit = optional_link(
        "partners.OrganizationUnit", "route_steps", on_delete=models.PROTECT, verbose_name="office"
    )
    person = optional_link(
        "partners.Person",
        "route_steps",
        on_delete=models.PROTECT,
        help_text="A person who acts on the step (instead of, or within, the office).",
    )
    state = models.CharField(
        max_length=16, choices=RouteStepState, default=RouteStepState.WAITING, editable=False
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=24, choices=RouteOutcome, blank=True, editable=False)
    comment = models.TextField(blank=True, editable=False)
    acted_by = answer_recorder()
    entered_on_behalf = on_behalf_flag("the office")
    disposition = models.TextField(
        blank=True,
        editable=False,
        help_text="How the lead office resolved a non-concurrence.",
    )
    disposition_by = user_link(editable=False)
    disposition_at = models.DateTimeField(null=True, blank=True, editable=False)
    signer_name = models.CharField(max_length=255, blank=True, editable=False)
    signer_role = models.CharField(max_length=255, blank=True, editable=False)
    signed_attachment = optional_link(
        Attachment,
        "signed_route_steps",
        editable=False,
        help_text="The document that was signed.",
    )
    signed_attachment_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The document's version when signed."
    )
    signed_file = models.CharField(
        max_length=255, blank=True, editable=False, help_text="The stored file that was signed."
    )
    dwell_seconds = models.PositiveBigIntegerField(
        default=0, editable=False, help_text="Time spent at this step over all its passes."
    )

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {
        "kind": ROUTE_STEP_KIND_COLORS,
        "state": ROUTE_STEP_STATE_COLORS,
        "outcome": ROUTE_OUTCOME_COLORS,
    }

    class Meta:
        ordering = ["action", "position", "pk"]
        verbose_name = "route step"
        verbose_name_plural = "route steps"
        indexes = [
            models.Index(fields=["action", "position"], name="routestep_action_pos_idx"),
            models.Index(fields=["state", "organization_unit"], name="routestep_state_unit_idx"),
        ]
        constraints = [
            office_or_person("office_or_person"),
        ]

    def __str__(self):
        return f"Step {self.position}: {self.get_kind_display()}"

    @property
    def dwell_days(self):
        """Days spent at the step, over all its passes (two decimals)."""
        return round(self.dwell_seconds / SECONDS_A_DAY, 2)

    @property
    def needs_disposition(self):
        return self.outcome == RouteOutcome.NON_CONCUR and not self.disposition


class RouteStepEvent(BaseModel):
    """What happened at a route step, in order: reached, answered (with the text, who, on
    whose behalf), returned, sent back, non-concurrence disposition. Written by
    ``actions.routing`` only; the days spent at a step are counted from these rows."""

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="route_events"
    )
    step = models.ForeignKey(RouteStep, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=RouteEventKind)
    outcome = models.CharField(max_length=24, choices=RouteOutcome, blank=True)
    text = models.TextField(blank=True)
    user = user_link()
    on_behalf = models.BooleanField(
        default=False, help_text="Entered by the secretariat for the step's office."
    )
    at = models.DateTimeField(default=timezone.now)

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {"kind": ROUTE_EVENT_KIND_COLORS, "outcome": ROUTE_OUTCOME_COLORS}

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "route step event"
        verbose_name_plural = "route step events"
        indexes = [models.Index(fields=["step", "at"], name="routestepevent_step_at_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {format_datetime(self.at)}"
