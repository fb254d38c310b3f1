"""``manage.py verify_attachments``: every attachment's file is in storage and downloads.

Run it after a restore (and from time to time): it reads each attachment's file through the
storage, checks its size against the one recorded at upload, and with ``--as USERNAME``
also downloads it through the attachment page as that user, as a browser would.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory
from django.urls import reverse

from actions.models import Attachment
from actions.workflow_views import attachment_download


class Command(BaseCommand):
    help = "Check that every attachment's file is stored, has its size and downloads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as", dest="username", help="also download each file as this user (the page's way)"
        )

    def handle(self, *args, username=None, **options):
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"There is no user {username!r}.")
        problems, count = [], 0
        for attachment in Attachment.objects.order_by("pk").iterator():
            count += 1
            problem = self.problem_of(attachment, user)
            if problem:
                problems.append(f"attachment {attachment.pk} ({attachment.file.name}): {problem}")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} of {count} attachments are missing or damaged.")
        how = f"downloaded as {username}" if user else "read from storage"
        self.stdout.write(f"{count} attachments: every file present, of its size, {how}.")

    def problem_of(self, attachment, user):
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError) as error:
            return f"cannot be read ({error})"
        if len(data) != attachment.size:
            return f"{len(data)} bytes, {attachment.size} recorded at upload"
        if user is None:
            return None
        url = reverse("actions:attachment_download", args=[attachment.pk])
        request = RequestFactory().get(url)
        request.user = user
        try:
            response = attachment_download(request, attachment.pk)
        except Exception as error:  # noqa: BLE001 - reported with the attachment
            return f"the download page failed ({type(error).__name__}: {error})"
        body = b"".join(response.streaming_content)
        if response.status_code != 200 or body != data:
            return f"the download page answered {response.status_code} with other bytes"
        return None
