"""Import files that are not what they claim, merged cells, row numbers, failures, previews.

Every unreadable file gets a message and writes nothing; the reader is fuzzed with random
bytes, truncated workbooks, wrong encodings and huge cells and always answers with a
message or a table.
"""

import datetime
import gzip
import io
import random

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from execcoord import imports
from execcoord.views.imports import purge_expired_previews
from partners.models import OrganizationUnit
from partners.resources import OrganizationUnitResource

pytestmark = pytest.mark.django_db

UNITS = "organization-units"


def workbook(rows, merged=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in merged:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_XLSX = workbook([["Code", "Name"], ["NEW-1", "New one"], ["NEW-2", "New two"]])


def upload(client, data, name):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("import"), {"resource": UNITS, "file": file})


def stored_previews():
    try:
        folders, _ = default_storage.listdir("imports")
    except FileNotFoundError:
        return []
    return [n for f in folders for n in default_storage.listdir(f"imports/{f}")[1]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("units.csv", random.Random(1).randbytes(4000), "binary"),
        ("units.csv", gzip.compress(b"Code,Name\nA,B\n"), "compressed (gzip)"),
        ("units.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"),
        ("units.xlsx", b"%PDF-1.7\n", "PDF document"),
        ("units.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "old-style Excel"),
        ("units.xlsx", GOOD_XLSX[: len(GOOD_XLSX) // 2], "could not be read as an Excel"),
        ("units.csv", b'Code,Name\n"A,B\n' + b"x" * 200_000, "cannot be read as CSV"),
    ],
    ids=["random", "gzip", "pdf", "pdf-as-xlsx", "xls", "truncated-xlsx", "huge-cell"],
)
def test_an_unreadable_file_gets_a_message_and_writes_nothing(
    client, administrator, units, name, data, message
):
    before = OrganizationUnit.objects.count()
    client.force_login(administrator)
    response = upload(client, data, name)
    assert response.status_code == 400
    assert message in response.context["form_error"]
    assert OrganizationUnit.objects.count() == before
    assert stored_previews() == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("units.csv", GOOD_XLSX),  # a workbook saved with a .csv name
        ("units.csv", b"Code,Name\rNEW-1,New one\rNEW-2,New two\r"),  # old Mac line ends
        ("units.csv", "Code,Name\nNEW-1,New one\nNEW-2,New two\n".encode("utf-16")),
        ("units.csv", "Code;Name\nNEW-1;New one\nNEW-2;New two\n".encode("cp1252")),
    ],
    ids=["xlsx-named-csv", "cr-only", "utf-16", "cp1252-semicolons"],
)
def test_files_excel_really_writes_are_read(administrator, units, name, data):
    dataset = imports.read_upload(name, data, OrganizationUnitResource)
    assert [row[:2] for row in dataset] == [("NEW-1", "New one"), ("NEW-2", "New two")]


def test_rows_are_numbered_as_in_the_spreadsheet_blank_lines_included(administrator, units):
    data = b"Code,Name\nOK-1,Fine\n\n\nBAD,\n"
    dataset = imports.read_upload("units.csv", data, OrganizationUnitResource)
    report = imports.run_import(OrganizationUnitResource, dataset, administrator, dry_run=True)
    assert [(r.row, r.key) for r in report.invalid] == [(5, "BAD")]
    assert [r.row for r in report.new] == [2]


def test_a_workbook_s_blank_rows_count_too(administrator, units):
    data = workbook([["Code", "Name"], ["OK-1", "Fine"], [], ["BAD", None]])
    dataset = imports.read_upload("units.xlsx", data, OrganizationUnitResource)
    report = imports.run_import(OrganizationUnitResource, dataset, administrator, dry_run=True)
    assert [r.row for r in report.invalid] == [4]


def test_cells_merged_down_a_column_take_the_first_cell_s_value(client, administrator, units):
    data = workbook(
        [
            ["Code", "Name", "Parent unit (code)"],
            ["G-1", "Group one", "BUR-A"],
            ["G-2", "Group two", None],
            ["G-3", "Group three", None],
        ],
        merged=["C2:C4"],
    )
    client.force_login(administrator)
    response = upload(client, data, "units.xlsx")
    assert response.status_code == 200
    assert response.context["report"].notes == [
        "Cells C2:C4 are merged: rows 3–4 took “BUR-A” from row 2."
    ]
    assert "Cells C2:C4 are merged" in response.content.decode()
    client.post(
        reverse("import_confirm"),
        {"resource": UNITS, "token": response.context["token"], "file_name": "units.xlsx"},
    )
    groups = OrganizationUnit.objects.filter(code__startswith="G-")
    assert groups.count() == 3
    assert set(groups.values_list("parent__code", flat=True)) == {"BUR-A"}


