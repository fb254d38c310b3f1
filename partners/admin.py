"""Admin for reference data of the partners app: units, people, accounts, agreements."""

from django.contrib import admin

from execcoord.admin import BaseAdmin, ReadOnlyInline, relation_fields
from execcoord.imports import admin_mixin

from .models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person
from .resources import AccountResource, OrganizationUnitResource, PersonResource

ImportExportAdminMixin = admin_mixin()


@admin.register(OrganizationUnitType)
class OrganizationUnitTypeAdmin(BaseAdmin):
    list_display = ("name", "level")
    search_fields = ("name",)
    ordering = ("level", "name")


class PersonInline(ReadOnlyInline):
    """The people of a unit, for a quick look from the unit page (edited on their own)."""

    model = Person
    fields = ("last_name", "first_name", "email", "job_title", "is_active")
    readonly_fields = fields


@admin.register(OrganizationUnit)
class OrganizationUnitAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [OrganizationUnitResource]
    list_display = ("name", "abbreviation", "code", "unit_type", "parent", "manager", "is_active")
    list_filter = ("is_active", "unit_type", "depth")
    list_select_related = ("unit_type", "parent", "manager")
    search_fields = ("name", "abbreviation", "code", "email")
    autocomplete_fields = relation_fields(OrganizationUnit)
    readonly_fields = ("path", "depth", "created_at", "updated_at")
    inlines = (PersonInline,)


@admin.register(Person)
class PersonAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [PersonResource]
    list_display = (
        "last_name",
        "first_name",
        "email",
        "job_title",
        "personnel_type",
        "organization_unit",
        "account",
        "is_active",
    )
    list_filter = ("is_active", "personnel_type", "clearance_level")
    list_select_related = ("organization_unit", "account")
    search_fields = ("last_name", "first_name", "email", "job_title")
    autocomplete_fields = relation_fields(Person)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Account)
class AccountAdmin(ImportExportAdminMixin, BaseAdmin):
    resource_classes = [AccountResource]
    list_display = ("name", "abbreviation", "account_type", "city", "state", "is_active")
    list_filter = ("is_active", "account_type")
    search_fields = ("name", "abbreviation", "email", "city")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Agreement)
class AgreementAdmin(BaseAdmin):
    list_display = (
        "name",
        "number",
        "agreement_type",
        "status",
        "lead_unit",
        "effective_date",
        "expiration_date",
    )
    list_filter = ("status", "agreement_type", "is_binding")
    list_select_related = ("lead_unit",)
    search_fields = ("number", "name")
    autocomplete_fields = relation_fields(Agreement)
    date_hierarchy = "effective_date"
    readonly_fields = ("created_at", "updated_at")
