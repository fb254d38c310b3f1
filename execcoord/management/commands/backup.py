"""``manage.py backup ARCHIVE``: the database and every stored file, in one tar archive."""

from execcoord import backup
from execcoord.management.archive import ArchiveCommand


class Command(ArchiveCommand):
    help = "Back up the database and the stored files (attachments) together into one archive."
    archive_help = "the tar file to write"

    def run(self, archive):
        return backup.backup(archive)

    def summary(self, archive, manifest):
        size = sum(f["size"] for f in manifest["files"])
        return (
            f"{archive}: the {manifest['vendor']} database and {len(manifest['files'])} "
            f"files ({size} bytes)."
        )