@pytest.mark.parametrize(
    ("merged", "named"),
    [(["A2:B2"], "A2:B2"), (["A1:B1"], "A1:B1 (in the header row)")],
)
def test_cells_merged_across_columns_are_refused_with_the_range_named(
    administrator, units, merged, named
):
    data = workbook([["Code", "Name"], ["G-1", "Group one"]], merged=merged)
    with pytest.raises(imports.ImportFileError, match="merged cells") as refused:
        imports.read_upload("units.xlsx", data, OrganizationUnitResource)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    "row",
    [b"C-1,Bad\x00name", b'C-1,"Two\nlines"', b"C-1," + b"x" * 300],
    ids=["nul", "line-break", "too-long"],
)
def test_every_cell_problem_is_found_at_preview(client, administrator, units, row):
    client.force_login(administrator)
    response = upload(client, b"Code,Name\n" + row + b"\n", "units.csv")
    report = response.context["report"]
    assert report.has_errors and response.context["token"] == ""
    assert [(r.row, [c for c, _ in r.errors]) for r in report.invalid] == [(2, ["Name"])]
    assert stored_previews() == []


def test_a_database_failure_says_so_asks_to_retry_and_keeps_the_preview(
    client, administrator, units, monkeypatch
):
    client.force_login(administrator)
    preview = upload(client, b"Code,Name\nNEW-1,New one\n", "units.csv")
    token = preview.context["token"]

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(OrganizationUnitResource, "save_instance", connection_lost)
    form = {"resource": UNITS, "token": token, "file_name": "units.csv"}
    failed = client.post(reverse("import_confirm"), form)
    assert failed.status_code == 503
    page = failed.content.decode()
    assert "The database did not answer" in page and "Try the import again" in page
    assert "spreadsheet" not in failed.context["failure"]
    assert not OrganizationUnit.objects.filter(code="NEW-1").exists()
    monkeypatch.undo()
    assert client.post(reverse("import_confirm"), form).status_code == 302
    assert OrganizationUnit.objects.filter(code="NEW-1").exists()


def test_cancel_removes_the_preview(client, administrator, units):
    client.force_login(administrator)
    preview = upload(client, b"Code,Name\nNEW-1,New one\n", "units.csv")
    assert len(stored_previews()) == 1
    client.post(
        reverse("import_cancel"),
        {"resource": UNITS, "token": preview.context["token"], "file_name": "units.csv"},
    )
    assert stored_previews() == []


def test_previews_expire_on_confirm_and_are_purged(client, administrator, units, settings):
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    client.force_login(administrator)
    preview = upload(client, b"Code,Name\nNEW-1,New one\n", "units.csv")
    default_storage.save(f"imports/{administrator.pk}/{'x' * 32}.csv", ContentFile(b"Code,Name\n"))
    later = timezone.now() + datetime.timedelta(hours=2)
    assert purge_expired_previews(now=timezone.now()) == 0
    assert purge_expired_previews(now=later) == 2
    assert stored_previews() == []
    settings.IMPORT_PREVIEW_MAX_AGE = 0  # every preview is already too old
    preview = upload(client, b"Code,Name\nNEW-1,New one\n", "units.csv")
    confirm = client.post(
        reverse("import_confirm"),
        {"resource": UNITS, "token": preview.context["token"], "file_name": "units.csv"},
        follow=True,
    )
    assert "has expired" in confirm.content.decode()
    assert not OrganizationUnit.objects.filter(code="NEW-1").exists()
    assert stored_previews() == []
    call_command("purge_expired")  # the cron entry point runs


def test_the_admin_import_is_the_app_s_import(client, administrator, units):
    client.force_login(administrator)
    response = client.get(reverse("admin:partners_organizationunit_import"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('import')}?resource={UNITS}"


def test_the_reader_answers_every_malformed_file_with_a_message_or_a_table(administrator, units):
    """Random bytes, workbooks cut anywhere, text in other encodings, huge cells."""
    rng = random.Random(20261130)
    samples = [rng.randbytes(rng.randint(1, 3000)) for _ in range(40)]
    samples += [GOOD_XLSX[:cut] for cut in range(200, len(GOOD_XLSX), len(GOOD_XLSX) // 15)]
    samples += [
        "Code,Name\nÇa,Où\n".encode(encoding) for encoding in ("utf-16-le", "utf-32", "latin-1")
    ]
    samples += [
        b"Code,Name\nA," + b"y" * 100_000 + b"\n",
        workbook([["Code", "Name"], ["A", "z" * 32000]]),
    ]
    for index, data in enumerate(samples):
        for name in ("units.csv", "units.xlsx"):
            try:
                dataset = imports.read_upload(name, data, OrganizationUnitResource)
            except imports.ImportFileError as error:
                assert str(error), (index, name)
                continue
            report = imports.run_import(
                OrganizationUnitResource, dataset, administrator, dry_run=True
            )
            assert report.total == len(dataset), (index, name)
    assert not OrganizationUnit.objects.exclude(pk__in=[u.pk for u in units.values()]).exists()
