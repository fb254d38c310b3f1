"""Saving returns to the record, and status updates say who wrote them and what they changed
(issue 15: edit → Save landed on the whole list; the "Interim response" link ran two
parameters together; updates had no author; "Not assessed" overwrote the tasker's health; a
percent complete typed on a parent was silently replaced by the roll-up)."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from actions.choices import ActionStatus, Health, StatusUpdateKind
from actions.demo.actions import ExecutiveActionFactory
from actions.models import StatusUpdate
from tests.workflow_support import officers_tasker, opened_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(units, alice):
    return officers_tasker(units, alice.person, health=Health.AT_RISK, percent_complete=30)


def update_data(action, **fields):
    return {
        "action": action.pk,
        "kind": StatusUpdateKind.PROGRESS,
        "status_date": "2026-11-20",
        "timeline_impact": "no_change",
        "budget_impact": "no_change",
        **fields,
    }


def _link(page, text):
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{text}</a>', page)
    assert match, f"no “{text}” link"
    return unescape(match.group(1))


def test_the_interim_response_link_opens_an_interim_response_that_returns_to_the_tasker(
    client, alice, action
):
    client.force_login(alice)
    link = _link(client.get(action.get_absolute_url()).content.decode(), "Interim response")
    query = parse_qs(urlsplit(link).query)
    assert query == {
        "action": [str(action.pk)],
        "kind": ["interim"],
        "return_url": [action.get_absolute_url()],
    }

    form_page = client.get(link).content.decode()
    assert re.search(r'<option value="interim" selected>', form_page)

    response = client.post(
        link,
        update_data(
            action,
            kind="interim",
            sent_to="Office of the Deputy Secretary",
            health=Health.AT_RISK,
            return_url=action.get_absolute_url(),
        ),
    )
    assert response["Location"] == action.get_absolute_url()
    assert StatusUpdate.objects.get(action=action).kind == StatusUpdateKind.INTERIM


def test_a_new_update_is_written_by_the_poster_and_the_timeline_says_so(client, alice, action):
    client.force_login(alice)
    link = _link(client.get(action.get_absolute_url()).content.decode(), "Post status update")
    form_page = client.get(link).content.decode()
    assert re.search(rf'<option value="{alice.person.pk}" selected>', form_page)

    client.post(link, update_data(action, health=Health.ON_TRACK, reported_by=""))

    update = StatusUpdate.objects.get(action=action)
    assert update.reported_by == alice.person
    page = opened_page(client, action)
    item = re.search(
        r'<li class="list-group-item">(?:(?!</li>).)*Status update \(On track\)'
        r"(?:(?!</li>).)*</li>",
        page,
        re.S,
    )
    assert item and f"· {alice.person}</span>" in item.group(0)


def test_an_update_left_not_assessed_keeps_the_taskers_health(client, alice, action):
    client.force_login(alice)
    form_page = client.get(
        reverse("actions:statusupdate_add") + f"?action={action.pk}"
    ).content.decode()
    assert re.search(r'<option value="at_risk" selected>', form_page)  # starts from the tasker

    client.post(
        reverse("actions:statusupdate_add"),
        update_data(action, health=Health.NOT_ASSESSED, percent_complete="45"),
    )

    action.refresh_from_db()
    assert action.health == Health.AT_RISK
    assert action.percent_complete == 45


def test_a_percent_typed_on_a_parent_is_kept_on_the_update_and_the_page_says_so(
    client, alice, units, action
):
    ExecutiveActionFactory(
        parent=action,
        status=ActionStatus.IN_PROGRESS,
        percent_complete=20,
        lead_unit=units["OFF-A1"],
    )
    client.force_login(alice)
    form_page = client.get(
        reverse("actions:statusupdate_add") + f"?action={action.pk}"
    ).content.decode()
    assert "rolled up from its sub-taskers" in form_page

    response = client.post(
        reverse("actions:statusupdate_add"),
        update_data(action, health=Health.ON_TRACK, percent_complete="90"),
        follow=True,
    )

    action.refresh_from_db()
    assert action.percent_complete == 30
    assert StatusUpdate.objects.get(action=action).percent_complete == 90
    assert "stays at 30%; the 90% you typed is kept on this update" in response.content.decode()
