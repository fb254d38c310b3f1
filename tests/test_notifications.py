"""The notification table (``actions.notifications.EVENTS``) as a test: each event tells
exactly the people its row names, nothing is told of a draft, preferences are honoured and
the mandatory kinds always go; the e-mail itself, its idempotency, the digest and the
bell's pages."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from actions import coordination, notifications, services
from actions.choices import AssignmentRole, Delivery, MailState, Visibility
from actions.choices import NotificationKind as K
from actions.demo.actions import NotificationFactory
from actions.models import (
    Assignment,
    ExtensionRequest,
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from execcoord.models import IdempotencyKey
from partners.access import ROLE_ADMIN, ROLE_MANAGER, ROLE_STAFF
from tests.conftest import make_user
from tests.workflow_support import S, action_in


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the block queues after its commit (the immediate queue, in the test's
    transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def cast(units, bob):
    """The people of one tasker led by OFF-A1 (its manager: BUR-A's bob), accountable
    ``acc``, issued by ``iss`` of BUR-B (managed by ``bmgr``), supported by OFF-B1 with
    ``sup`` named, and changed by the administrator ``ada``."""
    people = {
        "bob": bob,
        "acc": make_user("acc", ROLE_STAFF, units["OFF-A1"]),
        "iss": make_user("iss", ROLE_STAFF, units["BUR-B"]),
        "bmgr": make_user("bmgr", ROLE_MANAGER, units["BUR-B"]),
        "sup": make_user("sup", ROLE_STAFF, units["OFF-B1"]),
        "ada": make_user("ada", ROLE_ADMIN, units["AGENCY"]),
    }
    units["BUR-B"].manager = people["bmgr"].person
    units["BUR-B"].save()
    return people


def _tasker(units, cast, status=S.IN_PROGRESS, **fields):
    action = action_in(
        status,
        lead_unit=units["OFF-A1"],
        accountable_person=cast["acc"].person,
        issuing_unit=units["BUR-B"],
        issued_by=cast["iss"].person,
        **fields,
    )
    assignment = Assignment.objects.create(
        action=action,
        organization_unit=units["OFF-B1"],
        person=cast["sup"].person,
        role=AssignmentRole.COORDINATING,
    )
    return action, assignment


def _told(event):
    return {n.recipient.user.username for n in event.notifications.select_related("recipient")}


# The table, as the people it names (the documentation's table says the same).
EXPECTED = {
    K.ISSUED: {"bob", "acc"},
    K.ASSIGNED: {"acc"},
    K.SUPPORTING_ADDED: {"sup"},
    K.ROUTE_STEP: {"sup"},
    K.COORDINATION_REMINDER: {"sup"},
    K.EXTENSION_REQUESTED: {"bob"},
    K.EXTENSION_APPROVED: {"acc"},
    K.EXTENSION_DENIED: {"acc"},
    K.RETURNED: {"bob", "acc"},
    K.APPROVED: {"bob", "acc"},
    K.COMPLETED: {"iss", "sup"},
    K.CANCELLED: {"bob", "acc", "sup"},
    K.SUSPENSE_CHANGED: {"bob", "acc", "sup"},
    K.MENTIONED: {"sup", "iss"},
    K.OVERDUE: {"acc"},
    K.ESCALATED: {"bob"},
    # a person's own background work: told by notify_user (tests/test_background_*.py)
    K.EXPORT_READY: {"acc"},
    K.IMPORT_FINISHED: {"acc"},
}


def test_the_table_has_a_row_for_every_kind_and_the_test_covers_each():
    assert set(notifications.EVENTS) == set(K.values) == set(EXPECTED)


def _facts(kind, action, assignment, cast):
    if kind in (K.EXTENSION_APPROVED, K.EXTENSION_DENIED, K.EXTENSION_REQUESTED):
        request = ExtensionRequest.objects.create(
            action=action,
            requested_by=cast["acc"],
            current_due_date=action.due_date,
            requested_due_date=action.due_date + datetime.timedelta(7),
            justification="More time",
        )
        return {"extension_id": request.pk}
    if kind in (K.SUPPORTING_ADDED, K.COORDINATION_REMINDER):
        return {"assignment_ids": [assignment.pk]}
    if kind == K.ROUTE_STEP:
        return {"person_id": cast["sup"].person.pk}
    if kind == K.MENTIONED:
        return {"person_ids": [cast["sup"].person.pk, cast["iss"].person.pk]}
    if kind in (K.OVERDUE, K.EXPORT_READY, K.IMPORT_FINISHED):
        return {"person_ids": [cast["acc"].person.pk]}
    if kind == K.ESCALATED:
        return {"person_ids": [cast["bob"].person.pk]}
    return {}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_event_tells_exactly_the_people_of_its_row(kind, units, cast, run_tasks):
    action, assignment = _tasker(units, cast)
    with run_tasks():
        event = notifications.notify(
            kind, action, actor=cast["ada"], **_facts(kind, action, assignment, cast)
        )
    assert _told(event) == EXPECTED[kind]


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_nothing_is_told_of_a_draft(kind, units, cast, run_tasks):
    action, assignment = _tasker(units, cast, status=S.DRAFT)
    with run_tasks():
        event = notifications.notify(
            kind, action, actor=cast["ada"], **_facts(kind, action, assignment, cast)
        )
    assert event is None
    assert not NotificationEvent.objects.exists() and not Notification.objects.exists()


def test_who_made_the_change_is_not_told(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    with run_tasks():
        event = notifications.notify(K.RETURNED, action, actor=cast["bob"])
    assert _told(event) == {"acc"}


def test_a_route_step_without_a_person_goes_to_its_units_managers(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    with run_tasks():
        event = notifications.route_step_now_yours(action, unit=units["OFF-B1"], actor=cast["ada"])
    assert _told(event) == {"bmgr"}  # OFF-B1 has no manager: BUR-B's


def test_someone_who_may_not_see_the_tasker_is_not_told(units, cast, charlie, run_tasks):
    action, _ = _tasker(units, cast, visibility=Visibility.CONFIDENTIAL)
    outsider = make_user("outsider", ROLE_STAFF, units["BUR-B"])
    with run_tasks():
        event = notifications.notify(
            K.MENTIONED, action, actor=cast["ada"], person_ids=[outsider.person.pk]
        )
    assert _told(event) == set()
    assert mail.outbox == []


# --- the workflow's changes say what happened ---------------------------------------------


def _kinds():
    return sorted(NotificationEvent.objects.values_list("kind", flat=True))


def test_issuing_tells_the_lead_office_and_the_supporting_units_now(units, cast, run_tasks):
    action, _ = _tasker(units, cast, status=S.DRAFT)
    with run_tasks():
        # a draft's assignment, suspense and reminders tell nobody
        services.change_due_date(
            action, action.due_date + datetime.timedelta(1), cast["bob"], "Moved"
        )
        coordination.remind_supporting_units(action, cast["bob"])
    assert _kinds() == [] and mail.outbox == []
    with run_tasks():
        services.transition(action, S.NOT_STARTED, cast["bob"])
    assert _kinds() == [K.ISSUED, K.SUPPORTING_ADDED]
    assert {m.to[0] for m in mail.outbox} == {cast["acc"].person.email, cast["sup"].person.email}


def test_cancelling_a_draft_tells_nobody(units, cast, run_tasks):
    action, _ = _tasker(units, cast, status=S.DRAFT)
    with run_tasks():
        services.transition(action, S.CANCELLED, cast["bob"])
    assert _kinds() == []


def test_extension_request_and_decision_and_the_suspense_they_move(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    with run_tasks():
        request = services.request_extension(
            action,
            cast["acc"],
            requested_due_date=action.due_date + datetime.timedelta(5),
            justification="Waiting on data",
        )
    assert _kinds() == [K.EXTENSION_REQUESTED]
    with run_tasks():
        services.decide_extension(request, cast["bob"], approve=True)
    assert _kinds() == [K.EXTENSION_APPROVED, K.EXTENSION_REQUESTED, K.SUSPENSE_CHANGED]
    moved = NotificationEvent.objects.get(kind=K.SUSPENSE_CHANGED)
    note = moved.notifications.first()
    assert "moved the suspense from" in note.message


def test_return_and_approval(units, cast, run_tasks):
    action, _ = _tasker(units, cast, status=S.SUBMITTED)
    with run_tasks():
        services.transition(action, S.RETURNED, cast["bob"])
    assert _kinds() == [K.RETURNED]


def test_a_status_update_mentioning_someone_tells_them(units, cast, run_tasks):
    from actions.models import StatusUpdate

    action, _ = _tasker(units, cast)
    update = StatusUpdate(action=action, notes="Need input from @sup and @ISS on costs.")
    with run_tasks():
        services.post_status_update(update, cast["acc"])
    event = NotificationEvent.objects.get(kind=K.MENTIONED)
    assert _told(event) == {"sup", "iss"}


def test_mentions_match_sign_in_names_and_address_local_parts(units, cast):
    cast["sup"].person.email = "s.upport@agency.gov"
    cast["sup"].person.save()
    found = notifications.mentioned_people("cc @s.upport and @acc, not a@b.gov nor @nobody")
    assert found == {cast["sup"].person.pk, cast["acc"].person.pk}


# --- preferences ---------------------------------------------------------------------------


def _prefer(user, kind, delivery):
    NotificationPreference.objects.update_or_create(
        person=user.person, kind=kind, defaults={"delivery": delivery}
    )


def test_preferences_are_honoured_and_every_notification_is_listed(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    _prefer(cast["acc"], K.CANCELLED, Delivery.OFF)
    _prefer(cast["sup"], K.CANCELLED, Delivery.DIGEST)
    with run_tasks():
        event = notifications.notify(K.CANCELLED, action, actor=cast["ada"])
    states = {
        n.recipient.user.username: n.mail_state
        for n in event.notifications.select_related("recipient__user")
    }
    assert states == {"bob": MailState.SENT, "acc": MailState.NONE, "sup": MailState.DIGEST}
    assert [m.to[0] for m in mail.outbox] == [cast["bob"].person.email]
    with run_tasks():
        call_command("send_notifications", "--digest")
    assert [m.to[0] for m in mail.outbox][1:] == [cast["sup"].person.email]
    assert action.title in mail.outbox[1].body
    with run_tasks():
        call_command("send_notifications", "--digest")  # the same day again: nothing more
    assert len(mail.outbox) == 2


def test_mandatory_kinds_cannot_be_turned_off(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    _prefer(cast["bob"], K.ESCALATED, Delivery.OFF)
    with run_tasks():
        event = notifications.notify(
            K.ESCALATED, action, actor=cast["ada"], person_ids=[cast["bob"].person.pk]
        )
    assert _told(event) == {"bob"}
    assert notifications.deliveries([cast["bob"].person.pk], K.ESCALATED) == {
        cast["bob"].person.pk: Delivery.DIGEST
    }


# --- the e-mail ---------------------------------------------------------------------------


def test_the_email_has_the_number_title_suspense_one_link_and_an_unsubscribe_link(
    units, cast, run_tasks, settings
):
    settings.SITE_URL = "https://ec.agency.example"
    action, _ = _tasker(units, cast)
    with run_tasks():
        notifications.notify(K.RETURNED, action, actor=cast["ada"])
    message = next(m for m in mail.outbox if m.to == [cast["acc"].person.email])
    link = f"https://ec.agency.example{action.get_absolute_url()}"
    preferences = f"https://ec.agency.example{reverse('notification_preferences')}"
    assert action.number in message.subject and action.title in message.body
    assert f"Suspense: {action.due_date:%-d %b %Y}" in message.body
    assert message.body.count("https://") == 2 and link in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{preferences}>"
    html, kind = message.alternatives[0]
    assert kind == "text/html" and f'href="{link}"' in html and preferences in html


def test_an_email_is_sent_once_however_often_its_task_runs(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    with run_tasks():
        event = notifications.notify(K.RETURNED, action, actor=cast["ada"])
    sent = len(mail.outbox)
    note = event.notifications.first()
    with run_tasks():
        notifications.deliver.enqueue(note.pk)
        notifications.fan_out.enqueue(event.pk)
    assert len(mail.outbox) == sent
    assert IdempotencyKey.objects.filter(key=note.mail_key).count() == 1
    # a key already taken (a run that sent and committed) stops a row put back to pending
    Notification.objects.filter(pk=note.pk).update(mail_state=MailState.PENDING)
    with run_tasks():
        notifications.deliver.enqueue(note.pk)
    assert len(mail.outbox) == sent


def test_writing_an_event_costs_two_queries_in_the_request(
    units, cast, django_assert_max_num_queries
):
    action, _ = _tasker(units, cast)
    user = cast["ada"]
    with django_assert_max_num_queries(2):  # the actor's person, the event row
        notifications.notify(K.RETURNED, action, actor=user)


# --- the pages ------------------------------------------------------------------------------


def test_the_bells_number_is_what_visible_to_shows_unread_in_one_query(
    units, cast, django_assert_num_queries
):
    """The bell's count (compiled once, run with each user's id) equals the unread
    notifications ``visible_to`` shows each user; a deactivated user's is 0 without asking."""
    from django.utils import timezone

    action, _ = _tasker(units, cast)
    for _ in range(3):
        NotificationFactory(recipient=cast["acc"].person, action=action)
    NotificationFactory(recipient=cast["acc"].person, action=action, read_at=timezone.now())
    NotificationFactory(recipient=cast["bob"].person, action=action)
    expected = {"acc": 3, "bob": 1, "sup": 0}
    for name, count in expected.items():
        user = cast[name]
        assert Notification.objects.visible_to(user).unread().count() == count
        with django_assert_num_queries(1):
            assert notifications.unread_count(user) == count
    cast["acc"].is_active = False
    with django_assert_num_queries(0):
        assert notifications.unread_count(cast["acc"]) == 0


