"""Generic pages of the analysis models: one registration each."""

from execcoord.registry import ObjectViews, register

from . import filtersets, forms, tables
from .models import Analysis, Impact, LegalAuthority, RiskItem

register(
    ObjectViews(
        model=LegalAuthority,
        table=tables.LegalAuthorityTable,
        filterset=filtersets.LegalAuthorityFilterSet,
        form=forms.LegalAuthorityForm,
        fieldsets=forms.LegalAuthorityForm.fieldsets,
        menu_group="Analysis",
    )
)
register(
    ObjectViews(
        model=Analysis,
        table=tables.AnalysisTable,
        filterset=filtersets.AnalysisFilterSet,
        form=forms.AnalysisForm,
        fieldsets=forms.AnalysisForm.fieldsets,
        menu_group="Analysis",
    )
)
register(
    ObjectViews(
        model=Impact,
        table=tables.ImpactTable,
        filterset=filtersets.ImpactFilterSet,
        form=forms.ImpactForm,
        fieldsets=forms.ImpactForm.fieldsets,
        menu_group="Analysis",
    )
)
register(
    ObjectViews(
        model=RiskItem,
        table=tables.RiskItemTable,
        filterset=filtersets.RiskItemFilterSet,
        form=forms.RiskItemForm,
        fieldsets=forms.RiskItemForm.fieldsets,
        menu_group="Analysis",
    )
)
