"""Helpers of the API tests: a token for a user, a client that sends it, and the fixtures
the API's test modules share (import them into the module to use them)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from actions.choices import SecurityClassification, Visibility
from execcoord.models import ApiToken
from tests.workflow_support import S, action_in

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Each test starts with no request counted against the per-token throttle."""
    cache.clear()


@pytest.fixture
def action(units):
    """In progress, led by OFF-A1 (alice), issued by BUR-A (bob manages it)."""
    return action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])


@pytest.fixture
def restricted(units):
    """Restricted to BUR-A's people: charlie (OFF-B1) is a stranger to it."""
    return action_in(
        S.IN_PROGRESS,
        lead_unit=units["OFF-A1"],
        issuing_unit=units["BUR-A"],
        visibility=Visibility.RESTRICTED,
        security_classification=SecurityClassification.UNCLASSIFIED,
    )


def token_for(user, name="tests", **kwargs):
    """A new API token of ``user``: ``(ApiToken, secret)``."""
    return ApiToken.issue(user, name, **kwargs)


def client_for(user=None, secret=None):
    """An API client authenticated with a new token of ``user`` (or with ``secret``)."""
    if secret is None and user is not None:
        _, secret = token_for(user)
    client = APIClient()
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
