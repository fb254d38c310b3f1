"""Import through the one write policy (issue 13): every row is asked ``policy.may`` and the
field rules, workflow facts never come from a file, status moves go through the status
machine."""

import datetime
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import policy
from actions.models import ExecutiveAction
from actions.resources import FIXED_MESSAGES, ExecutiveActionResource
from analysis.models import RiskItem
from execcoord import imports
from execcoord.history import StaleRows, bulk_update_with_history
from execcoord.models import StaleEdit
from partners.access import ROLE_MANAGER
from partners.models import Account
from tests.conftest import make_user
from tests.factories.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from tests.factories.analysis import RiskItemFactory
from tests.factories.partners import AccountFactory
from tests.test_import import dataset_of, errors_of, export_bytes, load, new_row, run, snapshot
from tests.workflow_support import TODAY, S, action_in, attach

# --- the bulk path is compare-and-swap too -------------------------------------------------

BULK_CASES = [
    (AccountFactory, Account, "city", "Annapolis"),
    (RiskItemFactory, RiskItem, "mitigation_plan", "Hedge"),
    (ExecutiveActionFactory, ExecutiveAction, "notes", "Bulk note"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("factory", "model", "name", "value"), BULK_CASES)
def test_a_bulk_update_grows_every_version_and_its_history_carries_it(factory, model, name, value):
    records = factory.create_batch(2)
    read = {r.pk: r.version for r in records}
    for record in records:
        setattr(record, name, value)
    bulk_update_with_history(records, [name], reason="Bulk")
    for record in model.objects.filter(pk__in=read):
        assert record.version == read[record.pk] + 1
        latest = record.history.first()
        assert (latest.version, latest.history_change_reason) == (record.version, "Bulk")


@pytest.mark.django_db
@pytest.mark.parametrize(("factory", "model", "name", "value"), BULK_CASES)
def test_a_bulk_update_writes_nothing_when_a_row_was_saved_since_it_was_read(
    factory, model, name, value
):
    mine, theirs = factory.create_batch(2)
    meanwhile = model.objects.get(pk=theirs.pk)
    meanwhile.save()  # someone else saves it after this code read it
    setattr(mine, name, value)
    setattr(theirs, name, value)
    with pytest.raises(StaleRows) as refused:
        bulk_update_with_history([mine, theirs], [name])
    assert refused.value.instances == [theirs]
    assert getattr(model.objects.get(pk=mine.pk), name) != value
    assert model.objects.get(pk=theirs.pk).version == meanwhile.version
    assert (mine.version, theirs.version) == (
        model.objects.get(pk=mine.pk).version,
        meanwhile.version - 1,
    )


@pytest.mark.django_db
def test_a_save_of_a_record_changed_since_it_was_read_raises_stale_edit():
    mine = AccountFactory(city="Baltimore")
    theirs = Account.objects.get(pk=mine.pk)
    theirs.city = "Annapolis"
    theirs.save()
    mine.city = "Mine"
    with pytest.raises(StaleEdit), transaction.atomic():
        mine.save()
    assert mine.version == theirs.version - 1  # still the version it was read at
    assert Account.objects.get(pk=mine.pk).city == "Annapolis"


# --- fixtures and helpers ------------------------------------------------------------------

DUE = datetime.date(2026, 9, 30)


@pytest.fixture
def action_type(db):
    return ExecutiveActionTypeFactory(name="Tasker", number_prefix="EA")


@pytest.fixture
def tasker(units, alice, action_type):
    """An in-progress tasker of OFF-A1: alice works on it, bob manages its unit."""
    return ExecutiveActionFactory(
        title="Budget response",
        action_type=action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        in_progress=True,
        due_date=DUE,
    )


@pytest.fixture
def theirs(units, charlie, action_type):
    """An internal tasker of OFF-B1 that bob sees but does not work on."""
    return ExecutiveActionFactory(
        title="Their work",
        action_type=action_type,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        in_progress=True,
        due_date=DUE,
    )


@pytest.fixture
def mona(units):
    """A Manager of OFF-B1: she may import, and she manages nothing of BUR-A."""
    return make_user("mona", ROLE_MANAGER, units["OFF-B1"])


def exported(user, resource=ExecutiveActionResource):
    """The user's export, read back as an upload."""
    return load(resource, export_bytes(resource, user))


def edit(dataset, key, cells):
    """Change ``cells`` (``{header: value}``) of the row whose first column is ``key``;
    returns the row's spreadsheet number."""
    index = [str(v) for v in dataset[dataset.headers[0]]].index(key)
    row = list(dataset[index])
    for header, value in cells.items():
        row[dataset.headers.index(header)] = value
    dataset[index] = row
    return index + 2


def stored(action):
    return snapshot(ExecutiveAction)[action.pk]


# --- workflow facts never come from a file -----------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "fact"),
    [
        ("Issued by (e-mail)", "alice@agency.example.gov", "issued_by"),
        ("Issuing unit (code)", "OFF-B1", "issuing_unit"),
        ("Issue date", "2026-01-05", "issue_date"),
        ("Completed date", "2026-01-06", "completed_date"),
    ],
)
def test_a_new_row_may_not_set_a_workflow_fact(tasker, bob, header, value, fact):
    count = ExecutiveAction.objects.count()
    report = run(ExecutiveActionResource, dataset_of([new_row(**{header: value})]), bob)
    assert errors_of(report) == {(2, header): FIXED_MESSAGES[fact]}
    assert ExecutiveAction.objects.count() == count


