"""Searching for a person finds their taskers, and tasker hits say where they stand (issue
15: a name returned only the person; hits showed neither status nor suspense)."""

import datetime

import pytest
from django.urls import reverse

from actions.choices import ActionStatus, Visibility
from actions.demo.actions import AssignmentFactory, ExecutiveActionFactory
from actions.demo.partners import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(units):
    return {
        "okafor": PersonFactory(
            first_name="Nadia", last_name="Okafor", organization_unit=units["OFF-A1"]
        ),
        "lindqvist": PersonFactory(
            first_name="Erik", last_name="Lindqvist", organization_unit=units["OFF-A1"]
        ),
    }


def search(client, user, q):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return response


def test_a_name_finds_the_person_and_the_taskers_they_answer_for(client, bob, units, people):
    late = ExecutiveActionFactory(
        title="Refresh the privacy impact assessments",
        status=ActionStatus.IN_PROGRESS,
        due_date=datetime.date.today() - datetime.timedelta(days=3),
        lead_unit=units["OFF-A1"],
        accountable_person=people["okafor"],
    )
    supported = ExecutiveActionFactory(
        title="Budget data call", lead_unit=units["OFF-A1"], accountable_person=None
    )
    AssignmentFactory(action=supported, organization_unit=units["OFF-A1"], person=people["okafor"])
    ExecutiveActionFactory(
        title="Someone else's tasker",
        lead_unit=units["OFF-A1"],
        accountable_person=people["lindqvist"],
    )

    response = search(client, bob, "Nadia Okafor")

    groups = {g["title"]: g for g in response.context["groups"]}
    assert [h.pk for h in groups["People"]["hits"]] == [people["okafor"].pk]
    assert {h.pk for h in groups["Executive actions"]["hits"]} == {late.pk, supported.pk}
    html = response.content.decode()
    hit = html[html.index(late.get_absolute_url()) :].split("</li>")[0]
    assert '<span class="badge text-bg-primary">In progress</span>' in hit
    assert f"Due {late.due_date.day} " in hit and "3 days overdue" in hit


def test_a_name_does_not_reveal_a_tasker_the_user_may_not_see(client, alice, units, people):
    ExecutiveActionFactory(
        title="Sealed personnel matter",
        visibility=Visibility.CONFIDENTIAL,
        lead_unit=units["OFF-B1"],
        accountable_person=people["okafor"],
    )
    response = search(client, alice, "Okafor")
    assert "Sealed personnel matter" not in response.content.decode()
