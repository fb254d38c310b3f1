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


@pytest.mark.django_db
def test_the_menu_is_built_once_per_permission_set_and_follows_a_change_of_role(
    django_assert_num_queries,
):
    """The menu of every page is kept per set of permissions: a second user of the same role
    gets it without building it again, and a user whose role changes gets their new menu
    on their next request (their permissions are read anew)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from execcoord import registry
    from partners.access import ROLE_STAFF, ROLE_VIEWER
    from tests.conftest import make_user

    def labels(user):
        return {label for _, items in registry.navigation(user) for label, _ in items}

    first, second = make_user(role=ROLE_VIEWER), make_user(role=ROLE_VIEWER)
    viewer_menu = registry.navigation(first)
    second.get_all_permissions()  # the request's one permissions query, read first
    with django_assert_num_queries(0):
        assert registry.navigation(second) is viewer_menu
    assert labels(first)  # a viewer's menu lists the models
    first.groups.clear()  # no role any more
    again = get_user_model().objects.get(pk=first.pk)  # the next request's user
    assert labels(again) == set()
    first.groups.set([Group.objects.get(name=ROLE_STAFF)])
    again = get_user_model().objects.get(pk=first.pk)
    assert labels(again) == labels(make_user(role=ROLE_STAFF))


@pytest.mark.django_db
def test_permission_answers_are_kept_as_long_as_the_permissions_read_are(monkeypatch):
    """``policy.has_perm`` asks Django once per permission and user object, and forgets its
    answers when the user's permissions are read anew (``_perm_cache`` dropped)."""
    from django.contrib.auth.models import Group

    from execcoord import policy
    from partners.access import ROLE_VIEWER
    from tests.conftest import make_user

    user = make_user(role=ROLE_VIEWER)
    asked = []
    has_perm = type(user).has_perm
    monkeypatch.setattr(
        type(user),
        "has_perm",
        lambda self, perm, obj=None: asked.append(perm) or has_perm(self, perm),
    )
    assert policy.has_perm(user, "actions.view_executiveaction")
    assert not policy.has_perm(user, "actions.delete_executiveaction")
    for _ in range(3):
        assert policy.has_perm(user, "actions.view_executiveaction")
    assert asked == ["actions.view_executiveaction", "actions.delete_executiveaction"]
    user.groups.set([])  # the role taken away; Django reads permissions anew when told so
    del user._perm_cache
    assert not policy.has_perm(user, "actions.view_executiveaction")
    user.groups.set([Group.objects.get(name=ROLE_VIEWER)])
    del user._perm_cache
    assert policy.has_perm(user, "actions.view_executiveaction")


@pytest.mark.django_db
def test_permission_answers_are_kept_for_the_requests_lazy_user(rf):
    """The request's user is a lazy object in front of the user: the answers are kept on the
    user behind it, so a page's second ask of a permission goes through no backend."""
    from django.contrib.auth import get_user_model
    from django.utils.functional import SimpleLazyObject

    from execcoord import policy
    from partners.access import ROLE_VIEWER
    from tests.conftest import make_user

    user = get_user_model().objects.get(pk=make_user(role=ROLE_VIEWER).pk)
    lazy = SimpleLazyObject(lambda: user)
    assert policy.has_perm(lazy, "actions.view_executiveaction")
    assert user._execcoord_perms[1] == {"actions.view_executiveaction": True}
