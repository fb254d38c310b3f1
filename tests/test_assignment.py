"""The assignment page: lead unit and person, supporting units, one notification (and
e-mail, queued after the commit) per new assignee, reassignment kept in the history."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from actions import coordination
from actions.choices import AssignmentRole, AssignmentStatus
from actions.demo.partners import OrganizationUnitFactory
from actions.models import Assignment, ExecutiveAction
from partners.access import ROLE_MANAGER, ROLE_STAFF
from tests.conftest import make_user
from tests.form_support import form_fields
from tests.workflow_support import S, action_in, opened_page


def _url(action):
    return reverse("actions:executiveaction_assign", args=[action.pk])


def _data(action, lead_unit, person, rows=(), existing=()):
    """The page as posted: at the versions stored now (as if opened just before)."""
    versions = dict(Assignment.objects.filter(action=action).values_list("pk", "version"))
    existing = [{**row, "concurrency_token": versions.get(row["id"], "")} for row in existing]
    data = {
        "lead-concurrency_token": ExecutiveAction.objects.get(pk=action.pk).version,
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
    new_person = make_user("newlead", ROLE_STAFF, units["OFF-A1"]).person
    helper = make_user("helper", ROLE_STAFF, units["OFF-B1"]).person
    mailbox_unit = OrganizationUnitFactory(
        code="OFF-C", parent=units["AGENCY"], email="c@agency.gov"
    )
    return action, new_person, helper, mailbox_unit


def test_assignment_sends_exactly_one_email_to_each_new_assignee(
    client, units, bob, setup, mailoutbox, django_capture_on_commit_callbacks
):
    """The accountable person and the named supporting person are told; a unit named
    without a person is told through its manager (its task mailbox cannot be checked
    against what it may see, so it is not written to)."""
    action, new_person, helper, mailbox_unit = setup
    c_manager = make_user("cmanager", ROLE_MANAGER, mailbox_unit).person
    mailbox_unit.manager = c_manager
    mailbox_unit.save()
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
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(action), _data(action, units["OFF-A1"], new_person, rows))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [new_person.email, helper.email, c_manager.email]
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
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(action), _data(action, units["OFF-A1"], new_person, existing=existing))
    assert len(mailoutbox) == 3


def test_reassignment_keeps_the_previous_lead_in_history(client, units, bob, setup, mailoutbox):
    action, new_person, _, _ = setup
    previous = action.accountable_person_id
    client.force_login(bob)
    client.post(_url(action), _data(action, units["OFF-A1"], new_person))
    action.refresh_from_db()
    assert action.accountable_person == new_person
    history = list(
        action.history.order_by("history_id").values_list(
            "accountable_person_id", "history_change_reason"
        )
    )
    assert (previous, None) in [(p, None) for p, _ in history]
    assert history[-1] == (new_person.pk, "Reassigned")
    page = opened_page(client, action)
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
    client.post(
        _url(action), _data(action, units["OFF-A1"], action.accountable_person, existing=existing)
    )
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
    response = client.post(
        _url(action), _data(action, units["OFF-A1"], action.accountable_person, rows)
    )
    assert response.status_code == 200
    assert "choose that date or earlier" in response.content.decode()
    assert not Assignment.objects.filter(action=action).exists()
    assert mailoutbox == []
    assert ExecutiveAction.objects.get(pk=action.pk).version == action.version


# --- the page as drawn, saved again and again -------------------------------------------


def _open(client, action):
    """The Assign page's form as the browser would send it untouched."""
    response = client.get(_url(action))
    assert response.status_code == 200
    return form_fields(response.content)


def _rows(action):
    return sorted(
        Assignment.objects.filter(action=action).values_list(
            "organization_unit__code", "due_date", "role"
        )
    )


