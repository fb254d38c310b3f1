"""Saved list views follow the write policy (``policy.SavedViewPolicy``): saving one takes
the role's permission (viewers have none); sharing with a unit or everyone is for managers
and administrators; only the owner deletes one."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from execcoord import policy
from execcoord.models import SavedView

LIST = reverse("actions:executiveaction_list")


def _save(client, sharing, name="Mine"):
    return client.post(
        reverse("savedview_add"),
        {
            "model": "actions.executiveaction",
            "name": name,
            "sharing": sharing,
            "query": "priority=high",
            "return_url": LIST,
        },
    )


def _messages(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_viewer_may_not_save_a_view(client, viewer):
    client.force_login(viewer)
    assert _save(client, "private").status_code == 403
    assert not SavedView.objects.exists()
    assert "Save view" not in client.get(LIST).content.decode()


def test_staff_save_views_for_themselves_only(client, alice):
    client.force_login(alice)
    assert _save(client, "private").status_code == 302
    for sharing in ("unit", "everyone"):
        response = _save(client, sharing, name=f"Shared with {sharing}")
        assert "share a view with a unit or everyone" in _messages(response)
    assert list(SavedView.objects.values_list("name", "sharing")) == [("Mine", "private")]
    page = client.get(LIST).content.decode()
    assert '<option value="private">Only me</option>' in page
    assert 'value="everyone"' not in page and 'value="unit"' not in page


@pytest.mark.parametrize("who", ["bob", "administrator"])
def test_managers_and_administrators_share_views(db, client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert _save(client, "unit", name="Our unit").status_code == 302
    assert _save(client, "everyone", name="All of us").status_code == 302
    assert set(SavedView.objects.values_list("sharing", flat=True)) == {"unit", "everyone"}
    page = client.get(LIST).content.decode()
    assert 'value="everyone"' in page and 'value="unit"' in page


def test_only_the_owner_deletes_a_view(client, alice, bob):
    shared = SavedView.objects.create(
        name="Shared", model="actions.executiveaction", owner=bob, sharing="everyone"
    )
    assert not policy.may(alice, "delete", SavedView, shared)
    client.force_login(alice)
    assert client.post(reverse("savedview_delete", args=[shared.pk])).status_code == 404
    assert SavedView.objects.filter(pk=shared.pk).exists()
