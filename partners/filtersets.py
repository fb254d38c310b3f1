"""List filters of the partners app (generated from the models by ``BaseFilterSet``)."""

from execcoord.filtersets import BaseFilterSet

from .models import Account, Agreement, OrganizationUnit, Person


class OrganizationUnitFilterSet(BaseFilterSet):
    main_filters = ("unit_type_id", "parent_id", "is_active")

    class Meta:
        model = OrganizationUnit


class AccountFilterSet(BaseFilterSet):
    main_filters = ("account_type", "is_active")

    class Meta:
        model = Account


class PersonFilterSet(BaseFilterSet):
    main_filters = ("organization_unit_id", "personnel_type", "account_id", "is_active")

    class Meta:
        model = Person


class AgreementFilterSet(BaseFilterSet):
    main_filters = ("status", "agreement_type", "lead_unit_id", "parties_id", "expiration_date")

    class Meta:
        model = Agreement
