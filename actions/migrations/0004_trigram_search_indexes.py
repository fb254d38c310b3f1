"""Trigram GIN indexes on the searched columns (PostgreSQL only; issue 7)."""

from django.db import migrations

from execcoord.search_indexes import trigram_indexes

COLUMNS = [
    ("actions_executiveaction", "number"),
    ("actions_executiveaction", "title"),
    ("actions_executiveaction", "description"),
    ("actions_assignment", "response"),
    ("actions_statusupdate", "key_accomplishments"),
    ("actions_statusupdate", "challenges_and_risks"),
    ("actions_statusupdate", "next_steps"),
    ("actions_statusupdate", "notes"),
    ("actions_decisionlogentry", "title"),
    ("actions_decisionlogentry", "description"),
    ("actions_decisionlogentry", "rationale"),
    ("actions_dependency", "description"),
    ("actions_dependency", "impact_if_not_met"),
    ("actions_extensionrequest", "justification"),
    ("actions_extensionrequest", "decision_comment"),
    ("actions_duedatechange", "reason"),
    ("actions_attachment", "title"),
    ("actions_executiveactiontype", "name"),
    ("actions_executiveactiontype", "description"),
    ("actions_tag", "name"),
]


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("actions", "0003_assignment_disposition_and_reminder")]

    operations = [trigram_indexes(COLUMNS)]
