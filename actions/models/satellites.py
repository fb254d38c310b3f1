"""Records that are part of one executive action: assignments, status updates, decisions,
dependencies, extension requests, due-date changes and attachments.

Each is deleted with its action (``CASCADE``) and is visible exactly when its action is.
"""

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from actions.choices import (
    ASSIGNMENT_ROLE_COLORS,
    ASSIGNMENT_STATUS_COLORS,
    ATTACHMENT_KIND_COLORS,
    CHANGE_DIRECTION_COLORS,
    DECISION_CATEGORY_COLORS,
    DEPENDENCY_STATUS_COLORS,
    DEPENDENCY_TYPE_COLORS,
    EXTENSION_STATUS_COLORS,
    HEALTH_COLORS,
    STATUS_UPDATE_KIND_COLORS,
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    ChangeDirection,
    DecisionCategory,
    DependencyStatus,
    DependencyType,
    ExtensionStatus,
    Health,
    StatusUpdateKind,
)
from actions.models.action import ExecutiveAction, percent_complete_field, percent_range
from execcoord.db.constraints import check, dates_in_order, unique
from execcoord.formats import format_date
from execcoord.models import BaseModel, VisibleQuerySet, optional_link, user_link
from partners.access import get_user_scope


class ActionPartQuerySet(VisibleQuerySet):
    """Records that belong to an action: visible exactly when the action is."""

    def visible_to(self, user):
        """Filter by a subquery on the visible actions (never a list of ids)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if get_user_scope(user).is_admin:  # every action: no subquery to plan
            return self.all()
        return self.filter(action__in=ExecutiveAction.objects.visible_to(user).values("pk"))


def answer_recorder():
    """The field of who recorded an answer: a unit's on its assignment, an office's on its
    route step (``RouteStep.acted_by``)."""
    return user_link(editable=False, help_text="Who recorded the answer.")


def on_behalf_flag(whom):
    """The field that marks an answer received outside the app and entered for ``whom``
    ("the unit", "the office") by someone else."""
    return models.BooleanField(
        default=False,
        editable=False,
        help_text=f"The answer was received outside the app and entered for {whom}.",
    )


class Assignment(BaseModel):
    """A supporting unit on an action (office of coordinating responsibility), with its own
    due date and response. One row per (action, unit)."""

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="assignments"
    )
    organization_unit = models.ForeignKey(
        "partners.OrganizationUnit",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name="unit",
    )
    person = optional_link(
        "partners.Person", "assignments", help_text="The person in the unit who answers, if known."
    )
    role = models.CharField(
        max_length=16, choices=AssignmentRole, default=AssignmentRole.COORDINATING
    )
    due_date = models.DateField(
        null=True, blank=True, help_text="On or before the action's due date, unless allowed."
    )
    allow_later_due_date = models.BooleanField(
        default=False,
        verbose_name="allow due date after the action's",
        help_text="Let this unit answer after the action's own due date.",
    )
    status = models.CharField(
        max_length=24, choices=AssignmentStatus, default=AssignmentStatus.PENDING
    )
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = answer_recorder()
    entered_on_behalf = on_behalf_flag("the unit")
    disposition = models.TextField(
        blank=True,
        help_text="How a non-concurrence was resolved; needed before the action is closed.",
    )
    last_reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the unit was last reminded to answer (at most once a day).",
    )

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {"role": ASSIGNMENT_ROLE_COLORS, "status": ASSIGNMENT_STATUS_COLORS}
    search_fields = ("response",)

    class Meta:
        # default ordering: due date (index assignment_due_idx)
        ordering = ["due_date", "pk"]
        verbose_name = "assignment"
        verbose_name_plural = "assignments"
        indexes = [models.Index(fields=["due_date", "id"], name="assignment_due_idx")]
        constraints = [
            unique(
                ["action", "organization_unit"],
                "unique_unit",
                "This unit is already assigned to the action.",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} assignment ({self.get_status_display()})"

    def clean(self):
        """A supporting unit's due date falls on or before the action's, unless allowed."""
        if (
            self.due_date
            and self.action_id
            and not self.allow_later_due_date
            and self.action.due_date
            and self.due_date > self.action.due_date
        ):
            raise ValidationError(
                {
                    "due_date": (
                        f"The action is due {format_date(self.action.due_date)}; choose that date "
                        "or earlier, or allow a later due date."
                    )
                }
            )


class StatusUpdate(BaseModel):
    """A progress report or interim response on an action (appbase status update).

    Posting one (``services.post_status_update``) sets the action's health and percent
    complete.
    """

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="status_updates"
    )
    kind = models.CharField(
        max_length=16, choices=StatusUpdateKind, default=StatusUpdateKind.PROGRESS
    )
    sent_to = models.CharField(
        max_length=255, blank=True, help_text="Who an interim response went to."
    )
    status_date = models.DateField(default=timezone.localdate)
    reporting_period_start = models.DateField(null=True, blank=True)
    reporting_period_end = models.DateField(null=True, blank=True)
    reported_by = optional_link("partners.Person", "status_updates")
    health = models.CharField(max_length=16, choices=Health, default=Health.NOT_ASSESSED)
    percent_complete = percent_complete_field(
        null=True, blank=True, help_text="Leave empty to keep the action's percent complete."
    )
    key_accomplishments = models.TextField(blank=True)
    challenges_and_risks = models.TextField(blank=True)
    decisions_needed = models.TextField(blank=True)
    resource_concerns = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    timeline_impact = models.CharField(
        max_length=16, choices=ChangeDirection, default=ChangeDirection.NO_CHANGE
    )
    budget_impact = models.CharField(
        max_length=16, choices=ChangeDirection, default=ChangeDirection.NO_CHANGE
    )
    scope_change_requested = models.BooleanField(default=False)
    escalation_required = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {
        "kind": STATUS_UPDATE_KIND_COLORS,
        "health": HEALTH_COLORS,
        "timeline_impact": CHANGE_DIRECTION_COLORS,
        "budget_impact": CHANGE_DIRECTION_COLORS,
    }
    search_fields = ("key_accomplishments", "challenges_and_risks", "next_steps", "notes")

    class Meta:
        # default ordering: newest first (index statusupdate_date_idx)
        ordering = ["-status_date", "-pk"]
        verbose_name = "status update"
        verbose_name_plural = "status updates"
        indexes = [models.Index(fields=["-status_date", "-id"], name="statusupdate_date_idx")]
        constraints = [
            percent_range(null=True),
            dates_in_order(
                "reporting_period_start",
                "reporting_period_end",
                "period_order",
                "The reporting period cannot end before it starts.",
            ),
        ]

    def __str__(self):
        label = "Interim response" if self.kind == StatusUpdateKind.INTERIM else "Status update"
        return f"{label} {format_date(self.status_date)}" if self.status_date else label


class DecisionLogEntry(BaseModel):
    """A decision taken about an action: what, why, by whom, and what it changes."""

    action = models.ForeignKey(ExecutiveAction, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=255)
    decision_date = models.DateField(default=timezone.localdate)
    category = models.CharField(max_length=32, choices=DecisionCategory)
    description = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    decided_by = optional_link("partners.Person", "decisions")
    decision_authority = optional_link("partners.OrganizationUnit", "decisions")
    impact_on_scope = models.BooleanField(default=False)
    impact_on_timeline = models.BooleanField(default=False)
    impact_on_budget = models.BooleanField(default=False)
    impact_on_accountability = models.BooleanField(default=False)
    communicated_date = models.DateField(null=True, blank=True)
    implementation_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {"category": DECISION_CATEGORY_COLORS}
    search_fields = ("title", "description", "rationale")

    class Meta:
        # default ordering: newest first (index decision_date_idx)
        ordering = ["-decision_date", "-pk"]
        verbose_name = "decision log entry"
        verbose_name_plural = "decision log entries"
        indexes = [models.Index(fields=["-decision_date", "-id"], name="decision_date_idx")]

    def __str__(self):
        return self.title


class DependencyQuerySet(VisibleQuerySet):
    """Dependencies: visible when the user sees both actions they link."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        visible = ExecutiveAction.objects.visible_to(user).values("pk")
        return self.filter(predecessor__in=visible, successor__in=visible)

    def of_action_visible_to(self, action_id, user):
        """The dependencies of the action ``action_id`` that ``user`` sees, for an action the
        user is known to see (its page found it through ``visible_to``): only the other end
        of each link is asked, one visibility subquery where :meth:`visible_to` writes two
        (the tasker page's costliest part to compile and plan, issue 20)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        other = models.Case(
            models.When(predecessor_id=action_id, then=F("successor_id")),
            default=F("predecessor_id"),
        )
        visible = ExecutiveAction.objects.visible_to(user).values("pk")
        return (
            self.filter(Q(predecessor_id=action_id) | Q(successor_id=action_id))
            .alias(ec_other_end=other)
            .filter(ec_other_end__in=visible)
        )


class Dependency(BaseModel):
    """One action waits on another (appbase action dependency). No self-links, no cycles."""

    predecessor = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="predecessor_links"
    )
    dependency_type = models.CharField(
        max_length=24, choices=DependencyType, default=DependencyType.FINISH_TO_START
    )
    status = models.CharField(
        max_length=16, choices=DependencyStatus, default=DependencyStatus.ACTIVE
    )
    critical_path = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    impact_if_not_met = models.TextField(blank=True)

    objects = DependencyQuerySet.as_manager()

    choice_colors = {"dependency_type": DEPENDENCY_TYPE_COLORS, "status": DEPENDENCY_STATUS_COLORS}
    search_fields = ("description", "impact_if_not_met")

    class Meta:
        # default ordering: newest first (index dependency_created_idx)
        ordering = ["-created_at", "-pk"]
        verbose_name = "dependency"
        verbose_name_plural = "dependencies"
        indexes = [models.Index(fields=["-created_at", "-id"], name="dependency_created_idx")]
        constraints = [
            check(~Q(predecessor=F("successor")), "not_self", "An action cannot depend on itself."),
            unique(
                ["predecessor", "successor"], "unique_pair", "These two actions are already linked."
            ),
        ]

    def __str__(self):
        return f"{self.get_dependency_type_display()} dependency"

    def clean(self):
        """Refuse a link that would close a loop (the successor already leads to the
        predecessor). Breadth-first over the links, one query a level."""
        if not (self.predecessor_id and self.successor_id):
            return
        if self.predecessor_id == self.successor_id:
            return  # the named check constraint reports it
        links = Dependency.objects.exclude(pk=self.pk) if self.pk else Dependency.objects.all()
        seen = set()
        frontier = {self.successor_id}
        while frontier:
            if self.predecessor_id in frontier:
                raise ValidationError(
                    {
                        "successor": "This link would make a loop: the successor already "
                        "leads, directly or through others, to the predecessor."
                    }
                )
            seen |= frontier
            frontier = (
                set(
                    links.filter(predecessor_id__in=frontier).values_list("successor_id", flat=True)
                )
                - seen
            )


class ExtensionRequest(BaseModel):
    """A request to move an action's due date later, decided by a manager.

    At most one pending request per action; approving one changes the due date through
    ``services.change_due_date``, which records a ``DueDateChange``.
    """

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = user_link()
    current_due_date = models.DateField()
    requested_due_date = models.DateField()
    justification = models.TextField()
    status = models.CharField(
        max_length=16, choices=ExtensionStatus, default=ExtensionStatus.PENDING
    )
    decided_by = user_link()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {"status": EXTENSION_STATUS_COLORS}
    search_fields = ("justification", "decision_comment")

    class Meta:
        # default ordering: newest first (index extension_created_idx)
        ordering = ["-created_at", "-pk"]
        verbose_name = "extension request"
        verbose_name_plural = "extension requests"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="extension_created_idx"),
            models.Index(fields=["status"], name="extension_status_idx"),
        ]
        constraints = [
            check(
                Q(requested_due_date__gt=F("current_due_date")),
                "later_date",
                "The requested due date must be after the current due date.",
            ),
            unique(
                ["action"],
                "one_pending",
                "This action already has a pending extension request.",
                condition=Q(status=ExtensionStatus.PENDING),
            ),
        ]

    def __str__(self):
        return f"Extension to {format_date(self.requested_due_date)} ({self.get_status_display()})"

    def clean(self):
        """A new request starts from the action's current due date."""
        if self.current_due_date is None and self.action_id:
            self.current_due_date = self.action.due_date


