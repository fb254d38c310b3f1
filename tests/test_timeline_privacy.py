"""A sub-tasker someone may see never names, on its timeline or history page, a tasker they
may not see: the reason written when it is completed with the tasker above it does not name
that tasker, and an action number in an older reason or in free text is shown as unseen."""

import pytest
from django.urls import reverse

from actions import services
from actions.choices import Visibility
from actions.models import ExecutiveAction
from execcoord.utils import viewname
from tests.workflow_support import S, action_in


@pytest.fixture
def family(units):
    """A restricted parent of Bureau A over an internal sub-tasker of Office B1."""
    parent = action_in(
        S.SUBMITTED,
        title="Sealed reorganisation of Bureau A",
        lead_unit=units["OFF-A1"],
        issuing_unit=units["BUR-A"],
        visibility=Visibility.RESTRICTED,
    )
    child = action_in(
        S.SUBMITTED,
        title="Office B1 staffing input",
        parent=parent,
        lead_unit=units["OFF-B1"],
        issuing_unit=units["BUR-A"],
        visibility=Visibility.INTERNAL,
    )
    return parent, child


def _pages(client, child):
    detail = client.get(child.get_absolute_url())
    history = client.get(reverse(viewname(ExecutiveAction, "history"), args=[child.pk]))
    assert detail.status_code == history.status_code == 200
    return detail.content.decode() + history.content.decode()


def test_a_sub_tasker_completed_with_a_hidden_parent_does_not_name_it(client, bob, charlie, family):
    parent, child = family
    services.transition(parent, S.COMPLETED, bob, close_children=True)
    child.refresh_from_db()
    assert child.status == S.COMPLETED
    assert not ExecutiveAction.objects.visible_to(charlie).filter(pk=parent.pk).exists()
    client.force_login(charlie)
    pages = _pages(client, child)
    assert services.COMPLETED_WITH_PARENT in pages
    assert parent.number not in pages and parent.title not in pages


def test_an_older_reason_or_a_comment_naming_a_hidden_tasker_shows_it_as_unseen(
    client, bob, charlie, family
):
    parent, child = family
    # written before the reason stopped naming the parent, and a comment that names it
    services._record_as(child, bob, f"Completed with {parent.number}")
    child.percent_complete = 90
    child.save()
    services.transition(child, S.RETURNED, bob, comment=f"Waiting for {parent.number}.")
    client.force_login(charlie)
    pages = _pages(client, child)
    assert parent.number not in pages
    assert "Completed with a tasker you cannot see" in pages
    assert "Waiting for a tasker you cannot see." in pages
    # who may see the parent reads its number
    client.force_login(bob)
    assert f"Waiting for {parent.number}." in _pages(client, child)
