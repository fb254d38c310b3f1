"""List tables of the partners app."""

from execcoord.tables import BaseTable

from .models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person


class OrganizationUnitTypeTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = OrganizationUnitType
        fields = ("pk", "name", "level", "updated_at")
        default_columns = ("name", "level")


class OrganizationUnitTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = OrganizationUnit
        fields = (
            "pk",
            "name",
            "abbreviation",
            "code",
            "unit_type",
            "parent",
            "manager",
            "email",
            "is_active",
            "updated_at",
        )
        default_columns = ("name", "abbreviation", "code", "unit_type", "parent", "is_active")


class AccountTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Account
        fields = (
            "pk",
            "name",
            "abbreviation",
            "account_type",
            "email",
            "phone",
            "city",
            "state",
            "country",
            "is_active",
            "updated_at",
        )
        default_columns = ("name", "abbreviation", "account_type", "city", "is_active")


class PersonTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Person
        fields = (
            "pk",
            "last_name",
            "first_name",
            "email",
            "phone",
            "job_title",
            "personnel_type",
            "organization_unit",
            "account",
            "clearance_level",  # only for the roles that see it (Person.sensitive_fields)
            "is_active",
            "updated_at",
        )
        default_columns = (
            "last_name",
            "first_name",
            "email",
            "job_title",
            "organization_unit",
            "personnel_type",
        )


class AgreementTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Agreement
        fields = (
            "pk",
            "name",
            "number",
            "agreement_type",
            "status",
            "lead_unit",
            "primary_contact",
            "effective_date",
            "expiration_date",
            "total_value",
            "is_binding",
            "parties",
            "updated_at",
        )
        default_columns = (
            "name",
            "number",
            "agreement_type",
            "status",
            "lead_unit",
            "expiration_date",
        )
