"""Admin for the analysis app: legal authorities, analyses, impacts, risk items."""

from django.contrib import admin

from execcoord.admin import BaseAdmin, relation_fields
from execcoord.imports import admin_mixin

from .models import Analysis, Impact, LegalAuthority, RiskItem
from .resources import LegalAuthorityResource

ImportExportAdminMixin = admin_mixin()


@admin.register(LegalAuthority)
class LegalAuthorityAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [LegalAuthorityResource]
    list_display = ("name", "citation", "authority_type", "status", "effective_date", "is_active")
    list_filter = ("is_active", "authority_type", "status", "jurisdiction_level")
    search_fields = ("name", "citation", "document_number", "executive_order_number")
    autocomplete_fields = relation_fields(LegalAuthority)
    date_hierarchy = "effective_date"
    readonly_fields = ("created_at", "updated_at")


@admin.register(Analysis)
class AnalysisAdmin(BaseAdmin):
    list_display = ("name", "number", "category", "status", "organization_unit", "end_date")
    list_filter = ("status", "category")
    list_select_related = ("organization_unit",)
    search_fields = ("number", "name")
    autocomplete_fields = relation_fields(Analysis)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Impact)
class ImpactAdmin(BaseAdmin):
    list_display = ("name", "category", "level", "likelihood", "polarity", "status")
    list_filter = ("status", "level", "likelihood", "polarity", "relevance", "category")
    list_select_related = ("organization_unit",)
    search_fields = ("name",)
    autocomplete_fields = relation_fields(Impact)
    readonly_fields = ("created_at", "updated_at")


@admin.register(RiskItem)
class RiskItemAdmin(BaseAdmin):
    list_display = ("name", "number", "likelihood", "severity", "score", "level", "status")
    list_filter = ("status", "level", "category")
    list_select_related = ("organization_unit", "owner")
    search_fields = ("number", "name")
    autocomplete_fields = relation_fields(RiskItem)
    readonly_fields = ("score", "level", "created_at", "updated_at")
    fields_after = {"severity": ("score", "level")}
