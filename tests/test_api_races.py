"""Simultaneous API calls, each from its own thread and database connection (PostgreSQL):
a move is made exactly once, and two edits from the same version save one (the other is a
409 naming the changed field) — as ``tests/test_races.py`` holds the pages to it."""

import pytest
from django.core.cache import cache
from django.db import connection

from actions.models import ExecutiveAction
from tests.api_support import client_for, token_for
from tests.test_races import _at_once
from tests.workflow_support import S, action_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): SQLite lets only one writer in at a time",
    ),
    pytest.mark.django_db(transaction=True),
]

CALLS = 8


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()


def _clients(user):
    secrets = [token_for(user, f"race {i}")[1] for i in range(CALLS)]
    clients = [client_for(secret=secret) for secret in secrets]
    for client in clients:
        client.raise_request_exception = False
    return clients


def test_a_transition_is_made_exactly_once(alice, units):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    url = f"/api/v1/taskers/{action.pk}/transition/"
    responses = _at_once(
        [
            lambda c=c: c.post(url, {"target": "submitted", "comment": "Done"}, format="json")
            for c in _clients(alice)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (CALLS - 1), codes
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.status == S.SUBMITTED
    moves = stored.history.filter(status=S.SUBMITTED, history_change_reason="Done")
    assert moves.count() == 1 and moves.get().history_user == alice


def test_simultaneous_edits_from_one_version_save_once(alice, units):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    url = f"/api/v1/taskers/{action.pk}/"
    version = action.version
    clients = _clients(alice)
    responses = _at_once(
        [
            lambda c=c, i=i: c.patch(url, {"notes": f"note {i}", "version": version}, format="json")
            for i, c in enumerate(clients)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (CALLS - 1), codes
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.notes == winner["notes"] and stored.version == version + 1
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["changed"] in (["Notes"], ["notes"], [])
