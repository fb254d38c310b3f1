"""Fixtures of the generic-view tests: a signed-in superuser (roles come in a later step)."""

import pytest


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.gov", "x" * 20)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
