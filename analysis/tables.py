"""List tables of the analysis app."""

from execcoord.tables import BaseTable

from .models import Analysis, Impact, LegalAuthority, RiskItem


class LegalAuthorityTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = LegalAuthority
        fields = (
            "pk",
            "name",
            "authority_type",
            "status",
            "jurisdiction_level",
            "citation",
            "document_number",
            "executive_order_number",
            "issuing_body",
            "parent",
            "signing_date",
            "effective_date",
            "expiration_date",
            "is_active",
            "updated_at",
        )
        default_columns = (
            "name",
            "authority_type",
            "status",
            "citation",
            "issuing_body",
            "effective_date",
        )


class AnalysisTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Analysis
        fields = (
            "pk",
            "name",
            "number",
            "category",
            "status",
            "legal_authority",
            "organization_unit",
            "assessment_poc",
            "start_date",
            "end_date",
            "estimated_cost",
            "updated_at",
        )
        default_columns = ("name", "number", "category", "status", "organization_unit", "end_date")


class ImpactTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Impact
        fields = (
            "pk",
            "name",
            "category",
            "level",
            "likelihood",
            "relevance",
            "polarity",
            "direction",
            "status",
            "legal_authority",
            "analysis",
            "organization_unit",
            "parent",
            "identification_date",
            "financial_impact",
            "review_date",
            "target_mitigation_date",
            "updated_at",
        )
        default_columns = ("name", "category", "level", "likelihood", "status", "organization_unit")


class RiskItemTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = RiskItem
        fields = (
            "pk",
            "name",
            "number",
            "category",
            "likelihood",
            "severity",
            "score",
            "level",
            "status",
            "legal_authority",
            "analysis",
            "organization_unit",
            "owner",
            "parent",
            "identification_date",
            "review_date",
            "target_mitigation_date",
            "updated_at",
        )
        default_columns = (
            "name",
            "number",
            "level",
            "score",
            "status",
            "owner",
            "organization_unit",
        )