@pytest.mark.parametrize(
    ("header", "value", "fact"),
    [
        ("Issued by (e-mail)", "alice@agency.example.gov", "issued_by"),
        ("Issuing unit (code)", "OFF-B1", "issuing_unit"),
        ("Issue date", "2026-01-05", "issue_date"),
        ("Completed date", "2026-01-06", "completed_date"),
        ("Lead unit (code)", "BUR-A", "lead_unit"),
        ("Accountable person (e-mail)", "bob@agency.example.gov", "accountable_person"),
    ],
)
def test_an_exported_row_may_not_change_a_workflow_fact(tasker, bob, header, value, fact):
    dataset = exported(bob)
    row = edit(dataset, tasker.number, {header: value, "Title": "Renamed"})
    before = stored(tasker)
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {(row, header): FIXED_MESSAGES[fact]}
    assert stored(tasker) == before


def test_percent_complete_of_a_parent_is_rolled_up_not_imported(tasker, bob, units, alice):
    ExecutiveActionFactory(
        parent=tasker,
        action_type=tasker.action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
    )
    dataset = exported(bob)
    row = edit(dataset, tasker.number, {"Percent complete": 90})
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {(row, "Percent complete"): FIXED_MESSAGES["percent_complete"]}
    tasker.refresh_from_db()
    assert tasker.percent_complete == 40


def test_a_due_date_moves_by_import_only_for_those_who_assign(tasker, mona):
    tasker.executive_sponsor = mona.person  # she works on it, but does not assign it
    tasker.save()
    dataset = exported(mona)
    row = edit(dataset, tasker.number, {"Due date": "2026-12-31", "Notes": "Sponsor's note"})
    report = run(ExecutiveActionResource, dataset, mona)
    assert errors_of(report) == {(row, "Due date"): FIXED_MESSAGES["due_date"]}
    tasker.refresh_from_db()
    assert tasker.due_date == DUE