class DueDateChange(BaseModel):
    """One change of an action's due date: from what, to what, by whom, why.

    Written by ``services.change_due_date``, which every path that moves a due date uses.
    """

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="due_date_changes"
    )
    old_due_date = models.DateField(null=True, blank=True)
    new_due_date = models.DateField(null=True, blank=True)
    changed_by = user_link()
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    extension_request = optional_link(
        ExtensionRequest,
        "due_date_changes",
        help_text="The approved request that caused this change, if any.",
    )

    objects = ActionPartQuerySet.as_manager()

    search_fields = ("reason",)

    class Meta:
        # default ordering: newest first (index duedatechange_at_idx)
        ordering = ["-changed_at", "-pk"]
        verbose_name = "due date change"
        verbose_name_plural = "due date changes"
        indexes = [models.Index(fields=["-changed_at", "-id"], name="duedatechange_at_idx")]

    def __str__(self):
        old = format_date(self.old_due_date, "none")
        new = format_date(self.new_due_date, "none")
        return f"Due date {old} → {new}"


def attachment_upload_to(instance, filename):
    """Store under the action's id with a random component, keeping the original extension,
    so uploaded names never collide and never form a guessable path."""
    _, ext = os.path.splitext(filename)
    return f"attachments/{instance.action_id}/{secrets.token_hex(8)}{ext.lower()}"


