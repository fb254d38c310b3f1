"""No path overwrites a newer edit: every save is a compare-and-swap on ``version``.

The generic edit page, bulk edit and admin refuse a form opened at an older version (or with
no version at all) and name who changed what; the database write itself is guarded too, so
two saves from the same version cannot both land, whatever the interleaving.
"""

import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from actions.choices import ActionStatus, Priority
from actions.demo.actions import ExecutiveActionFactory
from actions.demo.partners import AccountFactory
from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.models import StaleEdit
from execcoord.utils import viewname
from tests.generic.model_data import form_data

pytestmark = pytest.mark.django_db


def edit_url(obj):
    return reverse(viewname(type(obj), "edit"), args=[obj.pk])


def test_a_save_from_an_older_read_is_refused_by_the_database_write():
    account = AccountFactory(city="Albany")
    first = type(account).objects.get(pk=account.pk)
    second = type(account).objects.get(pk=account.pk)
    first.city = "Boston"
    first.save()
    second.city = "Chicago"
    with pytest.raises(StaleEdit), transaction.atomic():
        second.save()
    account.refresh_from_db()
    assert (account.city, account.version) == ("Boston", 2)
    assert second.version == 1  # unchanged: the refused save took nothing


def test_every_save_grows_the_version_and_a_link_too(administrator):
    action = ExecutiveActionFactory(title="Briefing")
    assert action.version == 1
    action.title = "Briefing, revised"
    action.save()
    assert action.version == 2
    tag = registry.get("actions.tag").model.objects.create(name="budget")
    action.tags.add(tag)
    action.refresh_from_db()
    assert action.version == 3
    assert action.history.latest().history_change_reason == "Linked tags: budget"
    # the other side of the link changes the action too
    tag.actions.remove(action)
    action.refresh_from_db()
    assert action.version == 4
    assert action.history.latest().history_change_reason == "Unlinked tags: budget"


def test_an_edit_form_without_its_version_is_stale(client, administrator):
    account = AccountFactory(city="Albany")
    client.force_login(administrator)
    data, _ = form_data(registry.get(account).form, account, administrator)
    data.pop("concurrency_token")
    data["city"] = "Boston"
    response = client.post(edit_url(account), data)
    assert response.status_code == 409
    account.refresh_from_db()
    assert account.city == "Albany"


def test_the_second_of_two_edits_from_one_version_is_refused_and_names_who(
    client, alice, bob, administrator
):
    action = ExecutiveActionFactory(lead_unit=alice.person.organization_unit)
    form = registry.get(action).form
    alice_data, _ = form_data(form, action, alice)
    bob_data, _ = form_data(form, action, administrator)
    client.force_login(alice)
    alice_data["title"] = "Alice's title"
    assert client.post(edit_url(action), alice_data).status_code == 302
    client.force_login(administrator)
    bob_data["priority"] = Priority.CRITICAL
    response = client.post(edit_url(action), bob_data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "alice" in page and "Title" in page
    action.refresh_from_db()
    assert (action.title, action.priority) == ("Alice's title", Priority.MEDIUM)


def test_bulk_edit_refuses_a_record_changed_after_the_page_showed_it(client, administrator):
    first = ExecutiveActionFactory(priority=Priority.LOW)
    second = ExecutiveActionFactory(priority=Priority.LOW)
    client.force_login(administrator)
    page = client.post(reverse("actions:executiveaction_bulk_edit"), {"pk": [first.pk, second.pk]})
    versions = {f"version_{pk}": v for pk, v in page.context["versions"]}
    # someone edits the second record after the bulk page was opened
    stored = ExecutiveAction.objects.get(pk=second.pk)
    stored.title = "Edited meanwhile"
    stored.save()
    response = client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {"pk": [first.pk, second.pk], **versions, "priority": Priority.HIGH, "_apply": "1"},
    )
    assert response.status_code == 200
    assert "since this page was opened" in response.content.decode()
    priorities = set(
        ExecutiveAction.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "priority", flat=True
        )
    )
    assert priorities == {Priority.LOW}  # all or nothing
    assert ExecutiveAction.objects.get(pk=second.pk).title == "Edited meanwhile"


def test_bulk_edit_changes_only_the_fields_chosen(client, administrator):
    action = ExecutiveActionFactory(
        priority=Priority.LOW, visibility="confidential", health="on_track"
    )
    client.force_login(administrator)
    page = client.post(reverse("actions:executiveaction_bulk_edit"), {"pk": [action.pk]})
    html = page.content.decode()
    assert "— no change —" in html
    # the form opens on "no change" for every field, never on a model default
    for name in page.context["form"].fields:
        assert page.context["form"][name].value() in (None, "", [], "unknown"), name
    client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {
            "pk": [action.pk],
            f"version_{action.pk}": action.version,
            "health": "at_risk",
            "priority": "",
            "visibility": "",
            "_apply": "1",
        },
    )
    action.refresh_from_db()
    assert (action.health, action.priority, action.visibility) == (
        "at_risk",
        Priority.LOW,
        "confidential",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_version_cannot_both_land():
    """Two threads read the same version and write at once: exactly one write lands."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between two connections")
    action = ExecutiveActionFactory(status=ActionStatus.DRAFT, title="Original")
    barrier = threading.Barrier(2)
    results = []

    def save(title):
        try:
            obj = ExecutiveAction.objects.get(pk=action.pk)
            barrier.wait()
            obj.title = title
            obj.save()
            results.append(title)
        except StaleEdit:
            results.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count("stale") == 1
    action.refresh_from_db()
    assert action.title in ("First", "Second") and action.version == 2
