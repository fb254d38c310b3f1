"""One date style everywhere a person reads a date: "15 Jan 2027" (issue 15).

New users met "2026-09-24" on My work, "15 Jan 2027" on detail pages and "Jan. 15, 2027" in
the history. The formats are set once (``execcoord/formats``); exports keep ISO dates.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from actions.choices import ExtensionStatus
from actions.demo.actions import ExtensionRequestFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname
from tests.workflow_support import officers_tasker, opened_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(units, alice):
    return officers_tasker(
        units,
        alice.person,
        title="Answer the committee's letter",
        issue_date=datetime.date(2027, 1, 4),
    )


def page(client, user, url):
    with time_machine.travel(datetime.datetime(2027, 1, 11, 14, tzinfo=ZoneInfo("UTC"))):
        client.force_login(user)
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_my_work_shows_the_suspense_as_day_month_year(client, alice, action):
    html = page(client, alice, reverse("home"))
    assert "15 Jan 2027" in html
    assert "2027-01-15" not in html
    assert "Today is Monday 11 Jan 2027" in html


def test_the_list_detail_page_and_timeline_use_the_same_style(client, alice, action):
    ExtensionRequestFactory(
        action=action,
        current_due_date=action.due_date,
        requested_due_date=datetime.date(2027, 1, 29),
        status=ExtensionStatus.PENDING,
        requested_by=alice,
    )
    listing = page(client, alice, reverse(viewname(ExecutiveAction, "list")))
    detail = opened_page(client, action)
    assert "15 Jan 2027" in listing
    assert "15 Jan 2027" in detail
    assert "Extension to 29 Jan 2027 requested" in detail  # the timeline
    for html in (listing, detail):
        assert "2027-01-15" not in html and "Jan. 15, 2027" not in html


def test_the_history_shows_dates_and_times_in_the_same_style(client, alice, action):
    action.due_date = datetime.date(2027, 2, 1)
    action.save()
    html = page(client, alice, reverse(viewname(ExecutiveAction, "history"), args=[action.pk]))
    assert "15 Jan 2027" in html and "1 Feb 2027" in html
    assert "Jan. 15, 2027" not in html and "2027-02-01" not in html


def test_the_digest_email_writes_due_dates_in_the_same_style(settings, alice, action):
    settings.DUE_SOON_DAYS = 7
    with time_machine.travel(
        datetime.datetime(2027, 1, 11, 7, tzinfo=ZoneInfo("America/New_York")), tick=False
    ):
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [message] = [m for m in mail.outbox if alice.person.email in m.to]
    assert "Fri 15 Jan 2027" in message.body
    assert "2027-01-15" not in message.body
    assert "Monday 11 Jan 2027" in message.body


def test_exports_keep_iso_dates_for_machines(client, alice, action):
    client.force_login(alice)
    response = client.get(reverse(viewname(ExecutiveAction, "list")) + "?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "2027-01-15" in body


@pytest.mark.parametrize(
    "name",
    [
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATE_FORMAT",
        "TIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "YEAR_MONTH_FORMAT",
        "d/m/Y G:i:s",
        "D, j F Y",  # a week day: Django's own formatter
        r"j \d\e F",  # an escape: Django's own formatter
    ],
)
def test_the_fast_date_writer_writes_what_django_writes(name):
    from django.utils import formats

    from execcoord.formats import date_format

    start = datetime.datetime(2026, 12, 28, 0, 0, 5)
    for hours in range(0, 24 * 400, 37):
        value = start + datetime.timedelta(hours=hours, minutes=hours % 60)
        assert date_format(value, name) == formats.date_format(value, name)
        if not any(c in formats.get_format(name) for c in "HGis"):
            assert date_format(value.date(), name) == formats.date_format(value.date(), name)
    with pytest.raises(TypeError):  # a time of a date: Django's error, not a made-up hour
        date_format(start.date(), "DATETIME_FORMAT")
