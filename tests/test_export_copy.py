"""The CSV export through ``COPY … TO STDOUT`` (PostgreSQL) writes the same bytes as the
Python path, for the same visible, filtered rows (issue 20).

The export's queryset comes from the list's own path (``visible_to`` + the filterset + the
ordering); only the formatting moves into SQL. On SQLite the export always takes the Python
path, and these tests are skipped.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions.models import ExecutiveAction, ExecutiveActionType
from actions.tables import ExecutiveActionTable
from execcoord import export
from partners.models import OrganizationUnit, Person

pytestmark = pytest.mark.django_db

QUERIES = (
    "",
    "?overdue=true&sort=due_date",
    "?open=true&sort=-title",
    "?sort=lead_unit",
    "?q=review",
)


@pytest.fixture
def demo():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    call_command("seed_demo", actions=80, stdout=StringIO())


def _csv(client, query, monkeypatch, use_copy):
    if not use_copy:
        monkeypatch.setattr(export, "_copy_queryset", lambda *args: None)
    response = client.get(reverse("actions:executiveaction_list") + query, {"export": "csv"})
    monkeypatch.undo()
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _users():
    return get_user_model().objects.filter(person__isnull=False).order_by("username")


def test_copy_and_python_paths_write_identical_csv_for_every_demo_user(demo, monkeypatch):
    compared = 0
    for user in _users():
        client = Client()
        client.force_login(user)
        for query in QUERIES:
            probe = client.get(reverse("actions:executiveaction_list") + query, {"export": "csv"})
            if probe.status_code != 200:  # a role that may not export
                continue
            b"".join(probe.streaming_content)
            copied = _csv(client, query, monkeypatch, use_copy=True)
            python = _csv(client, query, monkeypatch, use_copy=False)
            assert copied == python, (user.username, query)
            compared += copied.count(b"\r\n") - 1
    assert compared > 100


def test_the_copy_path_is_taken_and_never_exports_a_hidden_row(demo):
    staff = get_user_model().objects.get(username="staff")
    visible = set(ExecutiveAction.objects.visible_to(staff).values_list("number", flat=True))
    hidden = set(ExecutiveAction.objects.values_list("number", flat=True)) - visible
    assert hidden, "the demo agency hides some taskers from staff"
    # the COPY path is chosen for the action list's columns
    qs = ExecutiveAction.objects.visible_to(staff).order_by("pk")
    assert (
        export._copy_queryset(
            qs, ExecutiveActionTable, ExecutiveActionTable.export_column_names(staff), staff
        )
        is not None
    )
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("actions:executiveaction_list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    numbers = {line.split(",", 1)[0] for line in text.splitlines()[1:]}
    assert numbers and numbers <= visible  # the list's default filters may narrow it
    assert not numbers & hidden


@pytest.mark.parametrize("model", [ExecutiveAction, ExecutiveActionType, OrganizationUnit, Person])
def test_str_expression_writes_what_str_writes(demo, model):
    rows = model._base_manager.annotate(_name=model.str_expression()).order_by("pk")
    assert rows.exists()
    for record in rows:
        assert record._name == str(record), record.pk
