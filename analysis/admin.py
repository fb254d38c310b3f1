"""Admin for the analysis app: legal authorities, analyses, impacts, risk items."""

from django.contrib import admin

from execcoord.admin import BaseAdmin
from execcoord.imports import admin_mixin

from .models import Analysis, Impact, LegalAuthority, RiskItem
from .resources import LegalAuthorityResource

ImportExportAdminMixin = admin_mixin()

_RECORD = ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")})
_MITIGATION = (
    "Mitigation",
    {
        "fields": (
            "mitigation_plan",
            "evidence_of_mitigation",
            "target_mitigation_date",
            "review_date",
        )
    },
)


@admin.register(LegalAuthority)
class LegalAuthorityAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [LegalAuthorityResource]
    list_display = ("name", "citation", "authority_type", "status", "effective_date", "is_active")
    list_filter = ("is_active", "authority_type", "status", "jurisdiction_level")
    search_fields = ("name", "citation", "document_number", "executive_order_number")
    autocomplete_fields = ("issuing_body", "parent")
    date_hierarchy = "effective_date"
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (
            None,
            {"fields": ("name", "authority_type", "status", "jurisdiction_level", "is_active")},
        ),
        (
            "Citation",
            {
                "fields": (
                    "citation",
                    "document_number",
                    "executive_order_number",
                    "issuing_body",
                    "parent",
                )
            },
        ),
        (
            "Dates",
            {"fields": ("signing_date", "publication_date", "effective_date", "expiration_date")},
        ),
        ("Text", {"fields": ("summary", "full_text_url", "public_url", "disposition_notes")}),
        _RECORD,
    )


@admin.register(Analysis)
class AnalysisAdmin(BaseAdmin):
    list_display = ("name", "number", "category", "status", "organization_unit", "end_date")
    list_filter = ("status", "category")
    list_select_related = ("organization_unit",)
    search_fields = ("number", "name")
    autocomplete_fields = ("legal_authority", "organization_unit", "assessment_poc")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("number", "name", "category", "status")}),
        (
            "Subject",
            {"fields": ("legal_authority", "organization_unit", "assessment_poc")},
        ),
        ("Dates", {"fields": ("start_date", "end_date")}),
        (
            "Results",
            {
                "fields": (
                    "summary",
                    "findings",
                    "recommendations",
                    "estimated_cost",
                    "operational_impact",
                )
            },
        ),
        _RECORD,
    )


@admin.register(Impact)
class ImpactAdmin(BaseAdmin):
    list_display = ("name", "category", "level", "likelihood", "polarity", "status")
    list_filter = ("status", "level", "likelihood", "polarity", "relevance", "category")
    list_select_related = ("organization_unit",)
    search_fields = ("name",)
    autocomplete_fields = ("legal_authority", "analysis", "organization_unit", "parent")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "category", "status", "identification_date")}),
        (
            "Related to",
            {"fields": ("legal_authority", "analysis", "organization_unit", "parent")},
        ),
        (
            "Assessment",
            {
                "fields": (
                    "level",
                    "likelihood",
                    "relevance",
                    "polarity",
                    "direction",
                    "financial_impact",
                    "description",
                )
            },
        ),
        _MITIGATION,
        _RECORD,
    )


@admin.register(RiskItem)
class RiskItemAdmin(BaseAdmin):
    list_display = ("name", "number", "likelihood", "severity", "score", "level", "status")
    list_filter = ("status", "level", "category")
    list_select_related = ("organization_unit", "owner")
    search_fields = ("number", "name")
    autocomplete_fields = (
        "legal_authority",
        "analysis",
        "organization_unit",
        "owner",
        "parent",
    )
    readonly_fields = ("score", "level", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("number", "name", "category", "status", "identification_date")}),
        (
            "Related to",
            {"fields": ("legal_authority", "analysis", "organization_unit", "owner", "parent")},
        ),
        (
            "Assessment",
            {
                "fields": (
                    "likelihood",
                    "severity",
                    "score",
                    "level",
                    "description",
                    "impact_description",
                )
            },
        ),
        _MITIGATION,
        _RECORD,
    )
