"""Why an action exists and what it does: legal authorities, analyses, impacts, risk items."""

from django.db import models
from django.db.models import F, Q

from execcoord.db.constraints import check, dates_in_order, unique_number
from execcoord.db.trees import ensure_no_cycle
from execcoord.models import BaseModel, optional_link

from .choices import (
    ANALYSIS_STATUS_COLORS,
    AUTHORITY_STATUS_COLORS,
    IMPACT_RATING_COLORS,
    POLARITY_COLORS,
    RISK_LEVEL_BANDS,
    RISK_LEVEL_COLORS,
    RISK_STATUS_COLORS,
    AnalysisStatus,
    AuthorityStatus,
    AuthorityType,
    Direction,
    GeneralCategory,
    ImpactRating,
    JurisdictionLevel,
    Polarity,
    Relevance,
    RiskLevel,
    RiskLikelihood,
    RiskSeverity,
    RiskStatus,
    risk_level_for_score,
)


def _level_matches_score():
    """The condition "level is the band of score" (RISK_LEVEL_BANDS) for a check constraint."""
    condition = Q()
    for level, low, high in RISK_LEVEL_BANDS:
        condition |= Q(level=level, score__gte=low, score__lte=high)
    return condition


class LegalAuthority(BaseModel):
    """A statute, regulation, executive order, memorandum or policy that actions rest on."""

    name = models.CharField(max_length=255, help_text='e.g. "Executive Order 14110".')
    authority_type = models.CharField(
        max_length=30, choices=AuthorityType, default=AuthorityType.STATUTE
    )
    status = models.CharField(
        max_length=20, choices=AuthorityStatus, default=AuthorityStatus.IN_EFFECT
    )
    jurisdiction_level = models.CharField(
        max_length=20, choices=JurisdictionLevel, default=JurisdictionLevel.FEDERAL
    )
    citation = models.CharField(
        max_length=255, blank=True, help_text='e.g. "5 U.S.C. 552" or "88 FR 75191".'
    )
    document_number = models.CharField(max_length=100, blank=True)
    executive_order_number = models.CharField(max_length=20, blank=True)
    issuing_body = optional_link("partners.Account", "issued_authorities")
    parent = optional_link(
        "self", "children", help_text="The authority this one amends or implements."
    )
    signing_date = models.DateField(null=True, blank=True)
    publication_date = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    full_text_url = models.URLField(max_length=500, blank=True)
    public_url = models.URLField(max_length=500, blank=True)
    disposition_notes = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive authorities stay on old records but are not offered."
    )

    choice_colors = {"status": AUTHORITY_STATUS_COLORS}
    search_fields = ("name", "citation", "document_number", "executive_order_number")
    related_titles = {"children": "Subordinate authorities"}

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="analysis_authority_name_idx")]
        constraints = [
            dates_in_order(
                "effective_date",
                "expiration_date",
                "expiration_after_effective",
                "The expiration date cannot be before the effective date.",
            ),
        ]
        verbose_name = "legal authority"
        verbose_name_plural = "legal authorities"

    def __str__(self):
        return f"{self.name} ({self.citation})" if self.citation else self.name

    def clean(self):
        super().clean()
        ensure_no_cycle(self)


class Analysis(BaseModel):
    """An assessment of an authority or a unit: findings, recommendations, cost."""

    number = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=30, choices=GeneralCategory, blank=True)
    legal_authority = optional_link(LegalAuthority, "analyses")
    organization_unit = optional_link(
        "partners.OrganizationUnit", "analyses", help_text="The unit assessed."
    )
    assessment_poc = optional_link(
        "partners.Person", "analyses", verbose_name="assessment point of contact"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AnalysisStatus, default=AnalysisStatus.NOT_STARTED
    )
    summary = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    estimated_cost = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Cost impact found."
    )
    operational_impact = models.TextField(blank=True)

    choice_colors = {"status": ANALYSIS_STATUS_COLORS}
    search_fields = ("number", "name")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="analysis_analysis_name_idx")]
        constraints = [
            unique_number("analysis"),
            dates_in_order(
                "start_date",
                "end_date",
                "end_after_start",
                "The end date cannot be before the start date.",
            ),
        ]
        verbose_name = "analysis"
        verbose_name_plural = "analyses"

    def __str__(self):
        return f"{self.number} — {self.name}" if self.number else self.name


