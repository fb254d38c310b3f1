"""A form sent twice (a double click, a resubmitted page) writes once; a unique rule taken by
someone else is a form error naming who and when. The pages are read as drawn
(``tests.form_support``), so a form that forgets its one-time key fails here.

The same with eight simultaneous submits, on PostgreSQL: ``tests/test_races.py``.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.choices import AssignmentStatus, ExtensionStatus
from actions.models import Assignment, Attachment, ExtensionRequest, StatusUpdate
from execcoord.submissions import ALREADY_SUBMITTED
from tests.conftest import make_user
from tests.form_support import form_fields
from tests.workflow_support import S, action_in, extension_form

ONCE = "already submitted; it was saved once"


def _messages(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _answer_form(client, units, user, action, comment):
    """OFF-B1's supporting row on ``action``, the board's answer URL and its form as
    ``user`` opens it, filled in with a non-concurrence saying ``comment``."""
    assignment = Assignment.objects.create(action=action, organization_unit=units["OFF-B1"])
    client.force_login(user)
    url = reverse("actions:assignment_respond", args=[assignment.pk])
    data = _detail_form(client, action, url)
    data.update(status=AssignmentStatus.NON_CONCUR, comment=comment)
    return assignment, url, data


@pytest.fixture
def action(units):
    return action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])


def _detail_form(client, action, url):
    """The fields of the form on the action's page that posts to ``url``."""
    page = client.get(action.get_absolute_url()).content.decode()
    start = page.index(f'action="{url}"')
    start = page.rindex("<form", 0, start)
    return form_fields(page[start:], form_class=None)


# -- extension requests ---------------------------------------------------------------------


def test_an_extension_request_sent_twice_asks_once(client, alice, action):
    client.force_login(alice)
    url, data = extension_form(client, action)
    assert data["form_key"]
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == action.get_absolute_url()
    assert ALREADY_SUBMITTED in _messages(second)
    assert ExtensionRequest.objects.filter(action=action).count() == 1


def test_a_second_pending_request_is_a_form_error_naming_who_asked_and_when(
    client, units, alice, action
):
    colleague = make_user("dana", "Staff", units["OFF-A1"])
    client.force_login(colleague)
    url, theirs = extension_form(client, action)  # opened before alice asks
    other = Client()
    other.force_login(alice)
    assert other.post(url, extension_form(other, action)[1]).status_code == 302

    response = client.post(url, theirs)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This action already has a pending extension request, by alice at " in page
    assert ExtensionRequest.objects.filter(action=action).count() == 1
    # once it is decided, the same form asks (its key was not used up by the refusal)
    ExtensionRequest.objects.update(status=ExtensionStatus.DENIED)
    assert client.post(url, theirs).status_code == 302
    assert ExtensionRequest.objects.filter(action=action, requested_by=colleague).count() == 1


def test_a_viewer_may_not_request_an_extension(client, viewer, action):
    client.force_login(viewer)
    url = reverse("actions:executiveaction_extension", args=[action.pk])
    assert client.post(url, {"justification": "x"}).status_code == 403


# -- the action page's own forms ----------------------------------------------------------


def test_an_upload_sent_twice_attaches_once(client, alice, action):
    client.force_login(alice)
    url = reverse("actions:executiveaction_attach", args=[action.pk])
    data = _detail_form(client, action, url)
    assert data["form_key"]
    before = Attachment.objects.filter(action=action).count()
    for _ in range(2):
        posted = {**data, "title": "Response memo", "kind": "response"}
        posted["file"] = SimpleUploadedFile("memo.pdf", b"%PDF-1.4 memo", "application/pdf")
        response = client.post(url, posted)
        assert response.status_code == 302
    assert ALREADY_SUBMITTED in _messages(response)
    assert Attachment.objects.filter(action=action).count() == before + 1


def test_a_transition_sent_twice_moves_once_and_says_so(client, alice, action):
    client.force_login(alice)
    url = reverse("actions:executiveaction_transition", args=[action.pk, S.SUBMITTED])
    data = _detail_form(client, action, url)
    assert data["form_key"]
    rows = action.history.count()
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert ALREADY_SUBMITTED in _messages(second)
    assert "Not changed" not in _messages(second)
    assert action.history.count() == rows + 1


