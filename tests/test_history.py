"""Every change is attributable, and no edit silently overwrites another (issue 6 §4–5)."""

import pytest
from django.urls import reverse

from actions import services
from actions.choices import ActionStatus, Visibility
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.utils import viewname
from tests.generic.model_data import form_data


def _form_data(action, user):
    return form_data(registry.get(ExecutiveAction).form, action, user)[0]


@pytest.fixture
def action(units, alice):
    return ExecutiveActionFactory(
        title="Prepare the quarterly briefing",
        visibility=Visibility.INTERNAL,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        action_type=ExecutiveActionTypeFactory(name="Briefing"),
    )


@pytest.mark.django_db
def test_create_through_the_form_records_who(client, bob, action):
    data = _form_data(action, bob)
    data["title"] = "A brand-new tasker"
    data["status"] = ActionStatus.DRAFT
    client.force_login(bob)
    response = client.post(reverse(viewname(ExecutiveAction, "add")), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ExecutiveAction.objects.get(title="A brand-new tasker")
    first = created.history.earliest()
    assert first.history_type == "+" and first.history_user == bob


@pytest.mark.django_db
def test_edit_transition_bulk_edit_and_delete_each_record_the_user(
    client, alice, bob, superuser, action
):
    client.force_login(alice)
    data = _form_data(action, alice)
    data["title"] = "Prepare the quarterly briefing (v2)"
    assert (
        client.post(reverse(viewname(ExecutiveAction, "edit"), args=[action.pk]), data).status_code
        == 302
    )
    edit = action.history.latest()
    assert edit.history_type == "~" and edit.history_user == alice
    assert edit.title.endswith("(v2)")

    action.refresh_from_db()
    services.transition(action, ActionStatus.NOT_STARTED, bob)
    issued = action.history.latest()
    assert issued.history_user == bob and issued.status == ActionStatus.NOT_STARTED

    client.force_login(bob)
    response = client.post(
        reverse(viewname(ExecutiveAction, "bulk_edit")),
        {
            "pk": [action.pk],
            f"version_{action.pk}": action.version,
            "_apply": "1",
            "priority": "critical",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.priority == "critical"
    bulk = action.history.latest()
    assert bulk.history_user == bob and bulk.priority == "critical"

    pk = action.pk
    client.force_login(superuser)
    response = client.post(reverse(viewname(ExecutiveAction, "delete"), args=[pk]))
    assert response.status_code == 302
    deleted = ExecutiveAction.history.filter(id=pk).latest()
    assert deleted.history_type == "-" and deleted.history_user == superuser


@pytest.mark.django_db
def test_history_tab_shows_field_differences_and_who(client, alice, action):
    client.force_login(alice)
    data = _form_data(action, alice)
    data["title"] = "Renamed briefing"
    client.post(reverse(viewname(ExecutiveAction, "edit"), args=[action.pk]), data)
    page = client.get(reverse(viewname(ExecutiveAction, "history"), args=[action.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Renamed briefing" in text and "Prepare the quarterly briefing" in text
    assert "alice" in text


@pytest.mark.django_db
def test_second_of_two_concurrent_edits_is_refused_and_the_first_wins(client, alice, bob, action):
    """Alice and Bob open the same tasker; Alice saves first; Bob's save is refused."""
    url = reverse(viewname(ExecutiveAction, "edit"), args=[action.pk])
    alice_data = _form_data(action, alice)
    bob_data = _form_data(action, bob)

    client.force_login(alice)
    alice_data["title"] = "Alice's title"
    assert client.post(url, alice_data).status_code == 302

    client.force_login(bob)
    bob_data["title"] = "Bob's title"
    response = client.post(url, bob_data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Bob&#x27;s title" in page or "Bob's title" in page  # typed values kept
    assert "Title" in page  # names what changed meanwhile
    action.refresh_from_db()
    assert action.title == "Alice's title"
