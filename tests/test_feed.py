"""The private iCalendar feed: exactly the user's open taskers, refused with a wrong token."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from actions.choices import ActionStatus, Visibility
from actions.demo.actions import AssignmentFactory, ExecutiveActionFactory
from actions.models import CalendarFeedToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(units, alice, charlie):
    today = datetime.date.today()
    mine = ExecutiveActionFactory(
        title="Mine",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        status=ActionStatus.IN_PROGRESS,
        due_date=today + datetime.timedelta(days=3),
    )
    assigned = ExecutiveActionFactory(
        title="Assigned",
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        status=ActionStatus.NOT_STARTED,
        due_date=today + datetime.timedelta(days=9),
    )
    AssignmentFactory(action=assigned, organization_unit=units["OFF-A1"], person=alice.person)
    ExecutiveActionFactory(  # done: not in the feed
        title="Done",
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        status=ActionStatus.COMPLETED,
        due_date=today,
        issue_date=today,
        completed_date=today,
    )
    ExecutiveActionFactory(  # someone else's
        title="Theirs",
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        status=ActionStatus.IN_PROGRESS,
    )
    token = CalendarFeedToken.objects.create(user=alice)
    return token, {mine.pk, assigned.pk}


def test_feed_parses_and_lists_exactly_my_open_taskers(client, feed):
    token, expected = feed
    response = client.get(reverse("calendar_feed", args=[token.token]))  # not signed in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    uids = {int(str(e["UID"]).split("@")[0].removeprefix("action-")) for e in events}
    assert uids == expected
    for event in events:
        assert isinstance(event.decoded("DTSTART"), datetime.date)
        assert not isinstance(event.decoded("DTSTART"), datetime.datetime)  # all-day
        assert "/actions/executive-actions/" in str(event["URL"])


def test_a_wrong_or_revoked_token_is_refused(client, feed):
    token, _ = feed
    assert client.get(reverse("calendar_feed", args=["not-the-token"])).status_code == 404
    token.revoke()
    assert client.get(reverse("calendar_feed", args=[token.token])).status_code == 404


def test_the_feed_hides_what_the_user_may_no_longer_see(client, feed, alice):
    token, expected = feed
    ExecutiveActionFactory(
        title="Confidential",
        accountable_person=alice.person,
        visibility=Visibility.CONFIDENTIAL,
        status=ActionStatus.IN_PROGRESS,
        security_classification="secret",
    )
    calendar = Calendar.from_ical(client.get(reverse("calendar_feed", args=[token.token])).content)
    assert len(list(calendar.walk("VEVENT"))) == len(expected)


def test_regenerating_the_address_stops_the_old_one(client, alice, feed):
    token, _ = feed
    old = token.token
    client.force_login(alice)
    client.post(reverse("calendar_token"), {"action": "rotate"})
    token.refresh_from_db()
    assert token.token != old
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[token.token])).status_code == 200
    client.force_login(alice)
    assert token.token in client.get(reverse("calendar_settings")).content.decode()
