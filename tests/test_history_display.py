"""The History tab reads like Django admin's: names and labels, not ids and slugs (issue 15).

New users read "Accountable person: 219 → 218" and "Status: submitted → completed", and
rows that said "Changed —". Each test opens the History tab as a person would.
"""

import datetime

import pytest
from django.urls import reverse

from actions.choices import ActionStatus, Visibility
from actions.demo.actions import ExecutiveActionFactory
from actions.demo.partners import PersonFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db


def history_page(client, user, action):
    client.force_login(user)
    response = client.get(reverse(viewname(ExecutiveAction, "history"), args=[action.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def action(units, alice):
    return ExecutiveActionFactory(
        title="Brief the Deputy Secretary",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        due_date=datetime.date(2027, 1, 15),
    )


def test_a_reassignment_names_both_people_linked_to_their_pages(client, bob, units, action):
    newcomer = PersonFactory(
        first_name="Nadia", last_name="Okafor", organization_unit=units["OFF-A1"]
    )
    before = action.accountable_person
    action.accountable_person = newcomer
    action.save()

    page = history_page(client, bob, action)

    assert f"{before.pk} → {newcomer.pk}" not in page
    assert f'<a href="{before.get_absolute_url()}">{before}</a>' in page
    assert f'<a href="{newcomer.get_absolute_url()}">Okafor, Nadia</a>' in page


def test_a_status_move_shows_the_status_labels(client, bob, action):
    action.status = ActionStatus.SUBMITTED
    action.save()
    action.status = ActionStatus.COMPLETED
    action.completed_date = datetime.date(2027, 1, 10)
    action.save()

    page = history_page(client, bob, action)

    assert "Submitted for review</span>" in page
    assert '<span class="ec-new">Completed</span>' in page
    assert "submitted →" not in page


def test_dates_read_as_on_every_other_page_and_empty_values_as_a_dash(client, bob, action):
    action.completed_date = datetime.date(2027, 1, 10)
    action.save()

    page = history_page(client, bob, action)

    assert '<span class="ec-old">—</span>' in page
    assert '<span class="ec-new">10 Jan 2027</span>' in page
    assert "2027-01-10" not in page


def test_a_save_that_changes_nothing_visible_leaves_no_row(client, bob, action):
    action.save()  # only the timestamp (and version) move
    action.save()
    action.title = "Brief the Secretary"
    action.save()

    page = history_page(client, bob, action)

    assert page.count('<td class="text-nowrap">') == 2  # created, and the one real change
    assert page.count(">Changed") == 1
    assert "Brief the Secretary" in page


def test_a_parent_the_reader_cannot_see_is_not_named(client, alice, units, action):
    secret = ExecutiveActionFactory(
        title="Sealed reorganisation plan",
        visibility=Visibility.CONFIDENTIAL,
        lead_unit=units["OFF-B1"],
    )
    action.parent = secret
    action.save()

    page = history_page(client, alice, action)

    assert "Sealed reorganisation plan" not in page
    assert "a record you cannot see" in page
    assert f"→ {secret.pk}" not in page
