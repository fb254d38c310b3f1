"""Import and export from spreadsheets (issue 9): round trips, errors per row and column,
all-or-nothing, encodings, bad files, and who may import what."""

import datetime
import io

import pytest
import tablib
from django.urls import reverse

from actions.choices import ActionStatus
from actions.demo.actions import ExecutiveActionFactory, TagFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.demo.partners import AccountFactory, PersonFactory
from actions.models import DueDateChange, ExecutiveAction
from actions.resources import ExecutiveActionResource, ExecutiveActionTypeResource
from analysis.resources import LegalAuthorityResource
from execcoord import imports
from partners.models import OrganizationUnit, Person
from partners.resources import AccountResource, OrganizationUnitResource, PersonResource
from tests.conftest import DUE


@pytest.fixture
def agency(units, bob, action_type):
    """Reference data and a few actions of BUR-A, of every shape the export has."""
    officer = PersonFactory(email="officer@agency.example.gov", organization_unit=units["OFF-A1"])
    doe = AccountFactory(name="Department of Energy")
    foia = LegalAuthorityFactory(name="Freedom of Information Act", citation="5 U.S.C. 552")
    plain = LegalAuthorityFactory(name="Agency policy 7", citation="")
    tag = TagFactory(name="FY27 budget")
    parent = ExecutiveActionFactory(
        title="Parent",
        action_type=action_type,
        lead_unit=units["BUR-A"],
        accountable_person=officer,
        in_progress=True,
        due_date=DUE,
    )
    ExecutiveActionFactory(
        title="=SUM(A1) looks like a formula, Café",
        action_type=action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=officer,
        parent=parent,
        partners=[doe],
        legal_authorities=[foia, plain],
        tags=[tag],
        due_date=DUE,
    )
    ExecutiveActionFactory(
        title="Draft",
        action_type=action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=None,
        due_date=None,
    )
    return {"officer": officer, "parent": parent, "foia": foia, "doe": doe}


def export_bytes(resource_class, user, fmt="csv"):
    return imports.write_dataset(resource_class(user=user).export(), fmt)


def load(resource_class, data, name="file.csv"):
    return imports.read_upload(name, data, resource_class)


def run(resource_class, dataset, user, dry_run=False):
    return imports.run_import(resource_class, dataset, user, dry_run=dry_run, file_name="t.csv")


def snapshot(model):
    fields = [f.attname for f in model._meta.concrete_fields]
    return {
        obj.pk: (
            tuple(getattr(obj, f) for f in fields),
            tuple(
                tuple(sorted(getattr(obj, m.name).values_list("pk", flat=True)))
                for m in model._meta.many_to_many
            ),
        )
        for obj in model.objects.all()
    }


def csv_bytes(headers, rows, encoding="utf-8"):
    data = tablib.Dataset(*rows, headers=headers)
    return data.export("csv").encode(encoding)


def new_row(**values):
    row = {
        "Number": "",
        "Title": "Imported tasker",
        "Type": "Tasker",
        "Status": "Draft",
        "Lead unit (code)": "OFF-A1",
        "Due date": "2026-10-01",
    }
    row.update(values)
    return row


def dataset_of(rows):
    headers = list(rows[0])
    return tablib.Dataset(*[[r.get(h, "") for h in headers] for r in rows], headers=headers)


def errors_of(report):
    return {(r.row, column): message for r in report.invalid for column, message in r.errors}


# --- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "resource_class",
    [
        ExecutiveActionResource,
        OrganizationUnitResource,
        PersonResource,
        AccountResource,
        LegalAuthorityResource,
        ExecutiveActionTypeResource,
    ],
)
def test_export_then_import_changes_nothing_and_writes_no_history(
    agency, administrator, resource_class, fmt
):
    model = resource_class._meta.model
    before, history_before = snapshot(model), model.history.count()
    dataset = load(resource_class, export_bytes(resource_class, administrator, fmt), f"x.{fmt}")
    report = run(resource_class, dataset, administrator)
    assert report.invalid == []
    assert (report.new_count, report.update_count) == (0, 0)
    assert report.unchanged == model.objects.count()
    assert snapshot(model) == before
    assert model.history.count() == history_before


