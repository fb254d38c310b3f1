"""List filters of the analysis app (generated from the models by ``BaseFilterSet``)."""

from execcoord.filtersets import BaseFilterSet

from .models import Analysis, Impact, LegalAuthority, RiskItem


class LegalAuthorityFilterSet(BaseFilterSet):
    main_filters = (
        "authority_type",
        "status",
        "jurisdiction_level",
        "issuing_body_id",
        "effective_date",
    )

    class Meta:
        model = LegalAuthority


class AnalysisFilterSet(BaseFilterSet):
    main_filters = ("status", "category", "legal_authority_id", "organization_unit_id")

    class Meta:
        model = Analysis


class ImpactFilterSet(BaseFilterSet):
    main_filters = ("status", "level", "likelihood", "organization_unit_id")

    class Meta:
        model = Impact


class RiskItemFilterSet(BaseFilterSet):
    main_filters = ("status", "level", "owner_id", "organization_unit_id")

    class Meta:
        model = RiskItem
