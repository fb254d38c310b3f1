"""List filters of the partners app: all generated from the models by ``BaseFilterSet``
(``execcoord.registry.generated_filterset``); here, the ones each list shows open."""

MAIN_FILTERS = {
    "OrganizationUnit": ("unit_type_id", "parent_id", "is_active"),
    "Account": ("account_type", "is_active"),
    "Person": ("organization_unit_id", "personnel_type", "account_id", "is_active"),
    "Agreement": ("status", "agreement_type", "lead_unit_id", "parties_id", "expiration_date"),
}