def test_an_edited_cell_changes_only_that_field(agency, administrator):
    dataset = load(ExecutiveActionResource, export_bytes(ExecutiveActionResource, administrator))
    draft = ExecutiveAction.objects.get(title="Draft")
    index = list(dataset["Number"]).index(draft.number)
    row = list(dataset[index])
    row[dataset.headers.index("Priority")] = "critical"
    dataset[index] = row
    before = snapshot(ExecutiveAction)
    report = run(ExecutiveActionResource, dataset, administrator)
    assert (report.update_count, report.invalid_count) == (1, 0)
    after = snapshot(ExecutiveAction)
    assert [pk for pk in before if before[pk] != after[pk]] == [draft.pk]
    draft.refresh_from_db()
    assert draft.priority == "critical"
    assert draft.history.first().history_change_reason == "Imported from t.csv"


# --- all or nothing ----------------------------------------------------------------------


def test_one_bad_row_among_100_imports_nothing_and_names_row_and_column(agency, bob):
    rows = [new_row(Title=f"Tasker {n}") for n in range(100)]
    rows[56]["Lead unit (code)"] = "XYZ"
    count = ExecutiveAction.objects.count()
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert report.invalid_count == 1
    assert errors_of(report) == {(58, "Lead unit (code)"): "Unit code “XYZ” does not exist."}
    assert ExecutiveAction.objects.count() == count


def test_a_clean_file_creates_numbered_actions_with_history(agency, bob, action_type):
    rows = [
        new_row(Title=f"Tasker {n}", **{"Partners (account names)": "Department of Energy"})
        for n in range(3)
    ]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert (report.new_count, report.invalid_count) == (3, 0)
    created = ExecutiveAction.objects.filter(title__startswith="Tasker ").order_by("number")
    assert all(a.number.startswith("EA-") for a in created)
    assert len({a.number for a in created}) == 3
    assert all(a.history.count() == 1 for a in created)
    assert all(a.history.first().history_user == bob for a in created)
    assert [list(a.partners.all()) for a in created] == [[agency["doe"]]] * 3


def test_preview_writes_nothing(agency, bob):
    count, history = ExecutiveAction.objects.count(), ExecutiveAction.history.count()
    report = run(ExecutiveActionResource, dataset_of([new_row()]), bob, dry_run=True)
    assert report.new_count == 1
    assert (ExecutiveAction.objects.count(), ExecutiveAction.history.count()) == (count, history)


# --- each error kind ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"Lead unit (code)": "XYZ"}, "Lead unit (code)", "Unit code “XYZ” does not exist."),
        (
            {"Due date": "2026-02-30"},
            "Due date",
            "“2026-02-30” is not a day of the calendar: check the day and month.",
        ),
        (
            {"Priority": "Urgent"},
            "Priority",
            "“Urgent” is not one of the allowed values: Low, Medium, High, Critical.",
        ),
        ({"Type": "Memo"}, "Type", "Action type “Memo” does not exist."),
        ({"Tags": "unknown tag"}, "Tags", "Tag “unknown tag” does not exist."),
        (
            {"Security classification": "Secret"},
            "Security classification",
            "This installation may hold information up to Controlled Unclassified Information "
            "(CUI); Secret is not allowed here.",
        ),
        (
            {"Status": "In progress", "Lead unit (code)": ""},
            "Status",
            "A new action imported as “In progress” must be issuable: Set the lead unit "
            "before issuing.",
        ),
        (
            {"Number": "EA-1999-99999"},
            "Number",
            "No action numbered “EA-1999-99999” exists, "
            "or you may not see it. Leave Number empty to create a new action.",
        ),
        (
            {"Issued by (e-mail)": "officer@agency.example.gov"},
            "Issued by (e-mail)",
            "The issuer is whoever creates the action (for an import: you) and does not change "
            "afterwards; leave this column as exported (empty for a new action).",
        ),
        ({"Percent complete": "half"}, "Percent complete", "“half” is not a number."),
    ],
)
def test_each_error_kind_is_reported_in_plain_words(agency, bob, settings, values, column, message):
    settings.MAX_SECURITY_CLASSIFICATION = "cui"
    report = run(ExecutiveActionResource, dataset_of([new_row(**values)]), bob)
    assert errors_of(report)[(2, column)] == message


