"""Close-out: the checklist enforced on approval, the close-children confirmation, on time vs
late, and the coordination board's answers, dispositions and reminders."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from actions import services
from actions.choices import AssignmentRole, AssignmentStatus, AttachmentKind
from actions.models import Assignment, Attachment, ExecutiveAction
from partners.access import ROLE_STAFF
from tests.conftest import make_user
from tests.workflow_support import S, action_in, attach


def _move(client, action, target, **data):
    return client.post(
        reverse("actions:executiveaction_transition", args=[action.pk, target]), data
    )


def _messages(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def submitted(units):
    action = action_in(S.SUBMITTED, lead_unit=units["OFF-A1"])
    Attachment.objects.filter(action=action).delete()  # no response yet
    return action


def test_approval_names_everything_the_checklist_misses(client, units, bob, submitted):
    Assignment.objects.create(
        action=submitted, organization_unit=units["OFF-B1"], role=AssignmentRole.COORDINATING
    )
    Assignment.objects.create(
        action=submitted,
        organization_unit=units["BUR-B"],
        role=AssignmentRole.COORDINATING,
        status=AssignmentStatus.NON_CONCUR,
        response="Costs are understated.",
    )
    action_in(S.IN_PROGRESS, parent=submitted, title="Open child")
    client.force_login(bob)
    text = _messages(_move(client, submitted, S.COMPLETED))
    assert "Attach the response" in text
    assert f"Waiting for: {units['OFF-B1']}." in text
    assert f"Record how the non-concurrence of {units['BUR-B']} was resolved." in text
    assert "sub-tasker(s) are still open" in text
    assert ExecutiveAction.objects.get(pk=submitted.pk).status == S.SUBMITTED
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Close-out checklist" in page and "Attach the response" in page


def test_approval_succeeds_once_the_checklist_is_complete(client, units, bob, submitted):
    answer = Assignment.objects.create(
        action=submitted,
        organization_unit=units["BUR-B"],
        status=AssignmentStatus.NON_CONCUR,
        response="Costs are understated.",
    )
    attach(submitted, kind=AttachmentKind.RESPONSE)
    client.force_login(bob)
    _move(client, submitted, S.COMPLETED)
    assert ExecutiveAction.objects.get(pk=submitted.pk).status == S.SUBMITTED
    client.post(
        reverse("actions:assignment_disposition", args=[answer.pk]),
        {"disposition": "Costs re-estimated with the CFO."},
    )
    _move(client, submitted, S.COMPLETED)
    action = ExecutiveAction.objects.get(pk=submitted.pk)
    assert action.status == S.COMPLETED
    assert action.completed_on_time is True and action.completed_on_time_original is True


def test_completing_with_open_children_needs_the_explicit_confirmation(
    client, units, bob, submitted
):
    attach(submitted)
    child = action_in(S.SUBMITTED, parent=submitted, lead_unit=units["OFF-A1"])
    attach(child)
    client.force_login(bob)
    _move(client, submitted, S.COMPLETED)
    assert ExecutiveAction.objects.get(pk=child.pk).status == S.SUBMITTED
    _move(client, submitted, S.COMPLETED, close_children="on")
    assert ExecutiveAction.objects.get(pk=submitted.pk).status == S.COMPLETED
    assert ExecutiveAction.objects.get(pk=child.pk).status == S.COMPLETED


def test_a_sub_tasker_not_ready_on_its_own_is_not_completed_with_its_parent(
    client, units, bob, submitted
):
    """Completing a parent "with its sub-taskers" does not skip what each would need alone:
    a child never started, or one without its response, stops the parent's completion."""
    attach(submitted)
    started = action_in(S.IN_PROGRESS, parent=submitted, lead_unit=units["OFF-A1"])
    unanswered = action_in(S.SUBMITTED, parent=submitted, lead_unit=units["OFF-A1"])
    Attachment.objects.filter(action=unanswered).delete()
    client.force_login(bob)
    response = _move(client, submitted, S.COMPLETED, close_children="on")
    said = _messages(response)
    assert f"{started.number} is “In progress”" in said
    assert f"{unanswered.number}: A response is attached: no." in said
    statuses = set(
        ExecutiveAction.objects.filter(
            pk__in=[submitted.pk, started.pk, unanswered.pk]
        ).values_list("status", flat=True)
    )
    assert statuses == {S.SUBMITTED, S.IN_PROGRESS}


