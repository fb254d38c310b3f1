"""A new sub-tasker starts from its parent, and the accountable-person picker offers the lead
unit's people first (issue 15: a sub-tasker inherited nothing, so a CUI tasker's sub-tasker
fell back to Unclassified; the picker offered everyone)."""

import re

import pytest
from django.urls import reverse

from actions.choices import (
    ActionStatus,
    Priority,
    SecurityClassification,
    Visibility,
)
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.demo.partners import AccountFactory, PersonFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

ADD = reverse(viewname(ExecutiveAction, "add"))


@pytest.fixture
def parent(units, alice):
    return ExecutiveActionFactory(
        title="Protect the case management data",
        action_type=ExecutiveActionTypeFactory(name="Security Review"),
        status=ActionStatus.IN_PROGRESS,
        priority=Priority.CRITICAL,
        visibility=Visibility.RESTRICTED,
        security_classification=SecurityClassification.CUI,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        legal_authorities=[LegalAuthorityFactory(name="Privacy Act of 1974")],
        partners=[AccountFactory(name="Office of Personnel Management")],
    )


def selected(html, name):
    """The values selected in the form's select ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)" selected', select)


def test_a_new_sub_tasker_starts_with_its_parents_type_priority_access_and_links(
    client, alice, parent
):
    client.force_login(alice)
    html = client.get(f"{ADD}?parent={parent.pk}").content.decode()

    assert selected(html, "action_type") == [str(parent.action_type_id)]
    assert selected(html, "priority") == [Priority.CRITICAL]
    assert selected(html, "visibility") == [Visibility.RESTRICTED]
    assert selected(html, "security_classification") == [SecurityClassification.CUI]
    assert selected(html, "legal_authorities") == [
        str(a.pk) for a in parent.legal_authorities.all()
    ]
    assert selected(html, "partners") == [str(p.pk) for p in parent.partners.all()]


def test_the_accountable_person_picker_asks_for_the_lead_units_people_first(client, alice, units):
    client.force_login(alice)
    html = client.get(ADD).content.decode()
    picker = re.search(r'<select name="accountable_person"[^>]*>', html).group(0)
    assert 'data-autocomplete-prefer-from="id_lead_unit"' in picker

    outsider = PersonFactory(last_name="Aaronson", organization_unit=units["OFF-B1"])
    insider = PersonFactory(last_name="Zimmer", organization_unit=units["OFF-A1"])
    url = reverse("autocomplete", args=["partners.person"])
    plain = [r["id"] for r in client.get(url).json()["results"]]
    first = [r["id"] for r in client.get(url, {"prefer": units["OFF-A1"].pk}).json()["results"]]

    assert plain.index(outsider.pk) < plain.index(insider.pk)  # by name, A before Z
    in_unit = {alice.person.pk, insider.pk}
    assert set(first[: len(in_unit)]) == in_unit  # the lead unit's people come first
    assert set(first) == set(plain)  # and nobody else is left out
