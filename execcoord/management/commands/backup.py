"""``manage.py backup ARCHIVE``: the database and every stored file, in one tar archive."""

from django.core.management.base import BaseCommand, CommandError

from execcoord import backup


class Command(BaseCommand):
    help = "Back up the database and the stored files (attachments) together into one archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the tar file to write")

    def handle(self, *args, archive, **options):
        try:
            manifest = backup.backup(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(f["size"] for f in manifest["files"])
        self.stdout.write(
            f"{archive}: the {manifest['vendor']} database and {len(manifest['files'])} "
            f"files ({size} bytes)."
        )