class Impact(BaseModel):
    """An effect of an authority or action on a unit: its level, direction, and mitigation."""

    name = models.CharField(max_length=255)
    category = models.CharField(max_length=30, choices=GeneralCategory, blank=True)
    legal_authority = optional_link(LegalAuthority, "impacts")
    analysis = optional_link(Analysis, "impacts")
    organization_unit = optional_link(
        "partners.OrganizationUnit", "impacts", help_text="The affected unit."
    )
    parent = optional_link("self", "children")
    identification_date = models.DateField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=ImpactRating, blank=True)
    likelihood = models.CharField(max_length=10, choices=ImpactRating, blank=True)
    relevance = models.CharField(max_length=10, choices=Relevance, blank=True)
    polarity = models.CharField(max_length=10, choices=Polarity, blank=True)
    direction = models.CharField(max_length=10, choices=Direction, blank=True)
    financial_impact = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AnalysisStatus, default=AnalysisStatus.NOT_STARTED
    )
    description = models.TextField(blank=True)
    mitigation_plan = models.TextField(blank=True)
    evidence_of_mitigation = models.TextField(blank=True)
    target_mitigation_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)

    choice_colors = {
        "status": ANALYSIS_STATUS_COLORS,
        "level": IMPACT_RATING_COLORS,
        "likelihood": IMPACT_RATING_COLORS,
        "polarity": POLARITY_COLORS,
    }
    search_fields = ("name",)
    related_titles = {"children": "Sub-impacts"}

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="analysis_impact_name_idx")]
        verbose_name = "impact"
        verbose_name_plural = "impacts"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        ensure_no_cycle(self)


class RiskItem(BaseModel):
    """A risk: likelihood × severity gives a stored score and level, used for sorting.

    ``score`` and ``level`` are derived in :meth:`save` (and :meth:`clean`, so validation sees
    them); check constraints keep them true even for writes that bypass ``save()``.
    """

    number = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=30, choices=GeneralCategory, blank=True)
    legal_authority = optional_link(LegalAuthority, "risk_items")
    analysis = optional_link(Analysis, "risk_items")
    organization_unit = optional_link(
        "partners.OrganizationUnit", "risk_items", help_text="The owning unit."
    )
    owner = optional_link("partners.Person", "owned_risk_items")
    parent = optional_link("self", "children")
    identification_date = models.DateField(null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField(choices=RiskLikelihood)
    severity = models.PositiveSmallIntegerField(choices=RiskSeverity)
    score = models.PositiveSmallIntegerField(
        blank=True, editable=False, help_text="Likelihood × severity."
    )
    level = models.CharField(max_length=10, choices=RiskLevel, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=RiskStatus, default=RiskStatus.OPEN)
    description = models.TextField(blank=True)
    impact_description = models.TextField(blank=True)
    mitigation_plan = models.TextField(blank=True)
    evidence_of_mitigation = models.TextField(blank=True)
    target_mitigation_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)

    choice_colors = {"status": RISK_STATUS_COLORS, "level": RISK_LEVEL_COLORS}
    search_fields = ("number", "name")
    related_titles = {"children": "Sub-risks"}

    class Meta:
        ordering = ["-score", "name", "id"]
        indexes = [models.Index(fields=["-score", "name", "id"], name="analysis_risk_order_idx")]
        constraints = [
            unique_number("risk item"),
            check(
                Q(likelihood__gte=1, likelihood__lte=5),
                "likelihood_1_to_5",
                "Likelihood must be between 1 and 5.",
            ),
            check(
                Q(severity__gte=1, severity__lte=5),
                "severity_1_to_5",
                "Severity must be between 1 and 5.",
            ),
            check(
                Q(score=F("likelihood") * F("severity")),
                "score_is_product",
                "The score must be likelihood × severity.",
            ),
            check(
                _level_matches_score(), "level_matches_score", "The level does not match the score."
            ),
        ]
        verbose_name = "risk item"
        verbose_name_plural = "risk items"

    def __str__(self):
        return f"{self.number} — {self.name}" if self.number else self.name

    def save(self, *args, **kwargs):
        self.derive_score()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"likelihood", "severity"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "score", "level"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.derive_score()
        ensure_no_cycle(self)

    def derive_score(self):
        """Set ``score`` and ``level`` from likelihood and severity."""
        try:
            self.score = int(self.likelihood) * int(self.severity)
        except (TypeError, ValueError):
            self.score = None  # left for field validation to report
        self.level = risk_level_for_score(self.score)
