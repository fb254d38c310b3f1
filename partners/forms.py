"""Create/edit forms of the partners app."""

from execcoord.forms import BaseModelForm

from .models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person


class OrganizationUnitTypeForm(BaseModelForm):
    class Meta:
        model = OrganizationUnitType
        fields = ("name", "level")


class OrganizationUnitForm(BaseModelForm):
    fieldsets = (
        ("Unit", ("name", "abbreviation", "code", "unit_type", "is_active")),
        ("Place in the organization", ("parent", "manager", "email", "is_secretariat")),
        ("Description", ("description",)),
    )

    class Meta:
        model = OrganizationUnit


class AccountForm(BaseModelForm):
    fieldsets = (
        ("Organisation", ("name", "abbreviation", "account_type", "is_active")),
        ("Contact", ("website", "email", "phone")),
        ("Address", ("street", "city", "state", "postal_code", "country")),
        ("Description", ("description",)),
    )

    class Meta:
        model = Account


class PersonForm(BaseModelForm):
    fieldsets = (
        ("Person", ("first_name", "last_name", "email", "phone", "job_title")),
        (
            "Organization",
            (
                "personnel_type",
                "organization_unit",
                "account",
                "user",
                "clearance_level",
                "is_active",
            ),
        ),
    )

    class Meta:
        model = Person


class AgreementForm(BaseModelForm):
    fieldsets = (
        ("Agreement", ("number", "name", "agreement_type", "status", "is_binding", "parent")),
        ("Parties", ("lead_unit", "primary_contact", "parties")),
        (
            "Terms",
            (
                "effective_date",
                "expiration_date",
                "total_value",
                "statement_of_purpose",
                "key_terms",
            ),
        ),
    )

    class Meta:
        model = Agreement
        fields = (
            "number",
            "name",
            "agreement_type",
            "status",
            "statement_of_purpose",
            "key_terms",
            "lead_unit",
            "primary_contact",
            "parties",
            "effective_date",
            "expiration_date",
            "total_value",
            "is_binding",
            "parent",
        )
