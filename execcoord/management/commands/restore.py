"""``manage.py restore ARCHIVE``: load a backup into an empty database and storage."""

from django.core.management.base import BaseCommand, CommandError

from execcoord import backup


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into the configured, empty database and storage."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the tar file written by manage.py backup")

    def handle(self, *args, archive, **options):
        try:
            manifest = backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database and {len(manifest['files'])} files from {archive}. "
            "Run manage.py migrate (for a backup of an older version) and verify_attachments."
        )
