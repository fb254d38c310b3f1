"""The role groups of the data migration, and that they survive transactional tests."""

import pytest
from django.contrib.auth.models import Group


@pytest.mark.django_db
def test_viewers_may_only_view_and_administrators_may_do_everything():
    viewer = set(Group.objects.get(name="Viewer").permissions.values_list("codename", flat=True))
    assert viewer and all(code.startswith("view_") for code in viewer)
    admin = Group.objects.get(name="Administrator").permissions
    assert admin.filter(codename="delete_executiveaction").exists()
    assert admin.filter(codename="change_user").exists()


@pytest.mark.django_db
def test_staff_edit_taskers_but_only_managers_delete_satellites():
    staff = Group.objects.get(name="Staff").permissions
    manager = Group.objects.get(name="Manager").permissions
    assert staff.filter(codename="change_executiveaction").exists()
    assert not staff.filter(codename="delete_statusupdate").exists()
    assert manager.filter(codename="delete_statusupdate").exists()
    assert not manager.filter(codename="delete_executiveaction").exists()


@pytest.mark.django_db(transaction=True)
def test_role_fixtures_have_their_permissions_after_a_flush(alice):
    """A transactional test flushes the groups; the fixtures bring them back."""
    assert alice.has_perm("actions.change_executiveaction")


@pytest.mark.django_db(transaction=True)
def test_role_fixtures_have_their_permissions_after_a_second_flush(alice):
    assert alice.has_perm("actions.change_executiveaction")
