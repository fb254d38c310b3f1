"""Choice lists of the analysis app, each with the badge colours the generic pages use.

"General category" and "Analysis status" are the shared lists of DATA_MODEL.md; they live
here because only analysis records (and apps above this one) use them.
"""

from django.db import models


class GeneralCategory(models.TextChoices):
    """Subject area of an analysis, impact or risk item."""

    ACCESS_CONTROL = "access_control", "Access control and identity management"
    ASSET_LOGISTICS = "asset_logistics", "Asset and logistics management"
    COMPLIANCE = "compliance", "Compliance and regulatory"
    CYBERSECURITY = "cybersecurity", "Cybersecurity"
    DATA_PRIVACY = "data_privacy", "Data privacy and protection"
    ENVIRONMENTAL = "environmental", "Environmental compliance"
    ETHICS = "ethics", "Ethics and governance"
    FINANCIAL = "financial", "Financial management"
    FOREIGN_INTERESTS = "foreign_interests", "Foreign interests"
    HEALTH_SAFETY = "health_safety", "Health and safety"
    WORKFORCE = "workforce", "Human resources and workforce"
    INCIDENT_RESPONSE = "incident_response", "Incident and disaster response"
    RECORDS = "records", "Information management and records"
    NATIONAL_SECURITY = "national_security", "National security"
    RESILIENCE = "resilience", "Operational resilience"
    PROCUREMENT = "procurement", "Procurement and contract management"
    PUBLIC_RELATIONS = "public_relations", "Public relations and communication"
    RISK_MANAGEMENT = "risk_management", "Risk management"
    TECHNOLOGY = "technology", "Technology and innovation"
    TRAINING = "training", "Training and development"


class AnalysisStatus(models.TextChoices):
    """Progress of an analysis or impact assessment."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"
    DEFERRED = "deferred", "Deferred"


ANALYSIS_STATUS_COLORS = {
    AnalysisStatus.NOT_STARTED: "secondary",
    AnalysisStatus.IN_PROGRESS: "primary",
    AnalysisStatus.SUBMITTED: "info",
    AnalysisStatus.RETURNED: "warning",
    AnalysisStatus.COMPLETE: "success",
    AnalysisStatus.CANCELLED: "dark",
    AnalysisStatus.DEFERRED: "light",
}


class AuthorityType(models.TextChoices):
    """Kind of legal authority."""

    STATUTE = "statute", "Statute"
    REGULATION = "regulation", "Regulation"
    EXECUTIVE_ORDER = "executive_order", "Executive Order"
    PRESIDENTIAL_MEMORANDUM = "presidential_memorandum", "Presidential Memorandum"
    POLICY = "policy", "Policy"
    DIRECTIVE = "directive", "Directive"
    GUIDANCE = "guidance", "Guidance"
    CASE_LAW = "case_law", "Case Law"
    OTHER = "other", "Other"


class AuthorityStatus(models.TextChoices):
    """Whether a legal authority is in force."""

    PROPOSED = "proposed", "Proposed"
    IN_EFFECT = "in_effect", "In effect"
    AMENDED = "amended", "Amended"
    SUPERSEDED = "superseded", "Superseded"
    REPEALED = "repealed", "Repealed"
    EXPIRED = "expired", "Expired"


AUTHORITY_STATUS_COLORS = {
    AuthorityStatus.PROPOSED: "info",
    AuthorityStatus.IN_EFFECT: "success",
    AuthorityStatus.AMENDED: "primary",
    AuthorityStatus.SUPERSEDED: "warning",
    AuthorityStatus.REPEALED: "danger",
    AuthorityStatus.EXPIRED: "dark",
}


class JurisdictionLevel(models.TextChoices):
    """Level of government an authority comes from."""

    FEDERAL = "federal", "Federal"
    STATE = "state", "State"
    LOCAL = "local", "Local"
    TRIBAL = "tribal", "Tribal"
    INTERNATIONAL = "international", "International"


class ImpactRating(models.TextChoices):
    """High / Medium / Low: an impact's level and its likelihood."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


IMPACT_RATING_COLORS = {
    ImpactRating.HIGH: "danger",
    ImpactRating.MEDIUM: "warning",
    ImpactRating.LOW: "success",
}


class Relevance(models.TextChoices):
    """How directly an impact bears on the organisation."""

    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect"
    MINIMAL = "minimal", "Minimal"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


class Polarity(models.TextChoices):
    """Whether an impact helps or hurts."""

    BENEFIT = "benefit", "Benefit"
    NEUTRAL = "neutral", "Neutral"
    CHALLENGE = "challenge", "Challenge"


POLARITY_COLORS = {
    Polarity.BENEFIT: "success",
    Polarity.NEUTRAL: "secondary",
    Polarity.CHALLENGE: "danger",
}


class Direction(models.TextChoices):
    """Direction of a change (impacts; also status updates' timeline and budget impact)."""

    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"
    NO_CHANGE = "no_change", "No change"


class RiskLikelihood(models.IntegerChoices):
    """How likely a risk is to occur, 1 to 5."""

    RARE = 1, "1 – Rare"
    UNLIKELY = 2, "2 – Unlikely"
    POSSIBLE = 3, "3 – Possible"
    LIKELY = 4, "4 – Likely"
    ALMOST_CERTAIN = 5, "5 – Almost certain"


class RiskSeverity(models.IntegerChoices):
    """How bad a risk would be if it occurred, 1 to 5."""

    MINIMAL = 1, "1 – Minimal"
    MINOR = 2, "2 – Minor"
    MODERATE = 3, "3 – Moderate"
    MAJOR = 4, "4 – Major"
    SEVERE = 5, "5 – Severe"


class RiskLevel(models.TextChoices):
    """Band of a risk score (likelihood × severity); derived, never entered."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


RISK_LEVEL_COLORS = {
    RiskLevel.LOW: "success",
    RiskLevel.MODERATE: "warning",
    RiskLevel.HIGH: "danger",
    RiskLevel.CRITICAL: "dark",
}

# Inclusive score bands. 17-19 cannot occur as a product of two numbers from 1 to 5, so
# "High" ends at 16 and "Critical" starts at 20.
RISK_LEVEL_BANDS = (
    (RiskLevel.LOW, 1, 4),
    (RiskLevel.MODERATE, 5, 9),
    (RiskLevel.HIGH, 10, 16),
    (RiskLevel.CRITICAL, 20, 25),
)


def risk_level_for_score(score):
    """The :class:`RiskLevel` of ``score``, or ``""`` when the score is not a valid product."""
    for level, low, high in RISK_LEVEL_BANDS:
        if score is not None and low <= score <= high:
            return level
    return ""


class RiskStatus(models.TextChoices):
    """Where a risk item stands."""

    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"
    REALIZED = "realized", "Realized"


RISK_STATUS_COLORS = {
    RiskStatus.OPEN: "warning",
    RiskStatus.MITIGATING: "primary",
    RiskStatus.ACCEPTED: "info",
    RiskStatus.CLOSED: "success",
    RiskStatus.REALIZED: "danger",
}
