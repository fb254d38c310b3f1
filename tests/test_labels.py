"""Pages and the admin call things by the names people use (issue 15: "Organization units
(parent)" for sub-units, "Assigned by the system: --<5 digits>", calendar days that were
business days, an internal "Concurrency token")."""

import re

import pytest
from django.urls import reverse

from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.demo.partners import OrganizationUnitFactory
from analysis.models import LegalAuthority

pytestmark = pytest.mark.django_db


def panel_titles(html):
    return [
        " ".join(re.sub(r"<[^>]+>", " ", title).split())
        for title in re.findall(r'<h2 class="h6 mb-0 me-auto"[^>]*>(.*?)</h2>', html, re.S)
    ]


def test_a_units_sub_units_panel_is_titled_sub_units(client, bob, units):
    OrganizationUnitFactory(code="OFF-A2", name="Office A2", parent=units["BUR-A"])
    client.force_login(bob)
    html = client.get(units["BUR-A"].get_absolute_url()).content.decode()
    assert "Sub-units 2" in panel_titles(html)
    assert "(parent)" not in html


def test_an_authoritys_subordinate_authorities_are_titled_so(client, bob):
    statute = LegalAuthorityFactory(name="Federal Records Act", citation="44 U.S.C. 3101")
    LegalAuthorityFactory(name="36 CFR 1220", citation="36 CFR 1220", parent=statute)
    client.force_login(bob)
    html = client.get(statute.get_absolute_url()).content.decode()
    assert "Subordinate authorities 1" in panel_titles(html)
    assert f"{LegalAuthority._meta.verbose_name_plural.capitalize()} (parent)" not in html


def test_the_admin_explains_numbers_and_business_days_and_hides_internals(admin_client):
    action_type = ExecutiveActionTypeFactory(name="Executive Directive", default_days_to_due=10)
    action = ExecutiveActionFactory(action_type=action_type)
    type_page = admin_client.get(
        reverse("admin:actions_executiveactiontype_change", args=[action_type.pk])
    ).content.decode()
    assert "this many business days after creation" in type_page
    action_page = admin_client.get(
        reverse("admin:actions_executiveaction_change", args=[action.pk])
    ).content.decode()
    assert "<type prefix>" not in action_page and "--&lt;5 digits&gt;" not in action_page
    assert "(EA-2026-00042); never reused." in action_page
    for page in (type_page, action_page):
        assert "Concurrency token" not in page
        assert "optimistic concurrency" not in page
        assert 'name="concurrency_token"' in page  # still sent back: stale edits refused