def test_late_completion_is_recorded_against_both_suspense_dates(units, bob):
    action = action_in(
        S.SUBMITTED,
        lead_unit=units["OFF-A1"],
        issue_date=datetime.date.today() - datetime.timedelta(days=40),
        due_date=datetime.date.today() - datetime.timedelta(days=1),
        original_due_date=datetime.date.today() - datetime.timedelta(days=10),
    )
    services.transition(action, S.COMPLETED, bob, strict=True)
    assert (action.completed_on_time, action.completed_on_time_original) == (False, False)


def test_return_needs_nothing_and_keeps_the_comment(client, units, bob, submitted):
    client.force_login(bob)
    _move(client, submitted, S.RETURNED, comment="Add the cost table.")
    latest = submitted.history.order_by("-history_id").first()
    assert (latest.status, latest.history_change_reason) == (S.RETURNED, "Add the cost table.")


# --- coordination board ------------------------------------------------------------------------


def test_a_supporting_units_member_records_its_answer_from_the_board(
    client, units, alice, charlie, submitted
):
    answer = Assignment.objects.create(action=submitted, organization_unit=units["OFF-B1"])
    url = reverse("actions:assignment_respond", args=[answer.pk])
    client.force_login(alice)  # lead unit staff, not the supporting unit
    assert client.post(url, {"status": "concur"}).status_code == 403
    client.force_login(charlie)
    response = client.post(url, {"status": "non_concur", "comment": ""})
    assert "needs its text" in _messages(response)
    client.post(url, {"status": "non_concur", "comment": "Costs are understated."})
    answer.refresh_from_db()
    assert (answer.status, answer.response) == (
        AssignmentStatus.NON_CONCUR,
        "Costs are understated.",
    )
    assert answer.responded_at is not None
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Non-concur" in page and "Costs are understated." in page


def _member(units, code, name):
    """A signed-in member of unit ``code`` (reminders reach people who may see the tasker)."""
    return make_user(name, ROLE_STAFF, units[code]).person


