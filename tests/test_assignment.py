"""The assignment page: lead unit and person, supporting units, one e-mail per new assignee,
reassignment kept in the history."""

import pytest
from django.urls import reverse

from actions.choices import AssignmentRole, AssignmentStatus
from actions.models import Assignment, ExecutiveAction
from tests.factories.partners import OrganizationUnitFactory, PersonFactory
from tests.workflow_support import S, action_in


def _url(action):
    return reverse("actions:executiveaction_assign", args=[action.pk])


def _data(lead_unit, person, rows=(), existing=()):
    data = {
        "lead-lead_unit": lead_unit.pk,
        "lead-accountable_person": person.pk if person else "",
        "supporting-TOTAL_FORMS": str(len(existing) + len(rows)),
        "supporting-INITIAL_FORMS": str(len(existing)),
        "supporting-MIN_NUM_FORMS": "0",
        "supporting-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate([*existing, *rows]):
        for key, value in row.items():
            data[f"supporting-{i}-{key}"] = value
    return data


@pytest.fixture
def setup(units, bob):
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    new_person = PersonFactory(organization_unit=units["OFF-A1"], email="new.lead@agency.gov")
    helper = PersonFactory(organization_unit=units["OFF-B1"], email="helper@agency.gov")
    mailbox_unit = OrganizationUnitFactory(
        code="OFF-C", parent=units["AGENCY"], email="c@agency.gov"
    )
    return action, new_person, helper, mailbox_unit


def test_assignment_sends_exactly_one_email_to_each_new_assignee(
    client, units, bob, setup, mailoutbox
):
    action, new_person, helper, mailbox_unit = setup
    client.force_login(bob)
    rows = [
        {
            "organization_unit": units["OFF-B1"].pk,
            "person": helper.pk,
            "role": AssignmentRole.COORDINATING,
            "due_date": "",
            "status": AssignmentStatus.PENDING,
        },
        {
            "organization_unit": mailbox_unit.pk,
            "person": "",
            "role": AssignmentRole.INFORMATION,
            "due_date": "",
            "status": AssignmentStatus.PENDING,
        },
    ]
    response = client.post(_url(action), _data(units["OFF-A1"], new_person, rows))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["new.lead@agency.gov", "helper@agency.gov", "c@agency.gov"]
    )
    assert all(len(m.to) == 1 and m.alternatives for m in mailoutbox)
    assert action.number in mailoutbox[0].subject
    # saving again without changes tells nobody anything new
    existing = [
        {
            "id": a.pk,
            "organization_unit": a.organization_unit_id,
            "person": a.person_id or "",
            "role": a.role,
            "due_date": "",
            "status": a.status,
        }
        for a in Assignment.objects.filter(action=action).order_by("pk")
    ]
    client.post(_url(action), _data(units["OFF-A1"], new_person, existing=existing))
    assert len(mailoutbox) == 3


def test_reassignment_keeps_the_previous_lead_in_history(client, units, bob, setup, mailoutbox):
    action, new_person, _, _ = setup
    previous = action.accountable_person_id
    client.force_login(bob)
    client.post(_url(action), _data(units["OFF-A1"], new_person))
    action.refresh_from_db()
    assert action.accountable_person == new_person
    history = list(
        action.history.order_by("history_id").values_list(
            "accountable_person_id", "history_change_reason"
        )
    )
    assert (previous, None) in [(p, None) for p, _ in history]
    assert history[-1] == (new_person.pk, "Reassigned")
    page = client.get(action.get_absolute_url()).content.decode()
    assert f"accountable: {new_person}" in page


def test_removing_a_supporting_unit_is_kept_in_history(client, units, bob, setup):
    action, _, helper, _ = setup
    assignment = Assignment.objects.create(
        action=action, organization_unit=units["OFF-B1"], person=helper
    )
    client.force_login(bob)
    existing = [
        {
            "id": assignment.pk,
            "organization_unit": units["OFF-B1"].pk,
            "person": helper.pk,
            "role": assignment.role,
            "due_date": "",
            "status": assignment.status,
            "DELETE": "on",
        }
    ]
    client.post(_url(action), _data(units["OFF-A1"], action.accountable_person, existing=existing))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Assignment.history.filter(id=assignment.pk, history_type="-").exists()


def test_staff_of_the_lead_unit_cannot_reassign(client, units, alice, setup):
    action, *_ = setup
    client.force_login(alice)
    assert client.get(_url(action)).status_code == 403


def test_a_supporting_due_date_after_the_actions_is_refused_on_the_page(
    client, units, bob, setup, mailoutbox
):
    action, _, helper, _ = setup
    client.force_login(bob)
    late = action.due_date.replace(year=action.due_date.year + 1).isoformat()
    rows = [
        {
            "organization_unit": units["OFF-B1"].pk,
            "person": helper.pk,
            "role": "coordinating",
            "due_date": late,
            "status": "pending",
        }
    ]
    response = client.post(_url(action), _data(units["OFF-A1"], action.accountable_person, rows))
    assert response.status_code == 200
    assert "choose that date or earlier" in response.content.decode()
    assert not Assignment.objects.filter(action=action).exists()
    assert mailoutbox == []
    assert ExecutiveAction.objects.get(pk=action.pk).version == action.version
