"""E-mail the daily reminder digests (DESIGN.md "Reminders"; run it from cron once a day).

Each person gets at most one digest a day, gathering:

* their own taskers (accountable person, or named on an assignment) due within
  ``settings.DUE_SOON_DAYS`` days and overdue;
* for a unit manager, the overdue taskers of the units they manage (sub-units included);
* escalations: a tasker overdue more than ``settings.ESCALATION_BUSINESS_DAYS`` business days
  goes to the lead unit's manager, and past twice that also to the issuing unit's manager.

Mails go on business days only (no weekends or US federal holidays). A digest is claimed
while it is sent: the ``ReminderLog`` row for (person, day) is inserted with the person's row
locked, the mail is sent, and only then is the transaction committed. A person who already
has a row that day is skipped, so a second run the same day (or an overlapping cron run,
which waits on the lock) sends nothing new. A send that fails, or times out after
``EMAIL_TIMEOUT`` seconds, rolls its claim back, and so does a run killed mid-send: the next
run sends that digest. When the mail server itself fails (no answer, a refused or dropped
connection) the run stops trying and reports the digests left for the next run. Every item
links to its page under ``settings.SITE_URL``.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from actions import due, notifications
from actions.choices import ReminderKind
from actions.models import Assignment, ExecutiveAction, ReminderLog
from execcoord import tasks
from execcoord.utils import single_line
from partners.models import OrganizationUnit, Person, path_ids

logger = logging.getLogger(__name__)

# Failures of one message (a refused address, a bad header): the next digest may still go.
# Any other error of a send (a timeout, a refused or dropped connection) is the server's.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    BadHeaderError,
    UnicodeError,
    ValueError,
)


@lru_cache(maxsize=16)
def _federal_holidays(year):
    return holidays.US(years=year, observed=True)


def is_business_day(day):
    """Monday to Friday and not a US federal holiday (as observed)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def business_days_between(start, end):
    """Business days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
    count, day = 0, start + datetime.timedelta(days=1)
    while day <= end:
        count += is_business_day(day)
        day += datetime.timedelta(days=1)
    return count


@dataclass
class Item:
    action: ExecutiveAction
    url: str
    days_overdue: int = 0
    business_days_overdue: int = 0


@dataclass
class Digest:
    """What one person is told on one day."""

    person: Person
    due_soon: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    units_overdue: list = field(default_factory=list)
    escalated: list = field(default_factory=list)

    def sections(self):
        return (self.due_soon, self.overdue, self.units_overdue, self.escalated)

    @property
    def action_ids(self):
        return {item.action.pk for section in self.sections() for item in section}

    @property
    def item_count(self):
        return len(self.action_ids)

    @property
    def kind(self):
        if self.escalated:
            return ReminderKind.ESCALATION
        if self.overdue or self.units_overdue:
            return ReminderKind.OVERDUE
        return ReminderKind.DUE_SOON

    def keep_only(self, visible_ids):
        for section in self.sections():
            section[:] = [item for item in section if item.action.pk in visible_ids]


def build_digests(today):
    """The digests of ``today`` by person id (before each recipient's visibility check)."""
    threshold = settings.ESCALATION_BUSINESS_DAYS
    site = settings.SITE_URL.rstrip("/")
    actions = list(
        ExecutiveAction.objects.filter(due.due_by_q(today, settings.DUE_SOON_DAYS))
        .select_related("lead_unit", "issuing_unit")
        .order_by("due_date", "pk")
    )
    assignees = {}
    for action_id, person_id in Assignment.objects.filter(
        action__in=[a.pk for a in actions], person__isnull=False
    ).values_list("action_id", "person_id"):
        assignees.setdefault(action_id, set()).add(person_id)
    managers = dict(
        OrganizationUnit.objects.filter(manager__isnull=False).values_list("pk", "manager_id")
    )
    digests = {}

    def digest(person_id):
        return digests.setdefault(person_id, Digest(person=None))

    for action in actions:
        item = Item(action, f"{site}{action.get_absolute_url()}")
        own = {action.accountable_person_id, *assignees.get(action.pk, ())} - {None}
        if not due.is_overdue(action, today):
            for person_id in own:
                digest(person_id).due_soon.append(item)
            continue
        item.days_overdue = due.days_overdue(action, today)
        item.business_days_overdue = business_days_between(action.due_date, today)
        for person_id in own:
            digest(person_id).overdue.append(item)
        escalate_to = set()
        if item.business_days_overdue > threshold:
            escalate_to.add(_nearest_manager(action.lead_unit, managers))
        if item.business_days_overdue > 2 * threshold:
            escalate_to.add(_nearest_manager(action.issuing_unit, managers))
        escalate_to.discard(None)
        for person_id in escalate_to:
            digest(person_id).escalated.append(item)
        if action.lead_unit is not None:
            unit_managers = {managers.get(uid) for uid in path_ids(action.lead_unit.path)}
            for person_id in unit_managers - escalate_to - {None}:
                digest(person_id).units_overdue.append(item)
    return digests


def _nearest_manager(unit, managers):
    """The manager of ``unit``, or of its nearest ancestor that has one."""
    if unit is None:
        return None
    for unit_id in reversed(path_ids(unit.path)):
        if unit_id in managers:
            return managers[unit_id]
    return None


class AlreadySent(Exception):
    """Someone else's run already sent this person today's digest."""


def send_claimed(digest, day, connection=None):
    """Record and send ``digest`` in one transaction: the claim holds only if the mail went.

    The person's row is locked first, so an overlapping run waits here and then finds the
    log row. Raises :class:`AlreadySent`, or the mail error after rolling the claim back.
    """
    person = digest.person
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if ReminderLog.objects.filter(person=person, date=day).exists():
            raise AlreadySent
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    person=person, date=day, kind=digest.kind, item_count=digest.item_count
                )
        except IntegrityError as error:
            raise AlreadySent from error
        render_digest(digest, day, connection).send()
        notifications.record_reminder_items(digest)


