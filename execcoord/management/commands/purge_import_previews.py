"""Remove import previews nobody confirmed (run it from cron, e.g. hourly)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from execcoord.views.imports import purge_expired_previews


class Command(BaseCommand):
    help = "Delete stored import previews older than IMPORT_PREVIEW_MAX_AGE seconds."

    def handle(self, *args, **options):
        removed = purge_expired_previews()
        hours = settings.IMPORT_PREVIEW_MAX_AGE / 3600
        self.stdout.write(f"{removed} import previews older than {hours:g} hours removed.")
