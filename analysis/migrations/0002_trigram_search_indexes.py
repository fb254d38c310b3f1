"""Trigram GIN indexes on the searched columns (PostgreSQL only; issue 7)."""

from django.db import migrations

from execcoord.search_indexes import trigram_indexes

COLUMNS = [
    ("analysis_legalauthority", "name"),
    ("analysis_legalauthority", "citation"),
    ("analysis_legalauthority", "document_number"),
    ("analysis_legalauthority", "executive_order_number"),
    ("analysis_analysis", "number"),
    ("analysis_analysis", "name"),
    ("analysis_impact", "name"),
    ("analysis_riskitem", "number"),
    ("analysis_riskitem", "name"),
]


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("analysis", "0001_initial")]

    operations = [trigram_indexes(COLUMNS)]