class Attachment(BaseModel):
    """A file on an action: the tasking memo, the response, supporting documents.

    Served only through a view that checks the action's visibility (``MEDIA_URL`` is not
    public).
    """

    action = models.ForeignKey(
        ExecutiveAction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    title = models.CharField(max_length=255)
    kind = models.CharField(
        max_length=16, choices=AttachmentKind, default=AttachmentKind.SUPPORTING
    )
    uploaded_by = user_link()
    uploaded_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveBigIntegerField(default=0, editable=False, help_text="Bytes.")
    content_type = models.CharField(max_length=255, blank=True)

    objects = ActionPartQuerySet.as_manager()

    choice_colors = {"kind": ATTACHMENT_KIND_COLORS}
    search_fields = ("title",)

    class Meta:
        # default ordering: newest first (index attachment_uploaded_idx)
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "attachment"
        verbose_name_plural = "attachments"
        indexes = [models.Index(fields=["-uploaded_at", "-id"], name="attachment_uploaded_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Record a new upload's size and, when the upload says, its content type."""
        if self.file and not self.file._committed:
            self.size = self.file.size
            upload_type = getattr(self.file.file, "content_type", None)
            if upload_type and not self.content_type:
                self.content_type = upload_type
        super().save(*args, **kwargs)

    def clean(self):
        """Refuse files over ``ATTACHMENT_MAX_BYTES`` or with an extension not allowed."""
        if not self.file:
            return
        ext = os.path.splitext(self.file.name)[1].lower().lstrip(".")
        allowed = [e.lower() for e in settings.ATTACHMENT_ALLOWED_EXTENSIONS]
        if ext not in allowed:
            raise ValidationError(
                {
                    "file": f"Files of type “.{ext}” are not accepted; use one of: "
                    f"{', '.join(allowed)}."
                }
            )
        if self.file.size > settings.ATTACHMENT_MAX_BYTES:
            limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
            raise ValidationError({"file": f"The file is larger than {limit} MB."})
