"""A manager reaches Approve / Deny from My work, and an extension request's page says who
asked and offers the decision (issue 15: My work linked to a request page with no buttons and
"Requested by —")."""

import datetime
import re

import pytest
from django.urls import reverse

from actions.choices import ActionStatus, ExtensionStatus
from actions.demo.actions import ExecutiveActionFactory, ExtensionRequestFactory
from tests.workflow_support import officers_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(units, alice):
    alice.first_name, alice.last_name = "Alice", "Nguyen"
    alice.save()
    action = officers_tasker(units, alice.person, title="Staffing plan for the field offices")
    return ExtensionRequestFactory(
        action=action,
        current_due_date=action.due_date,
        requested_due_date=datetime.date(2027, 1, 29),
        justification="The regional data arrive late.",
        status=ExtensionStatus.PENDING,
        requested_by=alice,
    )


def test_my_work_links_a_pending_request_to_the_taskers_approve_and_deny(client, bob, request_):
    client.force_login(bob)
    home = client.get(reverse("home")).content.decode()
    section = home[home.index("Extension requests waiting for me") :]
    link = re.search(r'<a href="([^"]+)">' + request_.action.number, section).group(1)
    assert link == f"{request_.action.get_absolute_url()}#panel-workflow"
    assert f"/extension-requests/{request_.pk}/" not in section

    tasker = client.get(request_.action.get_absolute_url()).content.decode()
    assert 'id="panel-workflow"' in tasker
    assert ">Approve extension</button>" in tasker and ">Deny extension</button>" in tasker
    assert "by Alice Nguyen: The regional data arrive late." in tasker


def test_the_request_page_names_the_requester_and_offers_the_decision(client, bob, request_):
    client.force_login(bob)
    page = client.get(request_.get_absolute_url()).content.decode()
    assert re.search(r"Requested by</dt><dd[^>]*>Alice Nguyen</dd>", page)
    assert ">Approve extension</button>" in page

    response = client.post(
        reverse("actions:extensionrequest_decide", args=[request_.pk]),
        {"decision": "approve", "comment": "Agreed."},
    )

    assert response["Location"] == request_.action.get_absolute_url()
    request_.action.refresh_from_db()
    assert request_.action.due_date == datetime.date(2027, 1, 29)
    decided = client.get(request_.get_absolute_url()).content.decode()
    assert "Approve extension" not in decided and "Agreed." in decided


def test_the_requester_sees_the_request_waiting_without_the_buttons(client, alice, request_):
    client.force_login(alice)
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "Waiting for a manager of the unit." in page
    assert "Approve extension" not in page


def test_a_cancelled_sub_tasker_is_not_counted_as_work_to_complete(client, bob, units):
    parent = ExecutiveActionFactory(
        status=ActionStatus.IN_PROGRESS,
        issue_date=datetime.date(2026, 11, 2),
        lead_unit=units["OFF-A1"],
    )
    for status in (ActionStatus.COMPLETED, ActionStatus.COMPLETED, ActionStatus.CANCELLED):
        ExecutiveActionFactory(parent=parent, status=status, lead_unit=units["OFF-A1"])
    client.force_login(bob)
    page = client.get(parent.get_absolute_url()).content.decode()
    assert "sub-taskers 2 of 2 completed" in page
