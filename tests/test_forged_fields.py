"""Workflow facts change only through their workflow action: a value POSTed for one on the
create, edit or bulk-edit page is ignored, whoever sends it."""

import datetime

import pytest
from django.urls import reverse

from actions.choices import ActionStatus
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.demo.partners import PersonFactory
from actions.models import ExecutiveAction
from execcoord import registry
from tests.generic.model_data import form_data

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2020, 1, 2)


def forged(units, other_person):
    """Values for every workflow fact, pointing somewhere else."""
    return {
        "number": "EA-1999-99999",
        "version": "99",
        "status": ActionStatus.COMPLETED,
        "issued_by": str(other_person.pk),
        "issuing_unit": str(units["OFF-B1"].pk),
        "issue_date": LONG_AGO.isoformat(),
        "completed_date": LONG_AGO.isoformat(),
        "original_due_date": LONG_AGO.isoformat(),
        "held_from_status": ActionStatus.IN_PROGRESS,
        "percent_complete": "100",
    }


def test_create_ignores_forged_workflow_facts(client, units, alice):
    other = PersonFactory(organization_unit=units["OFF-B1"])
    client.force_login(alice)
    action_type = ExecutiveActionTypeFactory()
    data = {
        "title": "Draft the reply",
        "action_type": action_type.pk,
        "priority": "medium",
        "health": "not_assessed",
        "visibility": "internal",
        "security_classification": "unclassified",
        "lead_unit": units["OFF-A1"].pk,
        **forged(units, other),
    }
    response = client.post(reverse("actions:executiveaction_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    action = ExecutiveAction.objects.get(title="Draft the reply")
    assert action.number != "EA-1999-99999"
    assert action.status == ActionStatus.DRAFT
    assert (action.issued_by, action.issuing_unit) == (alice.person, units["OFF-A1"])
    assert action.issue_date is None and action.completed_date is None
    assert action.original_due_date is None and action.held_from_status == ""
    assert action.percent_complete == 0 and action.version == 1


def test_edit_ignores_forged_workflow_facts_and_responsibility(client, units, alice):
    other = PersonFactory(organization_unit=units["OFF-B1"])
    action = ExecutiveActionFactory(
        status=ActionStatus.SUBMITTED,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=datetime.date(2026, 12, 18),
    )
    before = ExecutiveAction.objects.filter(pk=action.pk).values().get()
    client.force_login(alice)
    data, _ = form_data(registry.get(action).form, action, alice)
    assert "lead_unit" not in data and "status" not in data and "due_date" not in data
    data.update(forged(units, other))
    data["percent_complete"] = str(action.percent_complete)  # the lead reports progress
    data.update(
        title="Renamed",
        lead_unit=str(units["OFF-B1"].pk),
        accountable_person=str(other.pk),
        due_date="2027-06-30",
        due_date_change_reason="forged",
    )
    response = client.post(reverse("actions:executiveaction_edit", args=[action.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    after = ExecutiveAction.objects.filter(pk=action.pk).values().get()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"title", "version", "updated_at"}


def test_bulk_edit_ignores_fields_the_user_may_not_set(client, units, alice):
    action = ExecutiveActionFactory(
        status=ActionStatus.IN_PROGRESS,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=datetime.date(2026, 12, 18),
    )
    client.force_login(alice)
    page = client.post(reverse("actions:executiveaction_bulk_edit"), {"pk": [action.pk]})
    assert "due_date" not in page.context["form"].fields  # lead staff ask for an extension
    client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {
            "pk": [action.pk],
            f"version_{action.pk}": action.version,
            "_apply": "1",
            "priority": "high",
            "due_date": "2027-06-30",
            "due_date_change_reason": "forged",
            "lead_unit": units["OFF-B1"].pk,
            "issuing_unit": units["OFF-B1"].pk,
        },
    )
    action.refresh_from_db()
    assert action.priority == "high"
    assert action.due_date == datetime.date(2026, 12, 18)
    assert action.lead_unit == units["OFF-A1"] and action.issuing_unit_id is None


def test_a_satellite_cannot_be_moved_to_another_tasker(client, units, alice, bob):
    from actions.demo.actions import StatusUpdateFactory

    mine = ExecutiveActionFactory(lead_unit=units["OFF-A1"], accountable_person=alice.person)
    theirs = ExecutiveActionFactory(lead_unit=units["OFF-B1"])
    update = StatusUpdateFactory(action=mine)
    client.force_login(bob)
    data, _ = form_data(registry.get(update).form, update, bob)
    data["action"] = str(theirs.pk)
    data["next_steps"] = "Moved?"
    client.post(reverse("actions:statusupdate_edit", args=[update.pk]), data)
    update.refresh_from_db()
    assert update.action == mine and update.next_steps == "Moved?"