def test_the_list_shows_only_my_own_and_marks_read(client, units, cast):
    action, _ = _tasker(units, cast)
    mine = NotificationFactory(recipient=cast["acc"].person, action=action)
    NotificationFactory(recipient=cast["acc"].person, action=action)
    theirs = NotificationFactory(recipient=cast["bob"].person, action=action)
    client.force_login(cast["acc"])
    page = client.get(reverse("notifications")).content.decode()
    assert "Notifications, 2 unread" in page
    assert page.count('action="/notifications/') == 3  # two "mark read", one "mark all"
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notification_read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "Notifications, 1 unread" in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notification_read_all"))
    assert notifications.unread_count(cast["acc"]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notification_read_all")).status_code == 405


def test_a_notification_about_a_tasker_i_can_no_longer_see_is_not_listed(client, units, cast):
    action, _ = _tasker(units, cast, visibility=Visibility.CONFIDENTIAL)
    outsider = make_user("outsider", ROLE_STAFF, units["BUR-B"])
    NotificationFactory(recipient=outsider.person, action=action)
    client.force_login(outsider)
    page = client.get(reverse("notifications")).content.decode()
    assert action.title not in page and "No notifications yet." in page


def test_the_preferences_page_saves_and_keeps_mandatory_kinds_on(client, units, cast):
    client.force_login(cast["acc"])
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'for="kind-issued"' in page and "Always sent" in page
    client.post(
        reverse("notification_preferences"),
        {"kind-issued": Delivery.DIGEST, "kind-escalated": Delivery.OFF},
    )
    chosen = dict(
        NotificationPreference.objects.filter(person=cast["acc"].person).values_list(
            "kind", "delivery"
        )
    )
    assert chosen[K.ISSUED] == Delivery.DIGEST
    assert chosen[K.ESCALATED] == Delivery.DIGEST  # mandatory: not off
    assert chosen[K.RETURNED] == Delivery.IMMEDIATE
    assert "Notification choices" in client.get(reverse("home")).content.decode()


def test_a_suspense_edited_on_the_form_tells_the_same_people(units, cast, run_tasks):
    action, _ = _tasker(units, cast)
    action._history_user = cast["ada"]
    action.due_date = action.due_date + datetime.timedelta(3)
    with run_tasks():
        action.save()
    event = NotificationEvent.objects.get(kind=K.SUSPENSE_CHANGED)
    assert _told(event) == EXPECTED[K.SUSPENSE_CHANGED]
