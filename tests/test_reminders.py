"""send_reminders: the right digests once a business day, nothing more on a rerun."""

import datetime
import socket
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from actions.choices import ActionStatus, ReminderKind
from actions.demo.actions import AssignmentFactory, ExecutiveActionFactory
from actions.models import ReminderLog
from partners.access import ROLE_MANAGER
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("America/New_York")
WEDNESDAY = datetime.date(2026, 11, 18)


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(7), tzinfo=TZ), tick=False
    )


@pytest.fixture
def work(settings, units, alice, bob, charlie):
    settings.ESCALATION_BUSINESS_DAYS = 5
    settings.DUE_SOON_DAYS = 7
    settings.SITE_URL = "https://ec.example.gov"
    director = make_user("dora", ROLE_MANAGER, units["AGENCY"])
    units["AGENCY"].manager = director.person
    units["AGENCY"].save()
    d = WEDNESDAY

    def make(title, due, **fields):
        fields.setdefault("lead_unit", units["OFF-A1"])
        fields.setdefault("accountable_person", alice.person)
        return ExecutiveActionFactory(
            title=title, status=ActionStatus.IN_PROGRESS, due_date=due, **fields
        )

    soon = make("Soon", d + datetime.timedelta(days=2))
    late = make("Late", d - datetime.timedelta(days=2))  # 2 business days: no escalation
    # 8 business days late (11 Nov is Veterans Day): escalates to BUR-A's manager, bob
    stale = make("Stale", d - datetime.timedelta(days=13), issuing_unit=units["AGENCY"])
    # 19 business days late: past twice the threshold, so the issuing unit's manager too
    ancient = make("Ancient", d - datetime.timedelta(days=28), issuing_unit=units["AGENCY"])
    make("Far", d + datetime.timedelta(days=30))  # not due soon: nobody is told
    helped = make(
        "Helped",
        d + datetime.timedelta(days=1),
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
    )
    AssignmentFactory(action=helped, organization_unit=units["OFF-A1"], person=alice.person)
    return {
        "director": director,
        "soon": soon,
        "late": late,
        "stale": stale,
        "ancient": ancient,
        "helped": helped,
    }


def by_recipient():
    return {m.to[0]: m for m in mail.outbox}


def test_sends_the_right_digests_once_a_day(work, alice, bob, charlie):
    with at(WEDNESDAY):
        call_command("send_reminders")
    sent = by_recipient()
    assert set(sent) == {
        "alice@agency.example.gov",
        "bob@agency.example.gov",
        "charlie@agency.example.gov",
        "dora@agency.example.gov",
    }
    alice_mail = sent["alice@agency.example.gov"].body
    for title in ("Soon", "Late", "Stale", "Ancient", "Helped"):
        assert title in alice_mail
    assert "Far" not in alice_mail
    assert "https://ec.example.gov/actions/executive-actions/" in alice_mail
    bob_mail = sent["bob@agency.example.gov"].body
    escalated, _, units_part = bob_mail.partition("OVERDUE IN THE UNITS YOU MANAGE")
    assert "Stale" in escalated and "Ancient" in escalated
    assert "Late" in units_part and "Soon" not in bob_mail
    dora_mail = sent["dora@agency.example.gov"].body
    escalated, _, units_part = dora_mail.partition("OVERDUE IN THE UNITS YOU MANAGE")
    assert "Ancient" in escalated and "Stale" not in escalated
    assert "Stale" in units_part  # the agency manager still sees the unit's overdue work
    charlie_mail = sent["charlie@agency.example.gov"].body
    assert "Helped" in charlie_mail and "Late" not in charlie_mail
    assert all(m.alternatives and m.alternatives[0][1] == "text/html" for m in mail.outbox)
    logs = {log.person.user.username: log.kind for log in ReminderLog.objects.all()}
    assert logs == {
        "alice": ReminderKind.OVERDUE,
        "bob": ReminderKind.ESCALATION,
        "charlie": ReminderKind.DUE_SOON,
        "dora": ReminderKind.ESCALATION,
    }

    mail.outbox.clear()
    with at(WEDNESDAY):
        call_command("send_reminders")
    assert mail.outbox == []
    assert ReminderLog.objects.count() == 4