def render_digest(digest, today, connection=None):
    context = {
        "digest": digest,
        "person": digest.person,
        "today": today,
        "site_url": settings.SITE_URL.rstrip("/"),
        "due_soon_days": settings.DUE_SOON_DAYS,
        "escalation_days": settings.ESCALATION_BUSINESS_DAYS,
    }
    subject = single_line(render_to_string("actions/email/reminder_subject.txt", context))
    text = render_to_string("actions/email/reminder_body.txt", context)
    html = render_to_string("actions/email/reminder_body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[digest.person.email], connection=connection)
    message.attach_alternative(html, "text/html")
    return message


class Command(BaseCommand):
    help = "E-mail today's reminder digests (due soon, overdue, escalations); safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get what; send nothing."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the run as a background task (retried with backoff) and return.",
        )

    def handle(self, *args, date=None, dry_run=False, enqueue=False, **options):
        today = self.parse_date(date) if date else timezone.localdate()
        if enqueue:
            run_reminders.enqueue(today.isoformat())
            self.stdout.write(f"{today:%Y-%m-%d}: reminders queued for a worker.")
            return
        if not is_business_day(today):
            self.stdout.write(f"{today:%Y-%m-%d} is not a business day: no reminders sent.")
            return
        digests = build_digests(today)
        people = Person.objects.filter(
            pk__in=digests, is_active=True, user__is_active=True
        ).select_related("user")
        ready = []
        for person in people.order_by("pk"):
            digest = digests[person.pk]
            digest.person = person
            visible = set(
                ExecutiveAction.objects.visible_to(person.user)
                .filter(pk__in=digest.action_ids)
                .values_list("pk", flat=True)
            )
            digest.keep_only(visible)
            if digest.item_count and person.email:
                ready.append(digest)
        if dry_run:
            for digest in ready:
                kind = ReminderKind(digest.kind).label.lower()
                self.stdout.write(
                    f"would send {digest.person.email} a {kind} digest"
                    f" ({digest.item_count} taskers)"
                )
            return
        self.send_all(ready, today)

    def send_all(self, digests, today):
        """Send every digest over one connection, then report what could not be sent and
        fail (a non-zero exit, which cron reports) so that someone looks."""
        sent = skipped = 0
        failed, left = [], []
        connection = get_connection()
        try:
            for index, digest in enumerate(digests):
                try:
                    send_claimed(digest, today, connection)
                except AlreadySent:
                    skipped += 1
                except MESSAGE_ERRORS as error:
                    failed.append((digest.person.email, error))
                except Exception as error:  # noqa: BLE001 - the server's: stop trying
                    failed.append((digest.person.email, error))
                    left = [d.person.email for d in digests[index + 1 :]]
                    break
                else:
                    sent += 1
        finally:
            _close_quietly(connection)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {sent} digests sent, {skipped} already sent today, "
            f"{len(failed) + len(left)} not sent."
        )
        for address, error in failed:
            reason = single_line(str(error)) or "no answer"
            self.stderr.write(f"not sent to {address}: {type(error).__name__}: {reason}")
            logger.error("reminder digest not sent to %s: %r", address, error)
        if left:
            self.stderr.write(
                f"not tried after the mail server failed: {len(left)} digests ({', '.join(left)})"
            )
            logger.error("mail server failed: %d reminder digests left for next run", len(left))
        if failed or left:
            raise CommandError(
                f"{len(failed) + len(left)} digests could not be sent; the next run sends "
                "them (run the command again once the mail server answers)."
            )

    def parse_date(self, value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--date must look like 2026-11-25, not {value!r}.") from exc


def _close_quietly(connection):
    """Close the mail connection; a server that stopped answering may fail even that."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - nothing is left to send on it
        logger.warning("the mail connection did not close cleanly", exc_info=True)


@tasks.background
def run_reminders(day):
    """The day's reminder run as a background task: a run that cannot send everything
    raises, and is tried again later (digests already sent are skipped: ReminderLog)."""
    Command().handle(date=day)
