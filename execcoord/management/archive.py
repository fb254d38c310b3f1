"""The frame of ``manage.py backup`` and ``manage.py restore``: one archive argument, the
work in ``execcoord.backup``, its refusal as a command error and a one-line summary."""

from django.core.management.base import BaseCommand, CommandError

from execcoord import backup


class ArchiveCommand(BaseCommand):
    """A command on one backup archive.

    Class attributes:
        archive_help: the help of the ``archive`` argument.
    """

    archive_help = ""

    def add_arguments(self, parser):
        parser.add_argument("archive", help=self.archive_help)

    def handle(self, *args, archive, **options):
        try:
            manifest = self.run(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.summary(archive, manifest))

    def run(self, archive):
        """Do the work; return the archive's manifest."""
        raise NotImplementedError

    def summary(self, archive, manifest):
        """The line written when the work is done."""
        raise NotImplementedError
