"""Excel files work as people expect (issue 15): exported dates and numbers are typed cells,
an untouched template imports, and after an import the list shows what was imported."""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.choices import ActionStatus
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)


@pytest.fixture
def tasker(units, bob):
    return ExecutiveActionFactory(
        title="Close out the audit findings",
        action_type=ExecutiveActionTypeFactory(name="Executive Directive"),
        status=ActionStatus.IN_PROGRESS,
        issue_date=datetime.date(2027, 1, 4),
        original_due_date=DUE,
        due_date=DUE,
        percent_complete=40,
        lead_unit=units["BUR-A"],
    )


def sheet_of(response):
    # the list's export is streamed from a temporary file (constant memory)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, rows[0], rows[1:]


def test_the_list_export_writes_dates_and_numbers_as_typed_cells(client, bob, tasker):
    client.force_login(bob)
    url = reverse(viewname(ExecutiveAction, "list")) + "?export=xlsx"
    _, header, rows = sheet_of(client.get(url))
    [row] = rows
    values = dict(zip(header, row, strict=True))
    assert isinstance(values["Due date"], datetime.datetime)  # a date cell, not "2027-03-31"
    assert values["Due date"].date() == DUE
    assert values["Percent complete"] == 40


def test_the_import_pages_export_writes_typed_cells_on_a_named_sheet(client, bob, tasker):
    client.force_login(bob)
    sheet, header, rows = sheet_of(
        client.get(reverse("import_export", args=["executive-actions", "xlsx"]))
    )
    values = dict(zip(header, rows[0], strict=True))
    assert sheet.title == "Executive actions"
    assert values["Due date"].date() == DUE
    assert values["Percent complete"] == 40


def test_the_untouched_template_imports_and_opens_the_list_of_what_was_imported(
    client, bob, tasker
):
    client.force_login(bob)
    template = client.get(reverse("import_template", args=["executive-actions", "xlsx"]))
    sheet, header, rows = sheet_of(template)
    assert sheet.title == "Executive actions"
    assert dict(zip(header, rows[0], strict=True))["Type"] == "Executive Directive"

    upload = io.BytesIO(template.content)
    upload.name = "executive-actions-template.xlsx"
    preview = client.post(reverse("import"), {"resource": "executive-actions", "file": upload})
    assert preview.status_code == 200
    assert preview.context["report"].invalid == []
    confirm = client.post(
        reverse("import_confirm"),
        {
            "resource": "executive-actions",
            "token": preview.context["token"],
            "file_name": "executive-actions-template.xlsx",
        },
    )

    created = ExecutiveAction.objects.exclude(pk=tasker.pk).get()
    assert created.title == "Respond to the GAO draft report"
    location = urlsplit(confirm["Location"])
    assert location.path == reverse(viewname(ExecutiveAction, "list"))
    assert parse_qs(location.query) == {"id": [str(created.pk)]}
    listed = client.get(confirm["Location"]).context["table"].page.object_list.data
    assert [a.pk for a in listed] == [created.pk]
