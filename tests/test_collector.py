"""A server process collects garbage between requests (``execcoord.collector``, installed by
``execcoord.wsgi``): full collections leave the middle of the requests (issue 20)."""

import gc

import pytest
from django.core.signals import request_started

from execcoord import collector


@pytest.fixture
def calls(monkeypatch):
    """The collector's calls into ``gc``, recorded instead of made; the thresholds restored."""
    made = []
    monkeypatch.setattr(collector.gc, "collect", lambda *a: made.append("collect") or 0)
    monkeypatch.setattr(collector.gc, "freeze", lambda: made.append("freeze"))
    thresholds = gc.get_threshold()
    yield made
    gc.set_threshold(*thresholds)
    request_started.disconnect(dispatch_uid="execcoord-gc-between-requests")


@pytest.mark.django_db
def test_a_full_collection_runs_as_each_request_starts_and_what_survives_it_is_frozen(
    client, calls, monkeypatch
):
    monkeypatch.setattr(collector.gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(collector.BetweenRequests, "REVIEW_EVERY", 4)
    young, middle, _ = gc.get_threshold()
    collector.BetweenRequests().install()
    # the automatic full collection is made rare; the young ones run as before
    assert gc.get_threshold() == (young, middle, 1000)
    assert client.get("/accounts/login/").status_code == 200
    assert calls == []  # nothing to collect before the first request
    for _ in range(3):
        client.get("/accounts/login/")
    assert calls == ["collect", "freeze"] * 3
    client.get("/accounts/login/")  # four served: the frozen ones are collected too
    assert calls[-3:] == ["unfreeze", "collect", "freeze"]
