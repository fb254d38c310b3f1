"""The model backend reads a user's own and group permissions in one query."""

import pytest
from django.contrib.auth.models import Group, Permission

from actions.demo.partners import UserFactory

pytestmark = pytest.mark.django_db


def _perm(codename):
    return Permission.objects.get(codename=codename)


def test_own_and_group_permissions_are_read_in_one_query(django_assert_num_queries):
    user = UserFactory()
    user.user_permissions.add(_perm("view_tag"))
    group = Group.objects.create(name="Tag editors")
    group.permissions.add(_perm("change_tag"))
    user.groups.add(group)
    with django_assert_num_queries(1):
        assert user.has_perm("actions.view_tag")
        assert user.has_perm("actions.change_tag")
        assert not user.has_perm("actions.delete_tag")
    assert user.get_all_permissions() >= {"actions.view_tag", "actions.change_tag"}


def test_inactive_users_have_no_permissions_and_superusers_all():
    inactive = UserFactory(is_active=False)
    inactive.user_permissions.add(_perm("view_tag"))
    assert not inactive.has_perm("actions.view_tag")
    superuser = UserFactory(is_superuser=True)
    assert superuser.has_perm("actions.delete_tag")
    assert len(superuser.get_all_permissions()) == Permission.objects.count()