def test_accepted_choice_spellings_are_label_or_value_in_any_case(agency, bob):
    rows = [new_row(Priority=p, Title=p) for p in ("HIGH", "high", "High", "critical")]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert report.invalid == []
    stored = dict(
        ExecutiveAction.objects.filter(title__in=["HIGH", "critical"]).values_list(
            "title", "priority"
        )
    )
    assert stored == {"HIGH": "high", "critical": "critical"}


def test_duplicate_numbers_in_the_file_are_refused(agency, bob):
    number = agency["parent"].number
    rows = [
        new_row(Number=number, Title="Parent", Status="In progress"),
        new_row(Number=number, Title="Parent again", Status="In progress"),
    ]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert errors_of(report)[(3, "Number")] == (
        f"“{number}” appears more than once in the file (first in row 2)."
    )


def test_a_status_move_the_machine_refuses_is_an_error(agency, bob):
    parent = agency["parent"]
    dataset = load(ExecutiveActionResource, export_bytes(ExecutiveActionResource, bob))
    index = list(dataset["Number"]).index(parent.number)
    row = list(dataset[index])
    row[dataset.headers.index("Status")] = "Draft"
    dataset[index] = row
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report)[(index + 2, "Status")] == (
        "An action that is “In progress” cannot move to “Draft”."
    )
    parent.refresh_from_db()
    assert parent.status == ActionStatus.IN_PROGRESS


def test_an_allowed_status_move_and_a_new_due_date_go_through_the_services(agency, bob):
    parent = agency["parent"]
    rows = [
        {
            "Number": parent.number,
            "Title": "Parent",
            "Type": "Tasker",
            "Status": "Submitted for review",
            "Due date": "2026-12-31",
            "Version": parent.version,
        }
    ]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert report.invalid == [] and report.update_count == 1
    parent.refresh_from_db()
    assert (parent.status, parent.due_date) == ("submitted", datetime.date(2026, 12, 31))
    change = DueDateChange.objects.get(action=parent)
    assert (change.old_due_date, change.reason) == (DUE, "Imported from t.csv")


def test_an_action_of_another_unit_cannot_be_changed(agency, bob, charlie, action_type, units):
    theirs = ExecutiveActionFactory(
        title="Theirs",
        action_type=action_type,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        visibility="public",
    )
    rows = [
        {"Number": theirs.number, "Title": "Mine now", "Type": "Tasker", "Version": theirs.version}
    ]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert errors_of(report) == {
        (2, "Number"): f"You may not change {theirs.number}: only its lead unit, its issuer and "
        "managers of its units may."
    }
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_a_hidden_action_is_not_found(agency, bob, charlie, action_type, units):
    hidden = ExecutiveActionFactory(
        title="Secret work",
        action_type=action_type,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        visibility="confidential",
    )
    rows = [{"Number": hidden.number, "Title": "x", "Type": "Tasker"}]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert "exists, or you may not see it" in errors_of(report)[(2, "Number")]


