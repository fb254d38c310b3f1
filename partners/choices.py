"""Choice lists of the partners app, each with the badge colours the generic pages use."""

from django.db import models


class PersonnelType(models.TextChoices):
    """How a person relates to the agency."""

    EMPLOYEE = "employee", "Employee"
    CONTRACTOR = "contractor", "Contractor"
    DETAILEE = "detailee", "Detailee"
    EXTERNAL = "external", "External partner"


PERSONNEL_TYPE_COLORS = {
    PersonnelType.EMPLOYEE: "primary",
    PersonnelType.CONTRACTOR: "info",
    PersonnelType.DETAILEE: "secondary",
    PersonnelType.EXTERNAL: "warning",
}


class ClearanceLevel(models.TextChoices):
    """Security clearance held by a person, lowest first."""

    NONE = "none", "None"
    PUBLIC_TRUST = "public_trust", "Public Trust"
    CONFIDENTIAL = "confidential", "Confidential"
    SECRET = "secret", "Secret"
    TOP_SECRET = "top_secret", "Top Secret"


# Slugs do not sort by rank, so comparisons go through this map. An unknown or empty
# clearance ranks as "None" (0).
CLEARANCE_RANK = {
    ClearanceLevel.NONE: 0,
    ClearanceLevel.PUBLIC_TRUST: 1,
    ClearanceLevel.CONFIDENTIAL: 2,
    ClearanceLevel.SECRET: 3,
    ClearanceLevel.TOP_SECRET: 4,
}

CLEARANCE_LEVEL_COLORS = {
    ClearanceLevel.NONE: "secondary",
    ClearanceLevel.PUBLIC_TRUST: "info",
    ClearanceLevel.CONFIDENTIAL: "primary",
    ClearanceLevel.SECRET: "danger",
    ClearanceLevel.TOP_SECRET: "warning",
}


class AccountType(models.TextChoices):
    """Kind of outside organisation."""

    FEDERAL = "federal", "Federal agency"
    STATE = "state", "State government"
    LOCAL = "local", "Local government"
    TRIBAL = "tribal", "Tribal government"
    INTERNATIONAL = "international", "International organization"
    PRIVATE = "private", "Private sector"
    NONPROFIT = "nonprofit", "Non-profit"
    ACADEMIC = "academic", "Academic institution"
    OTHER = "other", "Other"


ACCOUNT_TYPE_COLORS = {
    AccountType.FEDERAL: "primary",
    AccountType.STATE: "info",
    AccountType.LOCAL: "info",
    AccountType.TRIBAL: "info",
    AccountType.INTERNATIONAL: "dark",
    AccountType.PRIVATE: "secondary",
    AccountType.NONPROFIT: "success",
    AccountType.ACADEMIC: "success",
    AccountType.OTHER: "light",
}


class AgreementType(models.TextChoices):
    """Kind of agreement (the module's MOU, generalised)."""

    MOU = "mou", "Memorandum of Understanding (MOU)"
    MOA = "moa", "Memorandum of Agreement (MOA)"
    IAA = "iaa", "Interagency Agreement (IAA)"
    CRADA = "crada", "Cooperative Research and Development Agreement (CRADA)"
    DUA = "dua", "Data Use Agreement (DUA)"
    GRANT = "grant", "Grant"
    COOPERATIVE = "cooperative", "Cooperative Agreement"
    CONTRACT = "contract", "Contract"
    OTHER = "other", "Other"


class AgreementStatus(models.TextChoices):
    """Where an agreement is in its life."""

    DRAFT = "draft", "Draft"
    NEGOTIATION = "negotiation", "Under negotiation"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"
    RENEWED = "renewed", "Renewed"


AGREEMENT_STATUS_COLORS = {
    AgreementStatus.DRAFT: "secondary",
    AgreementStatus.NEGOTIATION: "info",
    AgreementStatus.PENDING_APPROVAL: "warning",
    AgreementStatus.ACTIVE: "success",
    AgreementStatus.EXPIRED: "dark",
    AgreementStatus.TERMINATED: "danger",
    AgreementStatus.RENEWED: "primary",
}
