"""The coordination route through the REST API (issues 16 and 19): a step added, answered,
returned and disposed of by the same services and rules as the route panel; only the
current step's office may act; a stale step is a 409."""

import pytest
from django.core.cache import cache

from actions import routing
from actions.models import RouteStep
from tests.api_support import client_for
from tests.test_routing import current_units, specs, step, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def _act(user, s, **body):
    return client_for(user).post(f"/api/v1/route-steps/{s.pk}/act/", body, format="json")


def test_a_route_runs_through_the_api_as_through_the_panel(world):  # noqa: F811
    w = world
    routing.start_route(w["action"], specs(w), w["sally"])
    review = step(w, 1, "BUR-A")

    refused = _act(w["charlie"], review, outcome="reviewed", version=review.version)
    assert refused.status_code == 403  # not charlie's office: the policy says no
    assert _act(w["bob"], review, outcome="reviewed", version=review.version).status_code == 200
    assert current_units(w) == ["OFF-B1", "OFF-C"]

    stale = _act(w["bob"], review, outcome="reviewed", version=review.version)
    assert stale.status_code in (403, 409)  # no longer current, or stale: nothing written

    concur = step(w, 2, "OFF-C")
    answered = _act(w["carol"], concur, outcome="concur", version=concur.version)
    assert answered.status_code == 200 and answered.json()["outcome"] == "concur"
    non = step(w, 2, "OFF-B1")
    empty = _act(w["charlie"], non, outcome="non_concur", comment="", version=non.version)
    assert empty.status_code == 400 and "comment" in empty.json()["errors"]
    body = {"outcome": "non_concur", "comment": "Cost unsupported", "version": non.version}
    assert _act(w["charlie"], non, **body).status_code == 200
    assert current_units(w) == []  # waiting for the lead office's disposition

    non.refresh_from_db()
    url = f"/api/v1/route-steps/{non.pk}/disposition/"
    assert (
        client_for(w["charlie"]).post(url, {"text": "x", "version": non.version}).status_code == 403
    )
    disposed = client_for(w["alice"]).post(
        url, {"text": "Estimate revised", "version": non.version}, format="json"
    )
    assert disposed.status_code == 200
    assert current_units(w) == ["BUR-A"]  # the signature

    sign = step(w, 3, "BUR-A")
    back = client_for(w["bob"]).post(
        f"/api/v1/route-steps/{sign.pk}/return/",
        {"to_position": 2, "reason": "Coordinate the new estimate", "version": sign.version},
        format="json",
    )
    assert back.status_code == 200
    assert current_units(w) == ["OFF-B1", "OFF-C"]


def test_a_step_is_added_by_who_manages_the_route(world):  # noqa: F811
    w = world
    url = f"/api/v1/taskers/{w['action'].pk}/route/"
    body = {"position": 1, "kind": "review", "organization_unit": w["units"]["BUR-A"].pk}
    assert client_for(w["charlie"]).post(url, body, format="json").status_code in (403, 404)
    added = client_for(w["alice"]).post(url, body, format="json")
    assert added.status_code == 201 and added.json()["state"] == "current"
    assert RouteStep.objects.filter(action=w["action"]).count() == 1