def test_units_resolve_their_parent_by_code_from_earlier_rows(administrator, units):
    rows = [
        {"Code": "NEW-1", "Name": "New bureau", "Parent unit (code)": "AGENCY"},
        {"Code": "NEW-1-A", "Name": "New office", "Parent unit (code)": "new-1"},
    ]
    report = run(OrganizationUnitResource, dataset_of(rows), administrator)
    assert report.invalid == [] and report.new_count == 2
    assert OrganizationUnit.objects.get(code="NEW-1-A").parent.code == "NEW-1"


def test_people_match_by_email_and_unknown_unit_is_named(administrator, units):
    jane = PersonFactory(email="jane@agency.example.gov", first_name="Jane", organization_unit=None)
    rows = [
        {
            "E-mail": "JANE@agency.example.gov",
            "First name": "Janet",
            "Last name": "Doe",
            "Unit (code)": "OFF-A1",
            "Version": jane.version,
        },
        {
            "E-mail": "max@agency.example.gov",
            "First name": "Max",
            "Last name": "Roe",
            "Unit (code)": "NOPE",
        },
    ]
    report = run(PersonResource, dataset_of(rows), administrator)
    assert errors_of(report) == {(3, "Unit (code)"): "Unit code “NOPE” does not exist."}
    assert Person.objects.get(email="jane@agency.example.gov").first_name == "Jane"


def test_legal_authorities_match_by_citation_then_by_name(administrator, db):
    cited = LegalAuthorityFactory(name="FOIA", citation="5 U.S.C. 552")
    uncited = LegalAuthorityFactory(name="Agency policy 7", citation="")
    rows = [
        {
            "Citation": "5 U.S.C. 552",
            "Name": "Freedom of Information Act",
            "Summary": "",
            "Version": cited.version,
        },
        {
            "Citation": "",
            "Name": "Agency policy 7",
            "Summary": "Updated",
            "Version": uncited.version,
        },
    ]
    report = run(LegalAuthorityResource, dataset_of(rows), administrator)
    assert (report.update_count, report.new_count, report.invalid_count) == (2, 0, 0)
    cited.refresh_from_db(), uncited.refresh_from_db()
    assert (cited.name, uncited.summary) == ("Freedom of Information Act", "Updated")


# --- files ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_are_all_read(agency, bob, encoding):
    data = csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)"],
        [["", "Réponse au Café – “draft”", "Tasker", "OFF-A1"]],
        encoding,
    )
    report = run(ExecutiveActionResource, load(ExecutiveActionResource, data), bob)
    assert report.invalid == []
    assert ExecutiveAction.objects.filter(title="Réponse au Café – “draft”").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "taskers.pdf",
            b"x",
            "“taskers.pdf” is not a CSV or Excel file: upload a .csv or .xlsx file.",
        ),
        ("taskers.csv", b"", "The file is empty."),
        ("taskers.csv", b"Number,Title,Type\n", "The file has a header row but no data rows."),
        (
            "taskers.csv",
            b"Title,Due date\nx,2026-01-01\n",
            "The file lacks the required column(s): “Number”, “Type”. Download the template to "
            "see the expected headers.",
        ),
        (
            "taskers.xlsx",
            b"not a workbook",
            "This file could not be read as an Excel (.xlsx) workbook: it may be damaged, "
            "protected with a password, or another kind of file. Open it in Excel and save it "
            "again as .xlsx, or save it as CSV.",
        ),
    ],
)
def test_bad_files_get_clear_messages(name, data, message):
    with pytest.raises(imports.ImportFileError) as error:
        imports.read_upload(name, data, ExecutiveActionResource)
    assert str(error.value) == message


def test_a_file_over_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(imports.ImportFileError, match="files may be at most"):
        imports.read_upload("a.csv", b"Number,Title,Type\n" + b"x" * 200, ExecutiveActionResource)


def test_template_has_the_headers_and_an_example_row(client, bob):
    client.force_login(bob)
    response = client.get(reverse("import_template", args=["executive-actions", "csv"]))
    dataset = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    assert dataset.headers == ExecutiveActionResource.headers()
    assert len(dataset) == 1


