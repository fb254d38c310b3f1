"""Executive actions (taskers), their types and tags, and the visibility rules for them."""

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from actions import due
from actions.choices import (
    ACTION_CATEGORY_COLORS,
    ACTION_STATUS_COLORS,
    CLASSIFICATION_REQUIRED_CLEARANCE,
    FINAL_STATUSES,
    HEALTH_COLORS,
    METHOD_OF_RECEIPT_COLORS,
    OUTCOME_COLORS,
    PRIORITY_COLORS,
    SECURITY_CLASSIFICATION_COLORS,
    VISIBILITY_COLORS,
    ActionCategory,
    ActionStatus,
    Health,
    MethodOfReceipt,
    Outcome,
    Priority,
    SecurityClassification,
    Visibility,
    classification_rank,
)
from actions.models.support import ActionNumberSequence
from execcoord.access import read_key
from execcoord.db.arrays import InArray
from execcoord.db.compiled import Kept, checking
from execcoord.db.constraints import check, unique
from execcoord.db.shape import is_untouched
from execcoord.db.text import joined_or_alone
from execcoord.db.trees import TreeNode, TreeQuerySet, cycle_error, not_own_parent_constraint
from execcoord.formats import format_date
from execcoord.models import BaseModel, VisibleQuerySet, optional_link
from partners.access import NO_SCOPE, clearance_rank, get_user_scope

number_prefix_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{0,9}$",
    "Use 1–10 capital letters or digits, starting with a letter (e.g. EA, DIR, IR2).",
)


class ExecutiveActionType(BaseModel):
    """A kind of executive action: its category, numbering prefix, defaults and issuing rules.

    Types are reference data: once actions use a type it is deactivated, never deleted
    (``ExecutiveAction.action_type`` protects it).
    """

    str_fields = ("name",)

    @classmethod
    def str_expression(cls, prefix=""):
        """``str(record)`` as an SQL expression (the CSV export's ``COPY``)."""
        return F(f"{prefix}name")

    name = models.CharField(max_length=255)
    category = models.CharField(max_length=32, choices=ActionCategory)
    number_prefix = models.CharField(
        max_length=10,
        default="EA",
        validators=[number_prefix_validator],
        help_text="Prefix of the numbers of actions of this type, e.g. EA → EA-2026-00042.",
    )
    description = models.TextField(blank=True)
    default_priority = models.CharField(
        max_length=16,
        choices=Priority,
        default=Priority.MEDIUM,
        help_text="New actions of this type start with this priority.",
    )
    default_days_to_due = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Suggested suspense: the due date is set this many business days after "
            "creation (weekends and federal holidays are skipped)."
        ),
    )
    requires_legal_authority = models.BooleanField(
        default=False, help_text="An action of this type needs a legal authority to be issued."
    )
    requires_impact_assessment = models.BooleanField(
        default=False, help_text="An action of this type needs an impact to be issued."
    )
    requires_risk_assessment = models.BooleanField(
        default=False, help_text="An action of this type needs a risk item to be issued."
    )
    is_active = models.BooleanField(default=True)

    choice_colors = {"category": ACTION_CATEGORY_COLORS, "default_priority": PRIORITY_COLORS}
    search_fields = ("name", "description")

    class Meta:
        # default ordering: name (indexed by the unique constraint)
        ordering = ["name"]
        verbose_name = "executive action type"
        verbose_name_plural = "executive action types"
        constraints = [
            unique(["name"], "unique_name", "An action type with this name already exists."),
        ]

    def __str__(self):
        return self.name


class Tag(BaseModel):
    """A free label on actions ("FY27 budget", "congressional"), filterable in lists."""

    name = models.CharField(max_length=64)

    search_fields = ("name",)

    class Meta:
        # default ordering: name (indexed by the unique constraint)
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"
        constraints = [
            unique(["name"], "unique_name", "A tag with this name already exists."),
        ]

    def __str__(self):
        return self.name


def percent_complete_field(**options):
    """A tasker's percent complete, 0 to 100 (the table's check: :func:`percent_range`)."""
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)], **options
    )


def percent_range(*, null=False):
    """The check constraint of a ``percent_complete`` field: 0 to 100 (or empty)."""
    in_range = Q(percent_complete__gte=0, percent_complete__lte=100)
    return check(
        Q(percent_complete__isnull=True) | in_range if null else in_range,
        "percent_range",
        "Percent complete must be between 0 and 100.",
    )


