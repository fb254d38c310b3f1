"""Who is involved: the agency's organization units and people, outside accounts, agreements.

The unit tree keeps a materialised path (``OrganizationUnit.path``) so "this unit and everything
under it" is one indexed ``LIKE 'prefix%'`` query; the dashboards and the visibility rules of
executive actions ask it on every request.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from execcoord.db.constraints import check, unique_number
from execcoord.db.text import joined_or_alone
from execcoord.db.trees import (
    PATH_DIGITS,  # noqa: F401  (imported from here by the dashboards)
    TreeNode,
    TreeQuerySet,
    ensure_no_cycle,
    not_own_parent_constraint,
    path_ids,  # noqa: F401  (imported from here by the reminders)
    path_segment,  # noqa: F401  (imported from here by the bench and tests)
)
from execcoord.models import BaseModel, VisibleQuerySet, optional_link

from .choices import (
    ACCOUNT_TYPE_COLORS,
    AGREEMENT_STATUS_COLORS,
    CLEARANCE_LEVEL_COLORS,
    PERSONNEL_TYPE_COLORS,
    AccountType,
    AgreementStatus,
    AgreementType,
    ClearanceLevel,
    PersonnelType,
)


class OrganizationUnitType(BaseModel):
    """A level of the agency's structure: Department, Bureau, Office, Division, Branch, Team."""

    name = models.CharField(max_length=255, unique=True)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Position in the hierarchy; 1 is the top."
    )

    search_fields = ("name",)

    class Meta:
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "name"], name="partners_unittype_order_idx")]
        verbose_name = "organization unit type"
        verbose_name_plural = "organization unit types"

    def __str__(self):
        return self.name


class OrganizationUnitQuerySet(TreeQuerySet, VisibleQuerySet):
    """Units, with subtree queries on the materialised path (``execcoord.db.trees``)."""


class OrganizationUnit(TreeNode, BaseModel):
    """An internal unit of the agency (office, division, branch ...), in one tree.

    ``path`` and ``depth`` (``execcoord.db.trees.TreeNode``) are maintained on save: ``path``
    is the zero-padded ids of the unit's ancestors and its own, each followed by ``/``, so the
    subtree of a unit is every unit whose path starts with its path.
    """

    str_fields = ("abbreviation", "name")

    @classmethod
    def str_expression(cls, prefix=""):
        """``str(record)`` as an SQL expression (the CSV export's ``COPY``)."""
        return joined_or_alone(f"{prefix}abbreviation", f"{prefix}name")

    name = models.CharField(max_length=255)
    abbreviation = models.CharField(max_length=50, blank=True, help_text="e.g. OCIO")
    code = models.CharField(max_length=50, unique=True, help_text="Unique key used by imports.")
    unit_type = optional_link(OrganizationUnitType, "units")
    # PROTECT: a unit with sub-units is deactivated, not deleted. SET_NULL would turn the
    # children into roots without save(), leaving their paths pointing at a missing unit.
    parent = optional_link(
        "self", "children", on_delete=models.PROTECT, help_text="The unit this one belongs to."
    )
    manager = optional_link("partners.Person", "managed_units")
    email = models.EmailField(blank=True, help_text="The unit's task mailbox.")
    description = models.TextField(blank=True)
    is_secretariat = models.BooleanField(
        default=False,
        verbose_name="executive secretariat",
        help_text=(
            "The unit that issues taskers for the leadership: its staff take in "
            "correspondence (e-mail intake), see everything it issued and may import."
        ),
    )
    is_active = models.BooleanField(default=True)
    objects = OrganizationUnitQuerySet.as_manager()

    search_fields = ("name", "abbreviation", "code", "email")
    related_titles = {"children": "Sub-units"}  # the units whose parent this is
    tree_cycle_message = "A unit cannot be placed under itself or one of its own sub-units."

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="partners_unit_name_idx")]
        constraints = [not_own_parent_constraint("A unit cannot be its own parent.")]
        verbose_name = "organization unit"
        verbose_name_plural = "organization units"

    def __str__(self):
        return f"{self.abbreviation} — {self.name}" if self.abbreviation else self.name

    def tree_label(self):
        return self.code