def test_reminders_go_to_those_who_have_not_answered_once_a_day(
    client, units, alice, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    b1 = _member(units, "OFF-B1", "bee")
    waiting = Assignment.objects.create(
        action=submitted, organization_unit=units["OFF-B1"], person=b1
    )
    Assignment.objects.create(
        action=submitted,
        organization_unit=units["BUR-B"],
        person=_member(units, "BUR-B", "burb"),
        status=AssignmentStatus.CONCUR,
    )
    client.force_login(alice)
    url = reverse("actions:executiveaction_remind", args=[submitted.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mailoutbox] == [[b1.email]]
    waiting.refresh_from_db()
    assert waiting.last_reminded_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert len(mailoutbox) == 1
    assert "already reminded today" in _messages(response)


def test_the_board_shows_an_overdue_unit(client, units, bob, submitted):
    Assignment.objects.create(
        action=submitted,
        organization_unit=units["OFF-B1"],
        due_date=datetime.date.today() - datetime.timedelta(days=2),
    )
    client.force_login(bob)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-danger">Overdue</span>' in page


def _confidential_child(units, parent):
    """An open sub-tasker of another office that names no one: bob may not see it."""
    from actions.choices import Visibility

    return action_in(
        S.IN_PROGRESS,
        parent=parent,
        visibility=Visibility.CONFIDENTIAL,
        lead_unit=units["OFF-B1"],
        accountable_person=None,
        issued_by=None,
        executive_sponsor=None,
    )


def test_the_checklist_counts_the_open_sub_taskers_a_reader_may_not_see(units, bob, submitted):
    shown = action_in(S.IN_PROGRESS, parent=submitted, lead_unit=units["OFF-A1"])
    hidden = _confidential_child(units, submitted)
    assert not ExecutiveAction.objects.visible_to(bob).filter(pk=hidden.pk).exists()
    missing = dict((label, text) for label, _, text in services.closeout_checklist(submitted))
    assert hidden.number in missing["Every sub-tasker is closed"]
    seen = services.closeout_checklist(submitted, user=bob)
    text = dict((label, text) for label, _, text in seen)["Every sub-tasker is closed"]
    assert shown.number in text and hidden.number not in text
    assert "1 sub-tasker you cannot see" in text


def test_remind_on_a_title_with_a_line_break_sends_a_one_line_subject(
    client, units, alice, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    # a title stored before titles refused line breaks
    ExecutiveAction.objects.filter(pk=submitted.pk).update(title="Budget\r\nreview")
    Assignment.objects.create(
        action=submitted,
        organization_unit=units["OFF-B1"],
        person=_member(units, "OFF-B1", "bee"),
    )
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("actions:executiveaction_remind", args=[submitted.pk]))
    assert len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject and "Budget review" in mailoutbox[0].subject


def test_remind_when_the_mail_server_fails_keeps_the_mail_for_later(
    client, units, alice, submitted, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """The page no longer waits on the mail server: the reminder is recorded, the e-mail
    that the server refused stays pending (a dead letter on the immediate queue, retried
    with backoff on a real one), and the next sweep sends it once the server answers."""
    from django.core.management import call_command

    from actions.choices import MailState
    from actions.models import Notification
    from execcoord.models import DeadLetter

    waiting = Assignment.objects.create(
        action=submitted,
        organization_unit=units["OFF-B1"],
        person=_member(units, "OFF-B1", "bee"),
    )
    send = __import__("django.core.mail", fromlist=["x"]).EmailMultiAlternatives.send

    def refuse(self, *args, **kwargs):
        raise TimeoutError("timed out")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("actions:executiveaction_remind", args=[submitted.pk]), follow=True
        )
    assert response.status_code == 200
    assert "Reminded: " in _messages(response)
    waiting.refresh_from_db()
    assert waiting.last_reminded_at is not None
    [note] = Notification.objects.filter(recipient=waiting.person)
    assert note.mail_state == MailState.PENDING
    assert DeadLetter.objects.filter(task_path="actions.notifications.deliver").exists()
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", send)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications", "--older-than", "0")
    assert [m.to for m in mailoutbox] == [[waiting.person.email]]
    note.refresh_from_db()
    assert note.mail_state == MailState.SENT


def test_the_page_checklist_reads_the_loaded_rows_and_says_what_the_stored_one_says(
    rf, units, bob, submitted
):
    """The tasker page gives the checklist the rows it loaded; the items must be the ones
    the database gives (a response, coordinating answers, hidden sub-taskers counted)."""
    from actions import panels
    from actions.choices import AttachmentKind
    from execcoord.panels import load_panel_data

    Assignment.objects.create(
        action=submitted, organization_unit=units["OFF-B1"], role=AssignmentRole.COORDINATING
    )
    action_in(S.IN_PROGRESS, parent=submitted, lead_unit=units["OFF-A1"])
    _confidential_child(units, submitted)
    request = rf.get("/")
    request.user = bob

    def page_checklist():
        action = ExecutiveAction.objects.get(pk=submitted.pk)
        workflow_panel = panels._own_panels()[0]  # reads ``page_querysets``
        data = load_panel_data([workflow_panel], request, action)
        return services.closeout_checklist(action, user=bob, page=data)

    stored = services.closeout_checklist(ExecutiveAction.objects.get(pk=submitted.pk), user=bob)
    assert page_checklist() == stored
    assert not stored[0][1] and "1 sub-tasker you cannot see" in stored[3][2]
    from actions.demo.actions import AttachmentFactory

    AttachmentFactory(action=submitted, kind=AttachmentKind.RESPONSE)
    stored = services.closeout_checklist(ExecutiveAction.objects.get(pk=submitted.pk), user=bob)
    assert stored[0][1] and page_checklist() == stored