def late_suspense_problem(action, parent, due_date, reason):
    """Why ``action`` may not be saved under ``parent`` due ``due``: a sub-tasker may not be
    due after its parent unless the user says why (issue 16; the reason is kept on the
    sub-tasker, its page and history show it). Checked when the sub-tasker is new or its
    date or parent changes; ``None`` when nothing stops it."""
    if parent is None or not parent.due_date or not due_date or due_date <= parent.due_date:
        return None
    stored_due = action.__dict__.get("_stored_due_date", action.due_date)
    stored_parent = action.__dict__.get("_stored_parent_id", action.parent_id)
    moved = action.pk is None or due_date != stored_due or parent.pk != stored_parent
    if not moved or (reason or "").strip():
        return None
    return (
        f"Due {format_date(due_date)}, after its parent {parent.number}'s suspense "
        f"{format_date(parent.due_date)}: say why, or choose an earlier date."
    )


def allowed_classifications(clearance_rank_value):
    """The classification values a person with clearance rank ``clearance_rank_value`` may see.

    Unclassified needs nothing; CUI needs Public Trust or above; Confidential, Secret and Top
    Secret need a clearance of at least the same level.
    """
    return [
        value
        for value, needed in CLASSIFICATION_REQUIRED_CLEARANCE.items()
        if clearance_rank(needed) <= clearance_rank_value
    ]


# the visibility rule of each read key, as a queryset never evaluated (copied for use):
# under 46 KB each (measured with tracemalloc, the reader's scope included), so at most
# about 23 MB a process; a reader past the last 500 has theirs built again
_RULES = Kept(500)


def _sql(queryset):
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