def test_nothing_is_sent_on_weekends_or_federal_holidays(work):
    for day in (datetime.date(2026, 11, 21), datetime.date(2026, 11, 26)):  # Sat, Thanksgiving
        with at(day):
            call_command("send_reminders")
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_dry_run_sends_nothing_and_records_nothing(work, capsys):
    call_command("send_reminders", "--dry-run", "--date", WEDNESDAY.isoformat())
    assert mail.outbox == [] and not ReminderLog.objects.exists()
    assert "alice@agency.example.gov" in capsys.readouterr().out


def test_a_failed_send_releases_its_claim(work, monkeypatch):
    def boom(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with pytest.raises(Exception, match="could not be sent"):
        call_command("send_reminders", "--date", WEDNESDAY.isoformat())
    assert not ReminderLog.objects.exists()


def test_a_mail_server_that_never_answers_times_out_and_the_next_run_sends(work, settings, capsys):
    """A server that accepts the connection and never says a word: each run gives up after
    ``EMAIL_TIMEOUT``, claims nothing, names what it did not send; the rerun sends it all."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel accepts connections; nobody ever answers them
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        settings.EMAIL_TIMEOUT = 1
        started = time.monotonic()
        with pytest.raises(CommandError, match="could not be sent"):
            call_command("send_reminders", "--date", WEDNESDAY.isoformat())
        assert time.monotonic() - started < 10  # one timeout, not one a digest
    finally:
        silent.close()
    assert not ReminderLog.objects.exists()
    err = capsys.readouterr().err
    assert "not sent to alice@agency.example.gov" in err and "timed out" in err
    assert "not tried after the mail server failed: 3 digests" in err

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_reminders", "--date", WEDNESDAY.isoformat())
    assert {m.to[0] for m in mail.outbox} == {
        "alice@agency.example.gov",
        "bob@agency.example.gov",
        "charlie@agency.example.gov",
        "dora@agency.example.gov",
    }
    assert ReminderLog.objects.count() == 4


def test_a_refused_address_does_not_stop_the_others(work, monkeypatch, capsys):
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def send(self, *args, **kwargs):
        if self.to == ["bob@agency.example.gov"]:
            raise smtplib.SMTPRecipientsRefused({"bob@agency.example.gov": (550, b"no")})
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    with pytest.raises(CommandError, match="1 digests could not be sent"):
        call_command("send_reminders", "--date", WEDNESDAY.isoformat())
    assert len(mail.outbox) == 3
    assert not ReminderLog.objects.filter(person__user__username="bob").exists()
    assert "not sent to bob@agency.example.gov: SMTPRecipientsRefused" in capsys.readouterr().err


def test_the_digests_overdue_and_escalated_taskers_are_listed_under_the_bell(
    work, alice, bob, django_capture_on_commit_callbacks
):
    from actions.choices import NotificationKind
    from actions.models import Notification

    with at(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--enqueue")  # the immediate queue runs it at once
    mine = {
        (n.action.title, n.kind)
        for n in Notification.objects.visible_to(bob).select_related("action")
    }
    assert mine == {
        ("Stale", NotificationKind.ESCALATED),
        ("Ancient", NotificationKind.ESCALATED),
        ("Late", NotificationKind.OVERDUE),
    }
    alices = set(Notification.objects.visible_to(alice).values_list("kind", flat=True))
    assert alices == {NotificationKind.OVERDUE}  # her due-soon items are not listed
    sent = len(mail.outbox)
    with at(WEDNESDAY):
        call_command("send_reminders", "--enqueue")  # a rerun lists nothing twice
    assert len(mail.outbox) == sent
    assert Notification.objects.visible_to(bob).count() == 3
