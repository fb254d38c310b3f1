"""Remove what only matters for a while (run it from cron, e.g. hourly): import previews
nobody confirmed, the one-time keys of forms submitted long ago, prepared exports past their
expiry (file and row) and the reports of background imports past IMPORT_REPORT_MAX_AGE."""

from django.conf import settings
from django.core.management.base import BaseCommand

from execcoord.background import purge_expired_exports, purge_old_import_runs
from execcoord.submissions import purge_expired_form_keys
from execcoord.views.imports import purge_expired_previews


class Command(BaseCommand):
    help = (
        "Delete import previews older than IMPORT_PREVIEW_MAX_AGE seconds and form keys "
        "older than FORM_KEY_MAX_AGE seconds, expired prepared exports and background-import "
        "reports older than IMPORT_REPORT_MAX_AGE seconds."
    )

    def handle(self, *args, **options):
        previews = purge_expired_previews()
        keys = purge_expired_form_keys()
        exports = purge_expired_exports()
        runs = purge_old_import_runs()
        hours = settings.IMPORT_PREVIEW_MAX_AGE / 3600
        days = settings.FORM_KEY_MAX_AGE / 86400
        self.stdout.write(
            f"{previews} import previews older than {hours:g} hours and "
            f"{keys} form keys older than {days:g} days removed; "
            f"{exports} expired prepared exports and {runs} old import reports removed."
        )