class ExecutiveActionQuerySet(TreeQuerySet, VisibleQuerySet):
    """Executive actions: the visibility rules and the named subsets lists and dashboards use."""

    def visible_to(self, user):
        """Return the actions ``user`` may see (DESIGN.md §4, DATA_MODEL.md "visibility").

        Anonymous or inactive users see nothing and administrators see everything. Anyone
        else sees, among the actions whose classification their clearance allows: public
        ones; internal ones if they are agency staff; restricted ones they are named on or
        that involve their unit or a unit they manage (subtree included); confidential ones
        they are named on. One ``WHERE`` with ``EXISTS`` subqueries, whatever the table size.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = get_user_scope(user)
        if scope.is_admin:
            return self.all()
        # The rule is the same SQL for every reader with the same read key: built once per
        # process (a few milliseconds of lookups and subqueries on every list, page and
        # count), then copied, when asked of the plain table. The tests compare every copy
        # with a fresh build (``compiled.checking``).
        reader = read_key(self.model, user) if scope is not NO_SCOPE else None
        if reader is None or not is_untouched(self):
            return self._visible_to(scope)
        key = (reader, type(self), self.db)
        rule = _RULES.get(key)
        if rule is None:
            rule = _RULES.keep(key, self._visible_to(scope))
        elif checking():
            fresh = self._visible_to(scope)
            if _sql(fresh) != _sql(rule):
                raise AssertionError(f"visible_to reused another reader's rule: {key!r}")
        return rule.all()

    def _visible_to(self, scope):
        rule = Q(visibility=Visibility.PUBLIC)
        for visibility in (Visibility.RESTRICTED, Visibility.CONFIDENTIAL):
            rule |= Q(visibility=visibility) & self.seen_q(scope, visibility)
        if scope.is_internal:
            rule |= Q(visibility=Visibility.INTERNAL)
        cleared = Q(security_classification__in=allowed_classifications(scope.clearance_rank))
        return self.filter(rule & cleared)

    @classmethod
    def seen_q(cls, scope, visibility, indexed=False):
        """Which actions of ``visibility`` the user of ``scope`` (not an administrator) may see,
        clearance aside: every public one; internal ones for agency staff; restricted ones
        they are named on or that involve their unit or a unit they manage (subtree
        included); confidential ones they are named on.

        ``indexed``: as :meth:`named_q`, each part served by an index (the units and
        assignments read once as arrays), for a few rows among many.
        """
        from actions.models.satellites import Assignment

        if visibility == Visibility.PUBLIC or (
            visibility == Visibility.INTERNAL and scope.is_internal
        ):
            return Q()
        if visibility == Visibility.INTERNAL or not scope.person_id:
            return Q(pk__in=[])  # a user without a person is named nowhere
        named = cls.named_q(scope.person_id, indexed)
        if visibility == Visibility.CONFIDENTIAL:
            return named
        if scope.covers_all and not indexed:
            # A manager of the one root unit manages every unit: "involves a unit they
            # manage" is "involves a unit". This spares the database a hash of every unit
            # and every assignment, whose cost kept it from reading a list in its index's
            # order (the status updates of 1M taskers: 1.8 s -> 29 ms, issue 20). Every
            # assignment is to a unit; only the few taskers without a lead or issuing unit
            # are asked for theirs (a partial index, ``ea_no_unit_idx``).
            unitless = Assignment.objects.filter(
                action__lead_unit__isnull=True, action__issuing_unit__isnull=True
            ).values("action_id")
            return (
                named
                | Q(lead_unit__isnull=False)
                | Q(issuing_unit__isnull=False)
                | Q(pk__in=unitless)
            )
        # their own unit and every managed subtree (ids, or a subquery the database
        # resolves once per query: a manager of the root unit sends no list of ids)
        units = scope.involved_units()
        assigned = Assignment.objects.filter(organization_unit_id__in=units).values("action_id")
        if indexed:
            return (
                named
                | Q(InArray("lead_unit_id", units))
                | Q(InArray("issuing_unit_id", units))
                | Q(InArray("pk", assigned))
            )
        return named | Q(lead_unit_id__in=units) | Q(issuing_unit_id__in=units) | Q(pk__in=assigned)

    @staticmethod
    def named_q(person_id, indexed=False):
        """The actions the person ``person_id`` is named on: accountable, issuer, sponsor or
        assigned (the rule :meth:`visible_to` applies to restricted and confidential ones).

        ``indexed``: read the person's assignments once as an array, so that inside an ``OR``
        of indexed conditions an index serves every part (a ``BitmapOr`` on PostgreSQL)
        rather than a test of every row; for a few rows among many, not for a page's rule.
        """
        from actions.models.satellites import Assignment

        assigned = Assignment.objects.filter(person_id=person_id).values("action_id")
        return (
            Q(accountable_person_id=person_id)
            | Q(issued_by_id=person_id)
            | Q(executive_sponsor_id=person_id)
            | (Q(InArray("pk", assigned)) if indexed else Q(pk__in=assigned))
        )

    def open(self):
        """Actions not in a final status (Completed, Cancelled): ``due.OPEN``."""
        return self.filter(due.OPEN)

    def overdue(self, today=None):
        """``due.overdue_q`` (default ``today``: the agency's date)."""
        return self.filter(due.overdue_q(today or timezone.localdate()))

    def due_within(self, days, today=None):
        """``due.due_soon_q``: open and due from ``today`` to ``today + days``."""
        return self.filter(due.due_soon_q(today or timezone.localdate(), days))

    def with_child_counts(self):
        """Annotate ``child_total`` and ``child_completed`` (sub-tasker counts) in one query."""
        return self.annotate(
            # a cancelled sub-tasker is no longer work to complete ("2 of 2", not "2 of 3")
            child_total=Count(
                "children", filter=~Q(children__status=ActionStatus.CANCELLED), distinct=True
            ),
            child_completed=Count(
                "children",
                filter=Q(children__status=ActionStatus.COMPLETED),
                distinct=True,
            ),
        )


class ExecutiveAction(TreeNode, BaseModel):
    """A tasker: a directive, request or formal action assigned to a unit with a suspense date.

    Numbered by the system (``EA-2026-00042``) on first save; status changes go through
    ``actions.services.transition`` (the one table of allowed moves); ``version`` grows on
    every save so forms can refuse to overwrite a newer edit.
    """

    str_fields = ("number", "title")

    @classmethod
    def str_expression(cls, prefix=""):
        """``str(record)`` as an SQL expression (the CSV export's ``COPY``)."""
        return joined_or_alone(f"{prefix}number", f"{prefix}title")

    # global search: a single word equal to a visible action's number finds just that one
    search_identifier_field = "number"

    # identity
    number = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text=(
            "Assigned by the system from the type's prefix, the year and a sequence "
            "(EA-2026-00042); never reused."
        ),
    )
    title = models.CharField(max_length=255)
    action_type = models.ForeignKey(
        ExecutiveActionType,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name="type",
    )
    category = models.CharField(
        max_length=32,
        choices=ActionCategory,
        blank=True,
        help_text="Defaults to the category of the type.",
    )
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)

    # receipt (correspondence)
    method_of_receipt = models.CharField(max_length=16, choices=MethodOfReceipt, blank=True)
    received_date = models.DateField(null=True, blank=True)
    received_from_account = optional_link("partners.Account", "received_actions")
    received_from_unit = optional_link("partners.OrganizationUnit", "received_actions")
    received_from_person = optional_link("partners.Person", "received_actions")
    # the Message-ID of the e-mail the tasker was taken in from (``actions.intake``): one
    # tasker per message, so the same e-mail taken in twice is recognised and refused
    message_id = models.CharField(
        max_length=998,
        blank=True,
        default="",
        editable=False,
        verbose_name="e-mail Message-ID",
        help_text="Set by e-mail intake: the Message-ID of the e-mail received.",
    )

    # issuance
    issued_by = optional_link("partners.Person", "issued_actions")
    issuing_unit = optional_link(
        "partners.OrganizationUnit", "issued_actions", help_text="The issuing authority."
    )
    issue_date = models.DateField(null=True, blank=True, help_text="Set when issued.")
    executive_sponsor = optional_link("partners.Person", "sponsored_actions")

    # responsibility: protected, because an issued action must never silently lose its
    # responsible unit or person (units and people are deactivated, not deleted)
    lead_unit = optional_link(
        "partners.OrganizationUnit",
        "led_actions",
        on_delete=models.PROTECT,
        help_text="The office of primary responsibility (OPR); required to issue.",
    )
    accountable_person = optional_link(
        "partners.Person",
        "accountable_actions",
        on_delete=models.PROTECT,
        help_text=("The action officer. Not needed to issue: the lead unit's manager names them."),
    )
    partners = models.ManyToManyField(
        "partners.Account",
        blank=True,
        related_name="actions",
        help_text="External partners coordinated with.",
    )

    # state
    status = models.CharField(max_length=16, choices=ActionStatus, default=ActionStatus.DRAFT)
    held_from_status = models.CharField(
        max_length=16,
        choices=ActionStatus,
        blank=True,
        editable=False,
        help_text="While on hold: the status the action resumes to.",
    )
    priority = models.CharField(max_length=16, choices=Priority, default=Priority.MEDIUM)
    visibility = models.CharField(
        max_length=16,
        choices=Visibility,
        default=Visibility.INTERNAL,
        help_text=(
            "Public: everyone signed in. Internal: agency staff. Restricted: people and units "
            "on the action and managers above them. Confidential: named people and "
            "administrators only."
        ),
    )
    security_classification = models.CharField(
        max_length=16,
        choices=SecurityClassification,
        default=SecurityClassification.UNCLASSIFIED,
    )
    health = models.CharField(max_length=16, choices=Health, default=Health.NOT_ASSESSED)

    # dates
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text="The current suspense date; required to issue."
    )
    late_suspense_reason = models.TextField(
        blank=True,
        verbose_name="why due after its parent",
        help_text="Required when a sub-tasker is due after its parent's suspense.",
    )
    completed_date = models.DateField(null=True, blank=True)
    original_due_date = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The suspense when issued; extensions never change it.",
    )

    # plan
    estimated_effort_hours = models.DecimalField(
        max_digits=10, decimal_places=1, null=True, blank=True
    )
    estimated_budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    strategic_alignment = models.TextField(blank=True)
    success_criteria = models.TextField(blank=True)
    requires_formal_decision = models.BooleanField(default=False)
    compliance_driven = models.BooleanField(default=False)

    # context
    source_legal_authority = optional_link(
        "analysis.LegalAuthority",
        "sourced_actions",
        help_text="The authority that prompted this action.",
    )
    source_analysis = optional_link("analysis.Analysis", "sourced_actions")
    source_impact = optional_link("analysis.Impact", "sourced_actions")
    source_risk_item = optional_link("analysis.RiskItem", "sourced_actions")
    legal_authorities = models.ManyToManyField(
        "analysis.LegalAuthority",
        blank=True,
        related_name="actions",
        help_text="Every authority the action rests on.",
    )
    analyses = models.ManyToManyField("analysis.Analysis", blank=True, related_name="actions")
    impacts = models.ManyToManyField("analysis.Impact", blank=True, related_name="actions")
    risk_items = models.ManyToManyField("analysis.RiskItem", blank=True, related_name="actions")
    agreements = models.ManyToManyField(
        "partners.Agreement",
        blank=True,
        related_name="actions",
        help_text="MOUs that support the action or arise from it.",
    )

    # tree (``path``/``depth`` from TreeNode): a parent with sub-taskers cannot be deleted
    # (they would be lost or orphaned)
    parent = optional_link(
        "self",
        "children",
        on_delete=models.PROTECT,
        help_text="The action this one is a sub-tasker of.",
    )
    percent_complete = percent_complete_field(
        default=0, help_text="Entered on sub-taskers without children; rolled up on parents."
    )

    # closure
    outcome = models.CharField(max_length=32, choices=Outcome, blank=True)
    outcome_summary = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="actions")
    notes = models.TextField(blank=True)

    objects = ExecutiveActionQuerySet.as_manager()

    choice_colors = {
        "status": ACTION_STATUS_COLORS,
        "priority": PRIORITY_COLORS,
        "visibility": VISIBILITY_COLORS,
        "security_classification": SECURITY_CLASSIFICATION_COLORS,
        "health": HEALTH_COLORS,
        "category": ACTION_CATEGORY_COLORS,
        "outcome": OUTCOME_COLORS,
        "method_of_receipt": METHOD_OF_RECEIPT_COLORS,
    }
    search_fields = ("number", "title", "description")
    related_titles = {"children": "Sub-taskers"}
    tree_cycle_message = "This parent would make the action a sub-tasker of itself."
    # a person's name finds the taskers they are accountable for or named on (issue 15)
    search_related_fields = {
        "accountable_person": ("first_name", "last_name"),
        "assignments__person": ("first_name", "last_name"),
    }

    class Meta:
        # default ordering: by suspense, then number (index ea_due_number_idx)
        ordering = ["due_date", "number"]
        verbose_name = "executive action"
        verbose_name_plural = "executive actions"
        # lead_unit and accountable_person are indexed as foreign keys; due_date is the
        # leading column of the ordering index.
        indexes = [
            models.Index(fields=["due_date", "number"], name="ea_due_number_idx"),
            models.Index(fields=["status", "due_date"], name="ea_status_due_idx"),
            models.Index(fields=["priority"], name="ea_priority_idx"),
            models.Index(fields=["updated_at"], name="ea_updated_idx"),
            models.Index(fields=["lead_unit", "status"], name="ea_lead_status_idx"),
            # the dashboard reads open work and the recent weeks only (issue 20): open
            # taskers through a partial index, the recently issued and completed by date
            models.Index(
                fields=["lead_unit", "due_date"],
                condition=due.OPEN,
                name="ea_open_unit_due_idx",
            ),
            # open taskers by suspense: the oldest overdue (dashboard, My work, the overdue
            # list) without walking the closed ones of history
            models.Index(
                fields=["due_date", "id"],
                condition=due.OPEN,
                name="ea_open_due_idx",
            ),
            models.Index(fields=["issue_date"], name="ea_issue_date_idx"),
            # the list shows open taskers unless asked otherwise: sorted by a column whose
            # oldest values are history (number, issue date) or by one of few values, a
            # full index walks the closed ones first (1M taskers: by issue date 330 ms)
            *(
                models.Index(fields=[name, "id"], condition=due.OPEN, name=f"ea_open_{short}_idx")
                for name, short in (
                    ("number", "number"),
                    ("issue_date", "issue"),
                    ("title", "title"),
                    ("priority", "priority"),
                    ("percent_complete", "percent"),
                )
            ),
            # the few taskers without a lead or issuing unit (``seen_q`` for a manager of
            # the root unit asks their assignments)
            models.Index(
                fields=["id"],
                condition=Q(lead_unit__isnull=True, issuing_unit__isnull=True),
                name="ea_no_unit_idx",
            ),
            # the completed taskers the tally cannot count for a user (those of a visibility
            # the user does not see all of, e.g. confidential ones), counted live
            models.Index(
                fields=["visibility"],
                condition=Q(status=ActionStatus.COMPLETED),
                name="ea_done_visibility_idx",
            ),
            models.Index(
                fields=["completed_date"],
                condition=Q(completed_date__isnull=False),
                name="ea_completed_date_idx",
            ),
        ]
        constraints = [
            unique(["number"], "unique_number", "An action with this number already exists."),
            check(
                Q(completed_date__isnull=True)
                | Q(issue_date__isnull=True)
                | Q(completed_date__gte=F("issue_date")),
                "completed_after_issue",
                "The completion date cannot be before the issue date.",
            ),
            not_own_parent_constraint("An action cannot be its own parent."),
            unique(
                ["message_id"],
                "unique_message_id",
                "An action was already taken in from this e-mail.",
                condition=~Q(message_id=""),
            ),
            percent_range(),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}" if self.number else self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the stored due date (``save`` records its changes) and parent (the write
        policy checks a new one)."""
        instance = super().from_db(db, field_names, values)
        if "due_date" in field_names:
            instance._stored_due_date = instance.__dict__.get("due_date")
        if "parent_id" in field_names:
            instance._stored_parent_id = instance.__dict__.get("parent_id")
        return instance

    def save(self, *args, **kwargs):
        """Fill the category from the type, grow ``version``, number a new action, and keep
        every due-date change.

        Numbering happens here (inside one transaction with the insert) because the number
        is part of the action's identity; the counter is ``ActionNumberSequence.take``. A due
        date changed by any path other than ``services.change_due_date`` (which records it
        itself) writes a ``DueDateChange`` with the save's author and reason, so no path can
        move a suspense date without a trace.
        """
        with transaction.atomic(using=kwargs.get("using")):
            self._save(*args, **kwargs)
            self._record_due_date_change()

    def _record_due_date_change(self):
        known = "_stored_due_date" in self.__dict__
        stored = self.__dict__.get("_stored_due_date")
        recorded = getattr(self, "_due_date_change_recorded", False)
        self._stored_due_date = self.due_date
        self._due_date_change_recorded = False
        if not known or recorded or stored == self.due_date:
            return
        from actions.models.satellites import DueDateChange

        user = getattr(self, "_history_user", None)
        change = DueDateChange(
            action=self,
            old_due_date=stored,
            new_due_date=self.due_date,
            changed_by=user if getattr(user, "pk", None) else None,
            reason=getattr(self, "_change_reason", "") or "Due date edited",
        )
        change._history_user = change.changed_by
        change.save()
        from actions import notifications
        from execcoord.formats import format_date

        notifications.notify(
            notifications.K.SUSPENSE_CHANGED,
            self,
            actor=change.changed_by,
            old_due_date=format_date(stored) or "none",
            new_due_date=format_date(self.due_date) or "none",
        )

    def _save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self.category and self.action_type_id:
            self.category = self.action_type.category
        if self.number:
            return super().save(*args, **kwargs)
        try:
            with transaction.atomic(using=kwargs.get("using")):
                self.number = ActionNumberSequence.take(self.action_type.number_prefix)[0]
                if update_fields is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "number"}
                return super().save(*args, **kwargs)
        except Exception:
            self.number = ""  # the counter rolled back: this number was never handed out
            raise

    def clean(self):
        """Refuse a classification above the installation's cap, a cycle in the action tree,
        and a start date after the due date."""
        errors = {}
        cap = settings.MAX_SECURITY_CLASSIFICATION
        if classification_rank(self.security_classification) > classification_rank(cap):
            errors["security_classification"] = (
                f"This installation may hold information up to "
                f"{SecurityClassification(cap).label}; "
                f"{self.get_security_classification_display()} is not allowed here."
            )
        # parent == self is reported by the not_own_parent constraint
        if self.parent_id != self.pk and (cycle := cycle_error(self)):
            errors["parent"] = cycle
        if self.start_date and self.due_date and self.start_date > self.due_date:
            errors["start_date"] = "The start date cannot be after the due date."
        # every path that saves through full_clean (import, bulk edit); the forms check it
        # themselves with the values typed, and say so
        if self.parent_id and not self.__dict__.get("_parent_suspense_checked"):
            problem = late_suspense_problem(
                self, self.parent, self.due_date, self.late_suspense_reason
            )
            if problem:
                errors["late_suspense_reason"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def is_final(self):
        """Completed or cancelled."""
        return self.status in FINAL_STATUSES

    @property
    def is_overdue(self):
        """Due before today (agency time zone) and not in a final status (``due``)."""
        return due.is_overdue(self, timezone.localdate())

    @property
    def days_overdue(self):
        """Whole days past the due date (0 when not overdue)."""
        return due.days_overdue(self, timezone.localdate())

    @property
    def completed_on_time(self):
        """Completed on or before the current due date; ``None`` if not completed or undated."""
        return due.completed_by(self, self.due_date)

    @property
    def completed_on_time_original(self):
        """Completed on or before the due date at issue, whatever extensions were granted."""
        return due.completed_by(self, self.original_due_date)