class Account(BaseModel):
    """An outside organisation: partner, other agency, issuing body."""

    name = models.CharField(max_length=255, unique=True)
    abbreviation = models.CharField(max_length=50, blank=True)
    account_type = models.CharField(max_length=20, choices=AccountType, default=AccountType.FEDERAL)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True, help_text="State or province.")
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    choice_colors = {"account_type": ACCOUNT_TYPE_COLORS}
    search_fields = ("name", "abbreviation", "email", "city")

    class Meta:
        ordering = ["name"]  # default ordering: served by the unique index on name
        verbose_name = "account"
        verbose_name_plural = "accounts"

    def __str__(self):
        return self.name


class Person(BaseModel):
    """A person: agency staff (with a unit and usually a sign-in) or a partner contact."""

    str_fields = ("last_name", "first_name")

    @classmethod
    def str_expression(cls, prefix=""):
        """``str(record)`` as an SQL expression (the CSV export's ``COPY``)."""
        return Concat(F(f"{prefix}last_name"), Value(", "), F(f"{prefix}first_name"))

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(unique=True, help_text="Unique key used by imports.")
    phone = models.CharField(max_length=50, blank=True)
    job_title = models.CharField(max_length=255, blank=True)
    personnel_type = models.CharField(
        max_length=20, choices=PersonnelType, default=PersonnelType.EMPLOYEE
    )
    organization_unit = optional_link(
        OrganizationUnit, "people", help_text="The internal unit the person belongs to."
    )
    account = optional_link(
        Account, "contacts", help_text="For partner contacts: the outside organisation."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The sign-in of this person.",
    )
    clearance_level = models.CharField(max_length=20, choices=ClearanceLevel, blank=True)
    is_active = models.BooleanField(default=True)

    choice_colors = {
        "personnel_type": PERSONNEL_TYPE_COLORS,
        "clearance_level": CLEARANCE_LEVEL_COLORS,
    }
    search_fields = ("last_name", "first_name", "email", "job_title")
    # Only the roles that need them (``execcoord.policy``; the role groups of
    # ``partners.access``) see clearance levels and export the staff directory.
    sensitive_fields = {"clearance_level": ("Administrator", "Manager")}
    export_roles = ("Administrator", "Manager")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="partners_person_name_idx")
        ]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.last_name}, {self.first_name}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()  # the natural key is case-blind
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = (self.email or "").strip().lower()

    @property
    def full_name(self):
        """ "First Last"."""
        return f"{self.first_name} {self.last_name}".strip()

    @classmethod
    def autocomplete_preferred(cls, unit_id):
        """The people a picker offers first when the form has chosen unit ``unit_id`` (the
        accountable person of a tasker led by that unit)."""
        return models.Q(organization_unit_id=unit_id)


class Agreement(BaseModel):
    """An agreement with partners: MOU, MOA, IAA, CRADA, grant ... (the module's MOU)."""

    number = models.CharField(
        max_length=50, blank=True, help_text="The agency's agreement number, if any."
    )
    name = models.CharField(max_length=255)
    agreement_type = models.CharField(
        max_length=20, choices=AgreementType, default=AgreementType.MOU
    )
    status = models.CharField(max_length=20, choices=AgreementStatus, default=AgreementStatus.DRAFT)
    statement_of_purpose = models.TextField(blank=True)
    key_terms = models.TextField(blank=True)
    lead_unit = optional_link(OrganizationUnit, "led_agreements")
    primary_contact = optional_link(Person, "agreements_as_contact")
    parties = models.ManyToManyField(
        Account, blank=True, related_name="agreements", help_text="The partner organisations."
    )
    effective_date = models.DateField(null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    total_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    is_binding = models.BooleanField(default=False)
    parent = optional_link(
        "self", "amendments", help_text="The agreement this one amends or renews."
    )

    choice_colors = {"status": AGREEMENT_STATUS_COLORS}
    search_fields = ("number", "name")
    related_titles = {"amendments": "Amendments"}

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="partners_agreement_name_idx")]
        constraints = [
            unique_number("agreement"),
            check(
                Q(expiration_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(expiration_date__gte=F("effective_date")),
                "expiration_after_effective",
                "The expiration date cannot be before the effective date.",
            ),
            check(
                Q(total_value__isnull=True) | Q(total_value__gte=0),
                "total_value_not_negative",
                "The total value cannot be negative.",
            ),
        ]
        verbose_name = "agreement"
        verbose_name_plural = "agreements"

    def __str__(self):
        return f"{self.number} — {self.name}" if self.number else self.name

    def clean(self):
        super().clean()
        ensure_no_cycle(self)
