"""Eight simultaneous submits, each from its own thread and database connection: exactly one
record, and every other submit gets a clear answer (sent on to the first one's page, or a form
error naming who was first), never a server error.

PostgreSQL only: SQLite lets one writer in at a time, so nothing there can race.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from actions.models import Assignment, ExtensionRequest, StatusUpdate
from tests.form_support import form_fields
from tests.workflow_support import S, action_in, extension_form

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): SQLite lets only one writer in at a "
        "time, so simultaneous submits never race there",
    ),
    pytest.mark.django_db(transaction=True),
]

SUBMITS = 8


def _clients(user, count=SUBMITS):
    """``count`` browsers signed in as ``user``; a server error is a response, not raised."""
    clients = []
    for _ in range(count):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return clients


def _at_once(posts):
    """Run the callables of ``posts`` together (a barrier starts them at the same moment),
    each in its own thread with its own connection; their responses, in order."""
    start = threading.Barrier(len(posts))
    responses, errors = [None] * len(posts), []

    def run(index, post):
        try:
            start.wait(timeout=30)
            responses[index] = post()
        except Exception as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert all(r is not None for r in responses), "a submit did not finish"
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    return responses


def _text(response):
    return response.content.decode()


@pytest.fixture
def action(units):
    return action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])


# -- (a) an extension request -------------------------------------------------------------


def test_eight_simultaneous_extension_requests_make_one(alice, action):
    """Eight tabs (eight form keys): one request; the others are told it is already pending,
    by whom and when."""
    clients = _clients(alice)
    pages = [extension_form(client, action) for client in clients]
    responses = _at_once(
        [lambda c=c, p=p: c.post(p[0], p[1]) for c, p in zip(clients, pages, strict=True)]
    )
    assert ExtensionRequest.objects.filter(action=action).count() == 1
    assert sorted(r.status_code for r in responses) == [200] * (SUBMITS - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        assert "This action already has a pending extension request, by alice at " in _text(refused)


def test_eight_copies_of_one_extension_form_ask_once(alice, action):
    """One form sent eight times at once (one key): one request, every copy sent on to it."""
    clients = _clients(alice)
    url, data = extension_form(clients[0], action)
    responses = _at_once([lambda c=c: c.post(url, data) for c in clients])
    assert ExtensionRequest.objects.filter(action=action).count() == 1
    assert {r.status_code for r in responses} == {302}


# -- (b) an assignment of the same unit ---------------------------------------------------


def _assign_page(client, action, unit):
    url = reverse("actions:executiveaction_assign", args=[action.pk])
    data = form_fields(client.get(url).content)
    data["supporting-0-organization_unit"] = unit.pk
    return url, data


def test_eight_simultaneous_assign_pages_adding_one_unit_make_one_assignment(units, bob, action):
    """Eight Assign pages opened at the same version add the same unit: one saves, the
    others are refused as stale, naming who assigned meanwhile."""
    clients = _clients(bob)
    pages = [_assign_page(client, action, units["OFF-B1"]) for client in clients]
    responses = _at_once(
        [lambda c=c, p=p: c.post(p[0], p[1]) for c, p in zip(clients, pages, strict=True)]
    )
    assert Assignment.objects.filter(action=action).count() == 1
    assert sorted(r.status_code for r in responses) == [302] + [409] * (SUBMITS - 1)
    for refused in (r for r in responses if r.status_code == 409):
        assert "changed by bob at " in _text(refused) and "Nothing was saved" in _text(refused)


def test_eight_copies_of_one_assign_page_save_once(units, bob, action):
    clients = _clients(bob)
    url, data = _assign_page(clients[0], action, units["OFF-B1"])
    responses = _at_once([lambda c=c: c.post(url, data) for c in clients])
    assert Assignment.objects.filter(action=action).count() == 1
    assert {r.status_code for r in responses} == {302}
    assert action.history.filter(history_change_reason="Supporting units changed").count() == 1


def test_eight_simultaneous_generic_assignments_of_one_unit_make_one(units, administrator, action):
    """The generic create form does not lock the tasker: the unique index decides, and the
    losers see who assigned the unit."""
    clients = _clients(administrator)
    add = reverse("actions:assignment_add")
    pages = []
    for client in clients:
        data = form_fields(client.get(f"{add}?action={action.pk}").content)
        data["organization_unit"] = units["OFF-B1"].pk
        pages.append(data)
    responses = _at_once(
        [lambda c=c, d=d: c.post(add, d) for c, d in zip(clients, pages, strict=True)]
    )
    assert Assignment.objects.filter(action=action).count() == 1
    assert sorted(r.status_code for r in responses)[-1] == 302
    for refused in (r for r in responses if r.status_code != 302):
        assert "already assigned to the action" in _text(refused)


# -- (c) a status update: the generic create form, one form key ----------------------------


def test_eight_copies_of_one_status_update_form_create_one(alice, action):
    clients = _clients(alice)
    add = reverse("actions:statusupdate_add")
    data = form_fields(clients[0].get(f"{add}?action={action.pk}").content)
    assert data["form_key"]
    data["key_accomplishments"] = "Regional staffing model drafted."
    data["percent_complete"] = "40"
    responses = _at_once([lambda c=c: c.post(add, data) for c in clients])
    assert StatusUpdate.objects.filter(action=action).count() == 1
    assert {r.status_code for r in responses} == {302}
    assert len({r.url for r in responses}) == 1  # every copy sent where the first went
