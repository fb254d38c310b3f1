"""Factories for the analysis app: real-looking authorities, analyses, impacts and risks.

Deterministic once seeded; every record passes ``full_clean()``.
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from analysis import choices
from analysis.models import Analysis, Impact, LegalAuthority, RiskItem

from . import texts
from .partners import OrganizationUnitFactory, PersonFactory

BASE_DATE = datetime.date(2025, 10, 1)

AUTHORITIES = (
    {
        "name": "Executive Order 14028",
        "authority_type": choices.AuthorityType.EXECUTIVE_ORDER,
        "citation": "86 FR 26633",
        "document_number": "2021-10460",
        "executive_order_number": "14028",
        "signing_date": datetime.date(2021, 5, 12),
        "summary": "Improving the Nation's Cybersecurity.",
    },
    {
        "name": "Executive Order 14110",
        "authority_type": choices.AuthorityType.EXECUTIVE_ORDER,
        "status": choices.AuthorityStatus.REPEALED,
        "citation": "88 FR 75191",
        "document_number": "2023-24283",
        "executive_order_number": "14110",
        "signing_date": datetime.date(2023, 10, 30),
        "summary": "Safe, Secure, and Trustworthy Development and Use of Artificial Intelligence.",
    },
    {
        "name": "Freedom of Information Act",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "5 U.S.C. 552",
        "summary": "Public access to agency records.",
    },
    {
        "name": "Privacy Act of 1974",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "5 U.S.C. 552a",
        "summary": "Collection, maintenance, use and disclosure of records about individuals.",
    },
    {
        "name": "Federal Information Security Modernization Act of 2014",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "44 U.S.C. 3551 et seq.",
        "summary": "Agency information security programs.",
    },
    {
        "name": "Federal Records Act",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "44 U.S.C. 3101 et seq.",
        "summary": "Records management by federal agencies.",
    },
    {
        "name": "OMB Memorandum M-22-09",
        "authority_type": choices.AuthorityType.GUIDANCE,
        "citation": "M-22-09",
        "signing_date": datetime.date(2022, 1, 26),
        "summary": "Moving the U.S. Government Toward Zero Trust Cybersecurity Principles.",
    },
    {
        "name": "Section 508 of the Rehabilitation Act",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "29 U.S.C. 794d",
        "summary": "Accessible information and communication technology.",
    },
    {
        "name": "Federal Acquisition Regulation",
        "authority_type": choices.AuthorityType.REGULATION,
        "citation": "48 CFR Chapter 1",
        "summary": "Uniform policies and procedures for acquisition.",
    },
    {
        "name": "Uniform Guidance for Federal Awards",
        "authority_type": choices.AuthorityType.REGULATION,
        "citation": "2 CFR Part 200",
        "summary": "Administrative requirements, cost principles and audits of grants.",
    },
    {
        "name": "Federal Records Management regulations",
        "authority_type": choices.AuthorityType.REGULATION,
        "citation": "36 CFR Chapter XII, Subchapter B",
        "summary": "How agencies create, keep and dispose of federal records.",
    },
    {
        "name": "Standards of Ethical Conduct for Employees of the Executive Branch",
        "authority_type": choices.AuthorityType.REGULATION,
        "citation": "5 CFR Part 2635",
        "summary": "Gifts, conflicting interests, impartiality and misuse of position.",
    },
    {
        "name": "Suitability and Fitness",
        "authority_type": choices.AuthorityType.REGULATION,
        "citation": "5 CFR Part 731",
        "summary": "Suitability determinations for federal employment.",
    },
    {
        "name": "GPRA Modernization Act of 2010",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "31 U.S.C. 1115 et seq.",
        "summary": "Strategic plans, priority goals and quarterly performance reviews.",
    },
    {
        "name": "Foundations for Evidence-Based Policymaking Act of 2018",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "Pub. L. 115-435",
        "summary": "Evaluation plans, learning agendas and open data.",
    },
    {
        "name": "Payment Integrity Information Act of 2019",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "31 U.S.C. 3351 et seq.",
        "summary": "Identifying, reporting and reducing improper payments.",
    },
    {
        "name": "Robert T. Stafford Disaster Relief and Emergency Assistance Act",
        "authority_type": choices.AuthorityType.STATUTE,
        "citation": "42 U.S.C. 5121 et seq.",
        "summary": "Federal assistance to states and communities in disasters.",
    },
    {
        "name": "Executive Order 13526",
        "authority_type": choices.AuthorityType.EXECUTIVE_ORDER,
        "citation": "75 FR 707",
        "document_number": "E9-31418",
        "executive_order_number": "13526",
        "signing_date": datetime.date(2009, 12, 29),
        "summary": "Classified National Security Information.",
    },
    {
        "name": "Executive Order 14058",
        "authority_type": choices.AuthorityType.EXECUTIVE_ORDER,
        "citation": "86 FR 71357",
        "document_number": "2021-27380",
        "executive_order_number": "14058",
        "signing_date": datetime.date(2021, 12, 13),
        "summary": "Transforming Federal Customer Experience and Service Delivery.",
    },
    {
        "name": "OMB Circular A-123",
        "authority_type": choices.AuthorityType.GUIDANCE,
        "citation": "OMB Circular A-123",
        "summary": "Enterprise risk management and internal control.",
    },
    {
        "name": "OMB Circular A-11",
        "authority_type": choices.AuthorityType.GUIDANCE,
        "citation": "OMB Circular A-11",
        "summary": "Preparation, Submission, and Execution of the Budget.",
    },
)

TOPICS = (
    ("Zero trust architecture readiness", choices.GeneralCategory.CYBERSECURITY),
    ("Records retention schedule review", choices.GeneralCategory.RECORDS),
    ("Privacy impact of case management system", choices.GeneralCategory.DATA_PRIVACY),
    ("Workforce skills gap for AI adoption", choices.GeneralCategory.WORKFORCE),
    ("Continuity of operations plan update", choices.GeneralCategory.RESILIENCE),
    ("Procurement compliance with accessibility rules", choices.GeneralCategory.PROCUREMENT),
    ("Identity and access management modernization", choices.GeneralCategory.ACCESS_CONTROL),
    ("Financial statement audit remediation", choices.GeneralCategory.FINANCIAL),
)


def _from_entry(key, default=""):
    return factory.LazyAttribute(lambda o: o.entry.get(key, default))


class LegalAuthorityFactory(DjangoModelFactory):
    """A real federal authority (statute, executive order, guidance, regulation)."""

    class Meta:
        model = LegalAuthority

    class Params:
        entry = texts.cycle(AUTHORITIES)

    name = _from_entry("name")
    authority_type = _from_entry("authority_type")
    status = _from_entry("status", choices.AuthorityStatus.IN_EFFECT)
    citation = _from_entry("citation")
    document_number = _from_entry("document_number")
    executive_order_number = _from_entry("executive_order_number")
    signing_date = _from_entry("signing_date", None)
    summary = _from_entry("summary")
    issuing_body = None
    parent = None
    is_active = True


class AnalysisFactory(DjangoModelFactory):
    """An analysis in progress, of a unit, under an authority."""

    class Meta:
        model = Analysis

    class Params:
        topic = texts.cycle(TOPICS)

    number = factory.Sequence(lambda n: f"AN-2026-{n:04d}")
    name = factory.LazyAttribute(lambda o: o.topic[0])
    category = factory.LazyAttribute(lambda o: o.topic[1])
    legal_authority = factory.SubFactory(LegalAuthorityFactory)
    organization_unit = factory.SubFactory(OrganizationUnitFactory)
    assessment_poc = factory.SubFactory(
        PersonFactory, organization_unit=factory.SelfAttribute("..organization_unit")
    )
    start_date = factory.Sequence(lambda n: BASE_DATE + datetime.timedelta(days=n % 120))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=45))
    status = choices.AnalysisStatus.IN_PROGRESS
    summary = texts.cycle(texts.ANALYSIS_SUMMARIES)
    findings = texts.cycle(texts.FINDINGS)
    recommendations = texts.cycle(texts.RECOMMENDATIONS)
    estimated_cost = factory.Sequence(lambda n: Decimal(10000 * (1 + n % 30)))


class ImpactFactory(DjangoModelFactory):
    """An impact found by an analysis on a unit."""

    class Meta:
        model = Impact

    class Params:
        topic = texts.cycle(TOPICS)

    name = factory.LazyAttribute(lambda o: f"Impact: {o.topic[0].lower()}")
    category = factory.LazyAttribute(lambda o: o.topic[1])
    legal_authority = factory.SelfAttribute("analysis.legal_authority")
    analysis = factory.SubFactory(AnalysisFactory)
    organization_unit = factory.SelfAttribute("analysis.organization_unit")
    parent = None
    identification_date = factory.Sequence(lambda n: BASE_DATE + datetime.timedelta(days=n % 90))
    level = texts.cycle(tuple(choices.ImpactRating))
    likelihood = texts.cycle(tuple(reversed(choices.ImpactRating)))
    relevance = choices.Relevance.DIRECT
    polarity = texts.cycle(tuple(choices.Polarity))
    direction = texts.cycle(tuple(choices.Direction))
    financial_impact = factory.Sequence(lambda n: Decimal(5000 * (1 + n % 10)))
    status = choices.AnalysisStatus.IN_PROGRESS
    description = texts.cycle(texts.IMPACT_DESCRIPTIONS)
    mitigation_plan = texts.cycle(texts.MITIGATION_PLANS)
    target_mitigation_date = factory.LazyAttribute(
        lambda o: o.identification_date + datetime.timedelta(days=90)
    )


class RiskItemFactory(DjangoModelFactory):
    """An open risk; likelihood and severity walk through 1-5 so scores vary."""

    class Meta:
        model = RiskItem

    class Params:
        topic = texts.cycle(TOPICS)

    number = factory.Sequence(lambda n: f"RSK-2026-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Risk: {o.topic[0].lower()} slips")
    category = factory.LazyAttribute(lambda o: o.topic[1])
    legal_authority = None
    analysis = None
    organization_unit = factory.SubFactory(OrganizationUnitFactory)
    owner = factory.SubFactory(
        PersonFactory, organization_unit=factory.SelfAttribute("..organization_unit")
    )
    parent = None
    identification_date = factory.Sequence(lambda n: BASE_DATE + datetime.timedelta(days=n % 90))
    likelihood = factory.Sequence(lambda n: 1 + n % 5)
    severity = factory.Sequence(lambda n: 1 + (n // 5) % 5)
    status = choices.RiskStatus.OPEN
    description = texts.cycle(texts.RISK_DESCRIPTIONS)
    impact_description = texts.cycle(texts.RISK_IMPACTS)
    mitigation_plan = texts.cycle(texts.MITIGATION_PLANS)