def test_an_answer_and_a_disposition_sent_twice_are_recorded_once(
    client, units, bob, charlie, action
):
    assignment, url, data = _answer_form(client, units, charlie, action, "The figures are wrong.")
    rows = assignment.history.count()
    assert client.post(url, data).status_code == 302
    assert ALREADY_SUBMITTED in _messages(client.post(url, data))
    assert assignment.history.count() == rows + 1

    client.force_login(bob)
    url = reverse("actions:assignment_disposition", args=[assignment.pk])
    data = _detail_form(client, action, url)
    data["disposition"] = "Figures corrected with the unit."
    assert client.post(url, data).status_code == 302
    assert ALREADY_SUBMITTED in _messages(client.post(url, data))
    assert assignment.history.count() == rows + 2


def test_a_refused_transition_leaves_its_key_for_the_next_try(client, units, bob):
    action = action_in(S.SUBMITTED, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    child = action_in(S.IN_PROGRESS, parent=action, lead_unit=units["OFF-A1"])
    client.force_login(bob)
    url = reverse("actions:executiveaction_transition", args=[action.pk, S.COMPLETED])
    data = _detail_form(client, action, url)
    assert "Not changed" in _messages(client.post(url, data))  # a sub-tasker is open
    child.status = S.COMPLETED
    child.completed_date = child.due_date
    child.save()
    response = client.post(url, data)
    assert ALREADY_SUBMITTED not in _messages(response)
    action.refresh_from_db()
    assert action.status == S.COMPLETED


# -- the generic create form --------------------------------------------------------------


def test_a_generic_create_form_refused_on_save_can_be_sent_again(client, units, alice, action):
    """A save refused after the key was taken gives the key back with it."""
    client.force_login(alice)
    add = reverse("actions:statusupdate_add")
    data = form_fields(client.get(f"{add}?action={action.pk}").content)
    data["key_accomplishments"] = "Drafted."
    data["percent_complete"] = "150"  # refused by the model's rule
    response = client.post(add, data)
    assert response.status_code == 200
    data["percent_complete"] = "40"
    assert client.post(add, data).status_code == 302
    assert client.post(add, data).status_code == 302  # and sent again: saved once
    assert StatusUpdate.objects.filter(action=action).count() == 1


def test_a_generic_form_refused_by_a_unique_rule_names_who_holds_the_place(
    client, units, bob, administrator, action
):
    held = Assignment(action=action, organization_unit=units["OFF-B1"])
    held._history_user = bob
    held.save()
    client.force_login(administrator)
    add = reverse("actions:assignment_add")
    data = form_fields(client.get(f"{add}?action={action.pk}").content)
    data["organization_unit"] = units["OFF-B1"].pk
    response = client.post(add, data)
    assert response.status_code == 200
    assert "This unit is already assigned to the action, by bob at " in response.content.decode()
    assert Assignment.objects.filter(action=action).count() == 1


# -- keys do not pile up -----------------------------------------------------------------------


def test_old_form_keys_are_purged_and_recent_ones_kept(alice, settings):
    from django.core.management import call_command
    from django.utils import timezone

    from execcoord.models import FormSubmission
    from execcoord.submissions import purge_expired_form_keys

    settings.FORM_KEY_MAX_AGE = 3600
    old = FormSubmission.objects.create(key="old", user=alice)
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    FormSubmission.objects.create(key="recent", user=alice)
    assert purge_expired_form_keys() == 1
    assert list(FormSubmission.objects.values_list("key", flat=True)) == ["recent"]
    later = timezone.now() + datetime.timedelta(hours=2)
    assert purge_expired_form_keys(now=later) == 1
    call_command("purge_expired")  # the cron entry point runs
    assert not FormSubmission.objects.exists()


def test_a_refused_answer_writes_nothing_says_why_and_leaves_its_key_for_the_next_try(
    client, units, charlie, action
):
    """The posts of the board and the route share one post-once mechanism: a refusal (here
    a non-concurrence without its text) is said by name, writes nothing, and the same form
    sent again, corrected, is recorded rather than taken for a repeat."""
    assignment, url, data = _answer_form(client, units, charlie, action, "")
    rows = assignment.history.count()
    refused = _messages(client.post(url, data, follow=True))
    assert "Answer not recorded: " in refused and "Answer recorded." not in refused
    assert assignment.history.count() == rows
    data["comment"] = "The figures are wrong."
    assert "Answer recorded." in _messages(client.post(url, data, follow=True))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.NON_CONCUR
    assert assignment.history.count() == rows + 1
