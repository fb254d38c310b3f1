"""Choosing the columns of a list, and keeping them in a saved view (issue 3)."""

import pytest
from django.urls import reverse

from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname


@pytest.mark.django_db
def test_chosen_columns_replace_the_default_ones(admin_client):
    ExecutiveActionFactory(title="Columns test tasker")
    url = reverse(viewname(ExecutiveAction, "list"))
    default = admin_client.get(url)
    shown = [c.name for c in default.context["table"].columns if c.visible]
    assert "title" in shown and "priority" in shown

    chosen = admin_client.get(url, {"columns": ["number", "priority"]})
    shown = [c.name for c in chosen.context["table"].columns if c.visible]
    assert shown == ["pk", "number", "priority"]
    page = chosen.content.decode()
    assert "Columns test tasker" not in page  # the title column is hidden
    assert 'name="columns" value="priority"' in page  # the filter form keeps the choice


@pytest.mark.django_db
def test_unknown_columns_are_ignored(admin_client):
    url = reverse(viewname(ExecutiveAction, "list"))
    response = admin_client.get(url, {"columns": ["nope", "__class__"]})
    assert response.status_code == 200
    shown = [c.name for c in response.context["table"].columns if c.visible]
    assert "title" in shown  # fell back to the defaults


@pytest.mark.django_db
def test_a_saved_view_keeps_filters_sort_and_columns(admin_client):
    url = reverse(viewname(ExecutiveAction, "list"))
    query = "status=draft&sort=-due_date&columns=number&columns=status"
    response = admin_client.post(
        reverse("savedview_add"),
        {
            "name": "My drafts",
            "model": "actions.executiveaction",
            "query": query,
            "sharing": "private",
            "return_url": url,
        },
    )
    assert response.status_code == 302
    page = admin_client.get(url).content.decode()
    assert f'href="?{query.replace("&", "&amp;")}"' in page
