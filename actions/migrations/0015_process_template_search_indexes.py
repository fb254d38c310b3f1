"""Trigram GIN indexes on the searched columns of the process templates (PostgreSQL only)."""

from django.db import migrations

from execcoord.search_indexes import trigram_indexes

COLUMNS = [
    ("actions_processtemplate", "name"),
    ("actions_processtemplate", "description"),
    ("actions_templatesubtasker", "title_pattern"),
]


class Migration(migrations.Migration):
    dependencies = [("actions", "0014_process_templates")]

    operations = [trigram_indexes(COLUMNS)]
