"""``manage.py restore ARCHIVE``: load a backup into an empty database and storage."""

from execcoord import backup
from execcoord.management.archive import ArchiveCommand


class Command(ArchiveCommand):
    help = "Restore a backup (manage.py backup) into the configured, empty database and storage."
    archive_help = "the tar file written by manage.py backup"

    def run(self, archive):
        return backup.restore(archive)

    def summary(self, archive, manifest):
        return (
            f"Restored the database and {len(manifest['files'])} files from {archive}. "
            "Run manage.py migrate (for a backup of an older version) and verify_attachments."
        )
