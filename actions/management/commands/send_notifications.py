"""Queue what a lost task left behind, and send the daily notification digests.

Run it from cron every few minutes (``manage.py send_notifications``): it queues again the
notification events not fanned out and the e-mails not sent ``TASKS_STALE_AFTER`` seconds
after they were written (a queue that was down, a worker killed mid-task), and marks the
database queue's runs abandoned by a killed worker failed. Once a day, ``--digest`` queues
one e-mail per person gathering the notifications they chose to get in the daily digest.
Everything it queues is safe to queue twice: a notification is e-mailed once (its
idempotency key), a digest once a day per person.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from actions import notifications
from execcoord import tasks


class Command(BaseCommand):
    help = "Queue lost notification tasks again; with --digest, send the daily digests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds after which a task counts as lost (default TASKS_STALE_AFTER).",
        )
        parser.add_argument(
            "--digest", action="store_true", help="Queue today's notification digests."
        )

    def handle(self, *args, older_than=None, digest=False, **options):
        older_than = settings.TASKS_STALE_AFTER if older_than is None else older_than
        abandoned = tasks.abandon_stale_runs(older_than)
        events, mails = notifications.requeue_lost(older_than)
        self.stdout.write(
            f"{events} events and {mails} e-mails queued again; {abandoned} abandoned runs."
        )
        if digest:
            day = timezone.localdate().isoformat()
            people = notifications.digest_recipients()
            for person_id in people:
                notifications.send_digest.enqueue(person_id, day)
            self.stdout.write(f"{len(people)} digests queued for {day}.")