def test_workflow_columns_left_as_exported_are_ignored(tasker, bob, units, alice):
    ExecutiveActionFactory(
        parent=tasker,
        action_type=tasker.action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
    )
    dataset = exported(bob)
    edit(dataset, tasker.number, {"Title": "Renamed by import"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert (report.invalid, report.update_count) == ([], 1)
    tasker.refresh_from_db()
    assert tasker.title == "Renamed by import"


def test_a_new_row_is_issued_by_the_importing_user(tasker, bob, units):
    rows = [
        new_row(Title="Mine by default"),
        new_row(Title="Mine by name", **{"Issued by (e-mail)": "bob@agency.example.gov"}),
    ]
    report = run(ExecutiveActionResource, dataset_of(rows), bob)
    assert (report.invalid, report.new_count) == ([], 2)
    for action in ExecutiveAction.objects.filter(title__startswith="Mine by "):
        assert (action.issued_by, action.issuing_unit) == (bob.person, units["BUR-A"])


def test_a_sub_tasker_needs_the_right_to_edit_its_parent(theirs, bob):
    row = new_row(**{"Parent action (number)": theirs.number})
    report = run(ExecutiveActionResource, dataset_of([row]), bob)
    assert errors_of(report) == {
        (2, "Parent action (number)"): f"You may not add sub-taskers to {theirs.number}."
    }


# --- status moves ------------------------------------------------------------------------


def test_completing_a_submitted_tasker_needs_someone_who_may_approve(bob, units, charlie):
    issued_by_bob = action_in(
        S.SUBMITTED,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        issued_by=bob.person,
        issuing_unit=units["BUR-B"],
    )
    dataset = exported(bob)
    row = edit(dataset, issued_by_bob.number, {"Status": "Completed"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {
        (row, "Status"): "You cannot approve this action: only managers of its units can."
    }
    issued_by_bob.refresh_from_db()
    assert issued_by_bob.status == S.SUBMITTED


def test_completing_by_import_needs_the_close_out_checklist(bob, units, alice):
    submitted = ExecutiveActionFactory(
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        status=S.SUBMITTED,
        issue_date=TODAY,
        original_due_date=DUE,
        due_date=DUE,
    )
    dataset = exported(bob)
    row = edit(dataset, submitted.number, {"Status": "Completed"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {
        (row, "Status"): "A response is attached: no. Attach the response (kind “Response”)."
    }
    attach(submitted)
    dataset = exported(bob)
    edit(dataset, submitted.number, {"Status": "Completed"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert (report.invalid, report.update_count) == ([], 1)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.completed_date) == (S.COMPLETED, TODAY)
    assert submitted.history.first().history_user == bob


def test_each_move_up_to_a_new_taskers_status_is_asked_of_the_policy(
    monkeypatch, bob, alice, action_type
):
    def nobody(user, action):
        return policy.deny("")

    monkeypatch.setitem(policy.MOVE_RULES, "approve", nobody)
    monkeypatch.setitem(policy.MOVE_WHO, nobody, "nobody here")
    row = new_row(Status="Completed", **{"Accountable person (e-mail)": alice.person.email})
    count = ExecutiveAction.objects.count()
    report = run(ExecutiveActionResource, dataset_of([row]), bob)
    assert errors_of(report) == {
        (2, "Status"): "A new action imported as “Completed” needs every move up to it: "
        "You cannot approve this action: only nobody here can."
    }
    assert ExecutiveAction.objects.count() == count
    row["Status"] = "Submitted for review"
    report = run(ExecutiveActionResource, dataset_of([row]), bob)
    assert (report.invalid, report.new_count) == ([], 1)


def test_a_new_tasker_beyond_draft_needs_someone_who_may_issue_it(units, charlie, action_type):
    nora = make_user("nora", ROLE_MANAGER, None)  # a Manager with no unit issues nothing
    row = new_row(
        Status="In progress",
        **{"Lead unit (code)": "OFF-B1", "Accountable person (e-mail)": charlie.person.email},
    )
    report = run(ExecutiveActionResource, dataset_of([row]), nora)
    assert errors_of(report) == {
        (2, "Status"): "A new action imported as “In progress” must be issuable: You cannot "
        "issue this action: only its issuer, the issuing unit and managers of its units can."
    }
    row["Status"] = "Draft"  # a draft, as the create page makes it
    report = run(ExecutiveActionResource, dataset_of([row]), nora)
    assert (report.invalid, report.new_count) == ([], 1)


def test_a_new_tasker_imported_completed_gets_the_dates_of_its_moves(bob, alice, action_type):
    row = new_row(Status="Completed", **{"Accountable person (e-mail)": alice.person.email})
    report = run(ExecutiveActionResource, dataset_of([row]), bob)
    assert (report.invalid, report.new_count) == ([], 1)
    created = ExecutiveAction.objects.get(title="Imported tasker")
    assert (created.issue_date, created.completed_date, created.percent_complete) == (
        TODAY,
        TODAY,
        100,
    )
    assert created.original_due_date == created.due_date


# --- speed: the per-row checks cost no query a row -----------------------------------------


def test_the_policy_checks_cost_no_query_a_row(tasker, bob, units, alice, action_type):
    ExecutiveActionFactory.create_batch(
        12,
        action_type=action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
        in_progress=True,
    )

    def queries_to_rename(count):
        dataset = exported(bob)
        for index in range(count):
            row = list(dataset[index])
            row[dataset.headers.index("Title")] = f"Renamed {count}-{index}"
            dataset[index] = row
        with CaptureQueriesContext(connection) as captured:
            report = run(ExecutiveActionResource, dataset, bob)
        assert (report.invalid, report.update_count) == ([], count)
        return len(captured.captured_queries)

    queries_to_rename(1)  # the user's scope and the content types, read once
    assert queries_to_rename(3) == queries_to_rename(13)


# --- the admin's import is the same import ------------------------------------------------


def test_the_admin_import_asks_the_same_policy_per_row(client, tasker, administrator, alice):
    forged = new_row(**{"Issued by (e-mail)": alice.person.email})
    dataset = dataset_of([forged])
    upload = io.BytesIO(imports.write_dataset(dataset, "csv"))
    upload.name = "admin.csv"
    count = ExecutiveAction.objects.count()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:actions_executiveaction_import"),
        {"format": "0", "resource": "0", "import_file": upload},
    )
    assert response.status_code == 200
    errors = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert errors == {1: {"issued_by": [FIXED_MESSAGES["issued_by"]]}}
    assert "confirm_form" not in response.context
    assert ExecutiveAction.objects.count() == count
