"""Trigram GIN indexes on the searched columns (PostgreSQL only; issue 7)."""

from django.db import migrations

from execcoord.search_indexes import trigram_indexes

COLUMNS = [
    ("partners_organizationunit", "name"),
    ("partners_organizationunit", "abbreviation"),
    ("partners_organizationunit", "code"),
    ("partners_organizationunit", "email"),
    ("partners_person", "last_name"),
    ("partners_person", "first_name"),
    ("partners_person", "email"),
    ("partners_person", "job_title"),
    ("partners_account", "name"),
    ("partners_account", "abbreviation"),
    ("partners_account", "email"),
    ("partners_account", "city"),
    ("partners_agreement", "number"),
    ("partners_agreement", "name"),
    ("partners_organizationunittype", "name"),
]


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("partners", "0001_initial")]

    operations = [trigram_indexes(COLUMNS)]