def test_the_page_as_drawn_saves_supporting_units_added_changed_and_removed(
    client, units, bob, setup
):
    action, _, helper, mailbox_unit = setup
    client.force_login(bob)
    data = _open(client, action)
    assert data["supporting-INITIAL_FORMS"] == "0"
    data["supporting-0-organization_unit"] = units["OFF-B1"].pk
    data["supporting-0-person"] = helper.pk
    response = client.post(_url(action), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _rows(action) == [("OFF-B1", None, "coordinating")]

    # again, now that the page has a stored row (and its hidden id) to send back
    data = _open(client, action)
    assert data["supporting-INITIAL_FORMS"] == "1" and data["supporting-0-id"]
    due = action.due_date - datetime.timedelta(days=2)
    data["supporting-0-due_date"] = due.isoformat()
    data["supporting-1-organization_unit"] = mailbox_unit.pk
    data["supporting-1-role"] = AssignmentRole.INFORMATION
    response = client.post(_url(action), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _rows(action) == [("OFF-B1", due, "coordinating"), ("OFF-C", None, "information")]

    # and a third time: remove one, add another
    data = _open(client, action)
    first = next(
        k for k, v in data.items() if k.endswith("-organization_unit") and v == str(mailbox_unit.pk)
    )
    data[first.replace("organization_unit", "DELETE")] = "on"
    data["supporting-2-organization_unit"] = units["BUR-B"].pk
    response = client.post(_url(action), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _rows(action) == [("BUR-B", None, "coordinating"), ("OFF-B1", due, "coordinating")]
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Assignment saved." in page


def test_a_stale_page_is_refused_naming_who_assigned_meanwhile_and_keeps_the_entries(
    client, units, bob, administrator, setup
):
    action, new_person, helper, mailbox_unit = setup
    client.force_login(bob)
    stale = _open(client, action)
    stale["supporting-0-organization_unit"] = units["OFF-B1"].pk

    other = Client()
    other.force_login(administrator)
    data = form_fields(other.get(_url(action)).content)
    data["supporting-0-organization_unit"] = mailbox_unit.pk
    data["lead-accountable_person"] = new_person.pk
    assert other.post(_url(action), data).status_code == 302

    response = client.post(_url(action), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by ada at " in page and "Nothing was saved" in page
    assert "Accountable person" in page  # what changed
    assert _rows(action) == [("OFF-C", None, "coordinating")]  # the administrator's, kept
    assert ExecutiveAction.objects.get(pk=action.pk).accountable_person == new_person
    # bob's entries are still on the page; sending it again applies them
    again = form_fields(page)
    assert again["supporting-0-organization_unit"] == str(units["OFF-B1"].pk)
    assert client.post(_url(action), again).status_code == 302
    assert _rows(action) == [("OFF-B1", None, "coordinating"), ("OFF-C", None, "coordinating")]


def test_an_answer_recorded_meanwhile_is_not_overwritten(client, units, bob, charlie, setup):
    action, _, helper, _ = setup
    assignment = Assignment.objects.create(
        action=action, organization_unit=units["OFF-B1"], person=helper
    )
    client.force_login(bob)
    data = _open(client, action)
    data["supporting-0-due_date"] = (action.due_date - datetime.timedelta(days=1)).isoformat()
    coordination.record_response(assignment, charlie, status=AssignmentStatus.CONCUR)

    response = client.post(_url(action), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Office B1 was changed by charlie at " in page and "Nothing was saved" in page
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.due_date) == (AssignmentStatus.CONCUR, None)


def test_a_unit_assigned_meanwhile_is_an_error_on_its_row_naming_who_and_when(
    client, units, bob, administrator, setup, mailoutbox
):
    action, *_ = setup
    client.force_login(bob)
    data = _open(client, action)
    data["supporting-0-organization_unit"] = units["OFF-B1"].pk
    # another path adds the same unit (it does not go through the Assign page's lock)
    meanwhile = Assignment(action=action, organization_unit=units["OFF-B1"])
    meanwhile._history_user = administrator
    meanwhile.save()

    response = client.post(_url(action), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This unit is already assigned to the action, by ada at " in page
    assert "Office B1), Unit:</strong> This unit is already assigned" in page
    assert Assignment.objects.filter(action=action).count() == 1
    assert mailoutbox == []


def test_the_same_page_sent_twice_saves_once(
    client, units, bob, setup, mailoutbox, django_capture_on_commit_callbacks
):
    action, _, helper, _ = setup
    client.force_login(bob)
    data = _open(client, action)
    data["supporting-0-organization_unit"] = units["OFF-B1"].pk
    data["supporting-0-person"] = helper.pk
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_url(action), data)
        second = client.post(_url(action), data, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0] == (first.url, 302)
    assert "already submitted; it was saved once" in second.content.decode()
    assert _rows(action) == [("OFF-B1", None, "coordinating")]
    assert [m.to for m in mailoutbox] == [[helper.email]]
    assert action.history.filter(history_change_reason="Supporting units changed").count() == 1


def test_every_error_of_the_page_is_shown(client, units, bob, setup):
    action, _, helper, _ = setup
    removed = Assignment.objects.create(action=action, organization_unit=units["BUR-B"])
    client.force_login(bob)
    data = _open(client, action)
    late = action.due_date + datetime.timedelta(days=40)
    data["supporting-1-organization_unit"] = units["OFF-B1"].pk
    data["supporting-1-due_date"] = late.isoformat()
    data["supporting-2-person"] = helper.pk  # a person without a unit
    removed.delete()  # by someone else, while the page is open

    page = client.post(_url(action), data).content.decode()
    assert "Not saved: 3 problems" in page
    assert "Bureau B):</strong> This supporting unit was removed by someone else" in page
    assert "Office B1), Due date:</strong> The action is due" in page
    assert "Row 3, Unit:</strong> This field is required." in page
    assert 'aria-invalid="true"' in page

    # the rows' list itself missing: said so, nothing saved, the stored rows drawn again
    del data["supporting-TOTAL_FORMS"]
    response = client.post(_url(action), data)
    assert response.status_code == 200
    assert "The page came back incomplete, so nothing was saved" in response.content.decode()
    assert not Assignment.objects.filter(action=action).exists()


def test_outsiders_and_viewers_cannot_open_the_page(client, units, charlie, viewer, setup):
    action, *_ = setup
    client.force_login(charlie)
    assert client.get(_url(action)).status_code in (403, 404)
    client.force_login(viewer)
    assert client.post(_url(action), {}).status_code in (403, 404)
