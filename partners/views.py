"""Generic pages of the partners models: one registration each."""

from execcoord.registry import ObjectViews, register

from . import filtersets, forms, tables
from .models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person

register(
    ObjectViews(
        model=OrganizationUnit,
        table=tables.OrganizationUnitTable,
        filterset=filtersets.OrganizationUnitFilterSet,
        form=forms.OrganizationUnitForm,
        fieldsets=forms.OrganizationUnitForm.fieldsets,
        menu_group="Partners",
    )
)
register(
    ObjectViews(
        model=Person,
        table=tables.PersonTable,
        filterset=filtersets.PersonFilterSet,
        form=forms.PersonForm,
        fieldsets=forms.PersonForm.fieldsets,
        menu_group="Partners",
    )
)
register(
    ObjectViews(
        model=Account,
        table=tables.AccountTable,
        filterset=filtersets.AccountFilterSet,
        form=forms.AccountForm,
        fieldsets=forms.AccountForm.fieldsets,
        menu_group="Partners",
    )
)
register(
    ObjectViews(
        model=Agreement,
        table=tables.AgreementTable,
        filterset=filtersets.AgreementFilterSet,
        form=forms.AgreementForm,
        fieldsets=forms.AgreementForm.fieldsets,
        menu_group="Partners",
    )
)
register(
    ObjectViews(
        model=OrganizationUnitType,
        table=tables.OrganizationUnitTypeTable,
        filterset=filtersets.OrganizationUnitTypeFilterSet,
        form=forms.OrganizationUnitTypeForm,
        menu_group="Partners",
    )
)
