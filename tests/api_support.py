"""Helpers of the API tests: a token for a user, and a client that sends it."""

from rest_framework.test import APIClient

from execcoord.models import ApiToken


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
