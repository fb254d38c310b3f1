"""Saving a form returns to the record it saved (issue 15: edit → Save landed on the whole
list, so people lost their place)."""

import pytest
from django.urls import reverse

from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.utils import viewname
from partners.models import OrganizationUnit
from tests.generic.model_data import form_data
from tests.workflow_support import officers_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(units, alice):
    return officers_tasker(units, alice.person)


def test_edit_then_save_returns_to_the_record_not_the_list(client, alice, action):
    client.force_login(alice)
    edit_url = reverse(viewname(ExecutiveAction, "edit"), args=[action.pk])
    page = client.get(edit_url).content.decode()
    assert 'name="return_url"' not in page  # nothing sends the form back to the list
    assert f'href="{action.get_absolute_url()}">Cancel' in page

    data = form_data(registry.get(ExecutiveAction).form, action, alice)[0]
    data["title"] = "Inventory the bureau's AI use cases (revised)"
    response = client.post(edit_url, data)

    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()


def test_editing_a_unit_returns_to_the_unit(admin_client, units):
    unit = units["OFF-A1"]
    edit_url = reverse(viewname(OrganizationUnit, "edit"), args=[unit.pk])
    data = form_data(registry.get(OrganizationUnit).form, unit, None)[0]
    data["name"] = "Office A1 (renamed)"
    response = admin_client.post(edit_url, data)
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()
