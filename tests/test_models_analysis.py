"""Models of the analysis app: authorities, analyses, impacts, risk items."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.demo.analysis import (
    AnalysisFactory,
    ImpactFactory,
    LegalAuthorityFactory,
    RiskItemFactory,
)
from actions.demo.partners import AccountFactory, OrganizationUnitFactory, PersonFactory
from analysis.choices import RiskLevel, risk_level_for_score
from analysis.models import Analysis, Impact, LegalAuthority, RiskItem
from execcoord.history import bulk_update_with_history
from tests.conftest import assert_database_refuses, clean_error

pytestmark = pytest.mark.django_db


# --- legal authorities ------------------------------------------------------------------


def test_authority_round_trips_and_reads_with_its_citation():
    omb = AccountFactory(name="Office of Management and Budget")
    authority = LegalAuthorityFactory(
        name="Freedom of Information Act", citation="5 U.S.C. 552", issuing_body=omb
    )
    authority.full_clean()
    authority.refresh_from_db()
    assert str(authority) == "Freedom of Information Act (5 U.S.C. 552)"
    assert list(omb.issued_authorities.all()) == [authority]
    assert str(LegalAuthorityFactory.build(name="Agency policy", citation="")) == "Agency policy"


def test_authority_cannot_expire_before_it_takes_effect():
    authority = LegalAuthorityFactory.build(
        effective_date=datetime.date(2026, 1, 1), expiration_date=datetime.date(2025, 1, 1)
    )
    error = clean_error(authority)
    assert "The expiration date cannot be before the effective date." in error.messages


def test_authority_parent_cannot_loop():
    statute = LegalAuthorityFactory()
    regulation = LegalAuthorityFactory(parent=statute)
    assert list(statute.children.all()) == [regulation]
    statute.parent = regulation
    assert "parent" in clean_error(statute).message_dict


def test_deleting_an_authority_keeps_what_rests_on_it():
    analysis = AnalysisFactory()
    analysis.legal_authority.delete()
    analysis.refresh_from_db()
    assert analysis.legal_authority is None


# --- analyses ---------------------------------------------------------------------------


def test_analysis_round_trips_with_its_links():
    unit = OrganizationUnitFactory(code="OCIO")
    poc = PersonFactory(organization_unit=unit)
    analysis = AnalysisFactory(
        number="AN-1", name="Zero trust readiness", organization_unit=unit, assessment_poc=poc
    )
    analysis.full_clean()
    analysis.refresh_from_db()
    assert str(analysis) == "AN-1 — Zero trust readiness"
    assert list(unit.analyses.all()) == [analysis]
    assert list(poc.analyses.all()) == [analysis]
    assert list(analysis.legal_authority.analyses.all()) == [analysis]
    assert analysis.get_choice_color("status") == "primary"


def test_analysis_cannot_end_before_it_starts():
    analysis = AnalysisFactory.build(
        legal_authority=None,
        organization_unit=None,
        assessment_poc=None,
        start_date=datetime.date(2026, 2, 1),
        end_date=datetime.date(2026, 1, 31),
    )
    assert "The end date cannot be before the start date." in clean_error(analysis).messages
    assert_database_refuses(analysis)


def test_analysis_number_is_unique_but_optional():
    AnalysisFactory(number="AN-7")
    duplicate = AnalysisFactory.build(
        number="AN-7", legal_authority=None, organization_unit=None, assessment_poc=None
    )
    assert "Another analysis already has this number." in clean_error(duplicate).messages
    AnalysisFactory(number="")
    AnalysisFactory(number="")
    assert Analysis.objects.filter(number="").count() == 2


# --- impacts ----------------------------------------------------------------------------


def test_impact_round_trips_with_its_links():
    impact = ImpactFactory(name="Higher licence costs")
    impact.full_clean()
    impact.refresh_from_db()
    assert str(impact) == "Higher licence costs"
    assert list(impact.analysis.impacts.all()) == [impact]
    assert list(impact.organization_unit.impacts.all()) == [impact]
    assert list(impact.legal_authority.impacts.all()) == [impact]


def test_impact_parent_cannot_loop():
    parent = ImpactFactory()
    child = ImpactFactory(parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError):
        parent.full_clean()
    child.parent = child
    with pytest.raises(ValidationError):
        child.full_clean()


def test_deleting_an_analysis_keeps_its_impacts_and_risks():
    impact = ImpactFactory()
    risk = RiskItemFactory(analysis=impact.analysis)
    impact.analysis.delete()
    impact.refresh_from_db()
    risk.refresh_from_db()
    assert impact.analysis is None and risk.analysis is None
    assert Impact.objects.count() == 1


# --- risk items -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, RiskLevel.LOW),
        (4, RiskLevel.LOW),
        (5, RiskLevel.MODERATE),
        (9, RiskLevel.MODERATE),
        (10, RiskLevel.HIGH),
        (16, RiskLevel.HIGH),
        (20, RiskLevel.CRITICAL),
        (25, RiskLevel.CRITICAL),
        (17, ""),
        (0, ""),
        (None, ""),
    ],
)
def test_risk_level_bands(score, level):
    assert risk_level_for_score(score) == level


def test_every_likelihood_and_severity_gives_a_stored_score_and_level():
    unit = OrganizationUnitFactory(code="OCIO")
    for likelihood in range(1, 6):
        for severity in range(1, 6):
            risk = RiskItemFactory.build(
                likelihood=likelihood, severity=severity, organization_unit=unit, owner=None
            )
            risk.full_clean()
            risk.save()
            risk.refresh_from_db()
            assert risk.score == likelihood * severity
            assert risk.level == risk_level_for_score(risk.score) != ""
    assert not RiskItem.objects.filter(score__in=[17, 18, 19]).exists()


def test_risk_score_follows_likelihood_changes():
    risk = RiskItemFactory(likelihood=2, severity=2)
    assert (risk.score, risk.level) == (4, RiskLevel.LOW)
    risk.likelihood = 5
    risk.save(update_fields=["likelihood"])
    risk.refresh_from_db()
    assert (risk.score, risk.level) == (10, RiskLevel.HIGH)
    assert risk.get_choice_color("level") == "danger"


def test_risk_likelihood_out_of_range_is_refused():
    risk = RiskItemFactory.build(likelihood=6, severity=1, organization_unit=None, owner=None)
    assert "likelihood" in clean_error(risk).message_dict
    assert_database_refuses(risk)


def test_database_refuses_a_score_that_does_not_match():
    risk = RiskItemFactory(likelihood=3, severity=3)
    risk.score = 25  # a bulk write skips save() and its derivation
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_update_with_history([risk], ["score"])
    risk.refresh_from_db()
    risk.level = RiskLevel.CRITICAL
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_update_with_history([risk], ["level"])


def test_risks_sort_by_score_first():
    low = RiskItemFactory(likelihood=1, severity=1, name="B low")
    high = RiskItemFactory(likelihood=5, severity=5, name="A high")
    middle = RiskItemFactory(likelihood=3, severity=3, name="C middle")
    assert list(RiskItem.objects.all()) == [high, middle, low]


def test_risk_links_and_number():
    risk = RiskItemFactory(number="RSK-1", name="Vendor delay")
    assert str(risk) == "RSK-1 — Vendor delay"
    assert list(risk.owner.owned_risk_items.all()) == [risk]
    assert list(risk.organization_unit.risk_items.all()) == [risk]
    with pytest.raises(ValidationError) as error:
        RiskItemFactory.build(
            number="RSK-1", likelihood=1, severity=1, organization_unit=None, owner=None
        ).full_clean()
    assert "Another risk item already has this number." in error.value.messages


# --- factories --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory_class", [LegalAuthorityFactory, AnalysisFactory, ImpactFactory, RiskItemFactory]
)
def test_factories_make_valid_records(factory_class):
    for record in factory_class.create_batch(3):
        record.full_clean()


def test_authority_factory_uses_real_citations():
    LegalAuthorityFactory.reset_sequence()  # other tests in this worker moved it on
    citations = {a.citation for a in LegalAuthorityFactory.create_batch(9)}
    assert {"5 U.S.C. 552", "88 FR 75191"} <= citations
    assert LegalAuthority.objects.filter(name="Executive Order 14110").exists()
