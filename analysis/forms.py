"""Create/edit forms of the analysis app."""

from execcoord.forms import BaseModelForm

from .models import Analysis, Impact, LegalAuthority, RiskItem


class LegalAuthorityForm(BaseModelForm):
    fieldsets = (
        ("Authority", ("name", "authority_type", "status", "jurisdiction_level", "is_active")),
        (
            "Citation",
            ("citation", "document_number", "executive_order_number", "issuing_body", "parent"),
        ),
        ("Dates", ("signing_date", "publication_date", "effective_date", "expiration_date")),
        ("Text", ("summary", "full_text_url", "public_url", "disposition_notes")),
    )

    class Meta:
        model = LegalAuthority


class AnalysisForm(BaseModelForm):
    fieldsets = (
        ("Analysis", ("number", "name", "category", "status")),
        (
            "Scope",
            ("legal_authority", "organization_unit", "assessment_poc", "start_date", "end_date"),
        ),
        (
            "Results",
            ("summary", "findings", "recommendations", "estimated_cost", "operational_impact"),
        ),
    )

    class Meta:
        model = Analysis


class ImpactForm(BaseModelForm):
    fieldsets = (
        ("Impact", ("name", "category", "status", "identification_date")),
        ("Context", ("legal_authority", "analysis", "organization_unit", "parent")),
        (
            "Assessment",
            (
                "level",
                "likelihood",
                "relevance",
                "polarity",
                "direction",
                "financial_impact",
                "description",
            ),
        ),
        (
            "Mitigation",
            ("mitigation_plan", "evidence_of_mitigation", "target_mitigation_date", "review_date"),
        ),
    )

    class Meta:
        model = Impact


class RiskItemForm(BaseModelForm):
    fieldsets = (
        ("Risk", ("number", "name", "category", "status", "identification_date")),
        ("Context", ("legal_authority", "analysis", "organization_unit", "owner", "parent")),
        ("Assessment", ("likelihood", "severity", "description", "impact_description")),
        (
            "Mitigation",
            ("mitigation_plan", "evidence_of_mitigation", "target_mitigation_date", "review_date"),
        ),
    )

    class Meta:
        model = RiskItem
