"""List filters of the analysis app: all generated from the models by ``BaseFilterSet``
(``execcoord.registry.generated_filterset``); here, the ones each list shows open."""

MAIN_FILTERS = {
    "LegalAuthority": (
        "authority_type",
        "status",
        "jurisdiction_level",
        "issuing_body_id",
        "effective_date",
    ),
    "Analysis": ("status", "category", "legal_authority_id", "organization_unit_id"),
    "Impact": ("status", "level", "likelihood", "organization_unit_id"),
    "RiskItem": ("status", "level", "owner_id", "organization_unit_id"),
}