# --- pages and permissions --------------------------------------------------------------


def upload(client, resource, data, name="taskers.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("import"), {"resource": resource, "file": file})


def test_manager_previews_then_confirms(client, agency, bob):
    client.force_login(bob)
    data = csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)"], [["", "From the page", "Tasker", "OFF-A1"]]
    )
    preview = upload(client, "executive-actions", data)
    assert preview.status_code == 200
    assert b"1 to create" in preview.content
    assert not ExecutiveAction.objects.filter(title="From the page").exists()
    token = preview.context["token"]
    confirm = client.post(
        reverse("import_confirm"),
        {"resource": "executive-actions", "token": token, "file_name": "taskers.csv"},
    )
    assert confirm.status_code == 302
    assert ExecutiveAction.objects.filter(title="From the page").count() == 1
    again = client.post(
        reverse("import_confirm"),
        {"resource": "executive-actions", "token": token, "file_name": "taskers.csv"},
    )
    assert again.status_code == 302
    assert ExecutiveAction.objects.filter(title="From the page").count() == 1


def test_preview_lists_errors_and_offers_no_confirm(client, agency, bob):
    client.force_login(bob)
    data = csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)"],
        [["", "Ok", "Tasker", "OFF-A1"], ["", "Bad", "Tasker", "XYZ"]],
    )
    response = upload(client, "executive-actions", data)
    assert response.context["token"] == ""
    assert "Unit code “XYZ” does not exist." in response.content.decode()
    assert b"import_confirm" not in response.content and b'name="token"' not in response.content


def test_a_token_of_another_user_imports_nothing(client, agency, bob, administrator):
    client.force_login(bob)
    data = csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)"], [["", "Bob's", "Tasker", "OFF-A1"]]
    )
    token = upload(client, "executive-actions", data).context["token"]
    client.force_login(administrator)
    client.post(
        reverse("import_confirm"),
        {"resource": "executive-actions", "token": token, "file_name": "taskers.csv"},
    )
    assert not ExecutiveAction.objects.filter(title="Bob's").exists()


@pytest.mark.parametrize("who", ["alice", "viewer"])
def test_staff_and_viewers_cannot_import(db, client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("import")).status_code == 403
    assert b'href="/import/"' not in client.get(reverse("search")).content
    data = csv_bytes(["Number", "Title", "Type"], [["", "x", "Tasker"]])
    assert upload(client, "executive-actions", data).status_code == 403


def test_managers_may_import_actions_but_not_reference_data(client, bob):
    client.force_login(bob)
    response = client.get(reverse("import"))
    assert response.status_code == 200
    assert [r.slug for r in response.context["resources"]] == ["executive-actions"]
    assert b'href="/import/"' in response.content
    data = csv_bytes(["Code", "Name"], [["X1", "Unit"]])
    assert upload(client, "organization-units", data).status_code == 400
    assert not OrganizationUnit.objects.filter(code="X1").exists()


def test_export_contains_only_visible_actions(client, agency, charlie, action_type, units):
    hidden = ExecutiveActionFactory(
        title="Hidden from bob",
        action_type=action_type,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        visibility="confidential",
    )
    client.force_login(charlie)
    response = client.get(reverse("import_export", args=["executive-actions", "csv"]))
    assert hidden.number.encode() in response.content
    from tests.conftest import make_user

    outsider = make_user("olga", "Manager", units["BUR-A"])
    client.force_login(outsider)
    response = client.get(reverse("import_export", args=["executive-actions", "csv"]))
    assert hidden.number.encode() not in response.content
    assert agency["parent"].number.encode() in response.content


def test_an_unknown_column_is_refused_rather_than_ignored():
    data = b"Number,Title,Type,Partners\n,x,Tasker,DOE\n"
    with pytest.raises(imports.ImportFileError) as error:
        imports.read_upload("a.csv", data, ExecutiveActionResource)
    assert "“Partners”" in str(error.value)
