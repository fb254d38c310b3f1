"""Import through the one write policy (issue 13): every row is asked ``policy.may`` and the
field rules, workflow facts never come from a file, status moves go through the status
machine, and no import overwrites a change made after the file was exported."""

import datetime
import io
import threading

import pytest
import tablib
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import policy
from actions import resources as resources_module
from actions.demo.actions import ExecutiveActionFactory, TagFactory
from actions.demo.analysis import RiskItemFactory
from actions.demo.partners import AccountFactory
from actions.models import ExecutiveAction
from actions.resources import FIXED_MESSAGES, ExecutiveActionResource
from analysis.models import RiskItem
from execcoord import imports, registry
from execcoord.history import StaleRows, bulk_update_with_history
from execcoord.models import StaleEdit
from partners.access import ROLE_MANAGER
from partners.models import Account, OrganizationUnit
from partners.resources import AccountResource, OrganizationUnitResource
from tests.conftest import DUE, in_progress_tasker, make_user
from tests.generic import model_data
from tests.test_import import dataset_of, errors_of, export_bytes, load, new_row, run, snapshot
from tests.test_numbering import _in_thread
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


@pytest.fixture
def theirs(units, charlie, action_type):
    """An internal tasker of OFF-B1 that bob sees but does not work on."""
    return in_progress_tasker(
        "Their work", units["OFF-B1"], charlie.person, action_type=action_type
    )


@pytest.fixture
def sub_tasker(tasker, units, alice):
    """A sub-tasker of ``tasker`` (which makes it a parent, its progress rolled up)."""
    return ExecutiveActionFactory(
        parent=tasker,
        action_type=tasker.action_type,
        lead_unit=units["OFF-A1"],
        accountable_person=alice.person,
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


def opened_form(action, user, changes):
    """The app's edit form of ``action`` as ``user`` opens it now, with ``changes`` typed."""
    data, _ = model_data.form_data(registry.get(ExecutiveAction).form, action, user)
    return {**data, **{name: str(value) for name, value in changes.items()}}


def edit_url(action):
    return reverse("actions:executiveaction_edit", args=[action.pk])


def latest_change(record):
    return record.history.order_by("-history_date").select_related("history_user").first()


def changed_by(record, who):
    when = timezone.localtime(latest_change(record).history_date)
    return (
        f"“{record.number if hasattr(record, 'number') else record}” was changed by {who} on "
        f"{when:%d %b %Y %H:%M} after your export; importing this row would undo that change. "
        "Export again and make your edit in the new file."
    )


# --- the Version column ------------------------------------------------------------------


def test_every_export_and_template_carries_the_version(client, tasker, bob):
    dataset = exported(bob)
    assert dataset.headers[-1] == "Version"
    assert [str(v) for v in dataset["Version"]] == [str(tasker.version)]
    for resource in imports.all_resources():
        if any(f.name == "version" for f in resource._meta.model._meta.concrete_fields):
            assert resource.headers()[-1] == "Version", resource
    client.force_login(bob)
    response = client.get(reverse("import_template", args=["executive-actions", "csv"]))
    template = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    assert template.headers[-1] == "Version"


# --- workflow facts never come from a file -----------------------------------------------


# (column, a value, the fact): what no row of a file sets
WORKFLOW_FACTS = [
    ("Issued by (e-mail)", "alice@agency.example.gov", "issued_by"),
    ("Issuing unit (code)", "OFF-B1", "issuing_unit"),
    ("Issue date", "2026-01-05", "issue_date"),
    ("Completed date", "2026-01-06", "completed_date"),
]


@pytest.mark.parametrize(("header", "value", "fact"), WORKFLOW_FACTS)
def test_a_new_row_may_not_set_a_workflow_fact(tasker, bob, header, value, fact):
    count = ExecutiveAction.objects.count()
    report = run(ExecutiveActionResource, dataset_of([new_row(**{header: value})]), bob)
    assert errors_of(report) == {(2, header): FIXED_MESSAGES[fact]}
    assert ExecutiveAction.objects.count() == count


@pytest.mark.parametrize(
    ("header", "value", "fact"),
    [
        *WORKFLOW_FACTS,
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


@pytest.mark.usefixtures("sub_tasker")
def test_percent_complete_of_a_parent_is_rolled_up_not_imported(tasker, bob):
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


@pytest.mark.usefixtures("sub_tasker")
def test_workflow_columns_left_as_exported_are_ignored(tasker, bob):
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
    due = theirs.due_date.isoformat()  # not after the parent's: only the right is missing
    row = new_row(**{"Parent action (number)": theirs.number, "Due date": due})
    report = run(ExecutiveActionResource, dataset_of([row]), bob)
    assert errors_of(report) == {
        (2, "Parent action (number)"): f"You may not add sub-taskers to {theirs.number}."
    }


def test_an_imported_sub_tasker_due_after_its_parent_needs_a_reason(alice, units):
    parent = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    late = (parent.due_date + datetime.timedelta(days=3)).isoformat()
    row = new_row(**{"Parent action (number)": parent.number, "Due date": late})
    report = run(ExecutiveActionResource, dataset_of([row]), alice)
    assert "say why, or choose an earlier date" in " ".join(errors_of(report).values())
    assert not parent.children.exists()


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


# --- no lost update ----------------------------------------------------------------------


def test_reimporting_an_export_after_an_edit_refuses_that_row_and_reverts_nothing(
    client, tasker, bob, alice, units
):
    other = ExecutiveActionFactory(lead_unit=units["OFF-A1"], accountable_person=alice.person)
    dataset = exported(bob)
    mine = edit(dataset, tasker.number, {})
    edit(dataset, other.number, {"Notes": "Bob's note"})
    client.force_login(alice)
    response = client.post(edit_url(tasker), opened_form(tasker, alice, {"title": "Alice's"}))
    assert response.status_code == 302
    tasker.refresh_from_db()
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {(mine, "Version"): changed_by(tasker, "alice")}
    assert ExecutiveAction.objects.get(pk=tasker.pk).title == "Alice's"
    assert ExecutiveAction.objects.get(pk=other.pk).notes == ""  # all or nothing


def test_a_row_that_changes_a_record_without_its_version_is_refused(tasker, bob):
    dataset = exported(bob)
    row = edit(dataset, tasker.number, {"Title": "No version"})
    del dataset["Version"]
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {
        (row, "Version"): f"This row changes “{tasker.number}” but carries no Version: make "
        "your edits in a file exported from here (its Version column tells whether someone "
        "changed the record since) and import that."
    }


def test_a_stale_row_that_changes_nothing_is_skipped(tasker, bob):
    dataset = exported(bob)
    tasker.title = "Briefly renamed"
    tasker.save()
    tasker.title = "Budget response"
    tasker.save()
    report = run(ExecutiveActionResource, dataset, bob)
    assert (report.invalid, report.unchanged) == ([], 1)


def test_an_action_saved_while_the_file_is_imported_refuses_its_row(
    monkeypatch, tasker, bob, alice
):
    """The rows were checked against the versions loaded first; before writing, the import
    locks the actions and finds one saved since (one connection here: see the PostgreSQL
    test below for two)."""
    load_rows = ExecutiveActionResource._load
    saved = {}

    def load_then_alice_saves(self, dataset, **kwargs):
        load_rows(self, dataset, **kwargs)
        meanwhile = ExecutiveAction.objects.get(pk=tasker.pk)
        meanwhile.title, meanwhile._history_user = "Saved meanwhile", alice
        meanwhile.save()
        saved["message"] = changed_by(meanwhile, "alice")

    def never(*args, **kwargs):
        raise AssertionError("nothing is written over a newer version")

    dataset = exported(bob)
    row = edit(dataset, tasker.number, {"Notes": "Bob's note"})
    monkeypatch.setattr(ExecutiveActionResource, "_load", load_then_alice_saves)
    monkeypatch.setattr(resources_module, "bulk_update_with_history", never)
    report = run(ExecutiveActionResource, dataset, bob)
    assert errors_of(report) == {(row, "Version"): saved["message"]}
    assert (report.update_count, report.invalid_count) == (0, 1)


def test_a_record_saved_while_the_file_is_imported_refuses_its_row_one_by_one_too(
    monkeypatch, administrator, alice
):
    account = AccountFactory(name="Department of Energy", city="Washington")
    prepare = AccountResource.before_import

    def load_then_alice_saves(self, dataset, **kwargs):
        prepare(self, dataset, **kwargs)
        meanwhile = Account.objects.get(pk=account.pk)
        meanwhile.city, meanwhile._history_user = "Germantown", alice
        meanwhile.save()

    dataset = exported(administrator, AccountResource)
    row = edit(dataset, account.name, {"City": "Oak Ridge"})
    monkeypatch.setattr(AccountResource, "before_import", load_then_alice_saves)
    report = run(AccountResource, dataset, administrator)
    account.refresh_from_db()
    when = timezone.localtime(latest_change(account).history_date)
    assert errors_of(report) == {
        (row, "Version"): f"“{account.name}” was changed by alice on {when:%d %b %Y %H:%M} "
        "after your export; importing this row would undo that change. Export again and make "
        "your edit in the new file."
    }
    assert (report.update_count, report.invalid_count) == (0, 1)


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): two connections writing at once")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_save_committed_while_an_import_runs_is_kept_and_refuses_its_row(
    monkeypatch, tasker, bob, alice
):
    """Two connections: the import has read the file's actions when alice saves one and
    commits; the import then refuses that row instead of writing over her change."""
    _require_postgres()
    loaded, saved = threading.Event(), threading.Event()
    load_rows = ExecutiveActionResource._load

    def load_then_wait(self, dataset, **kwargs):
        load_rows(self, dataset, **kwargs)
        loaded.set()
        saved.wait(timeout=10)

    dataset = exported(bob)
    row = edit(dataset, tasker.number, {"Notes": "Bob's note"})
    monkeypatch.setattr(ExecutiveActionResource, "_load", load_then_wait)
    reports = []
    thread, errors = _in_thread(lambda: reports.append(run(ExecutiveActionResource, dataset, bob)))
    assert loaded.wait(timeout=10)
    meanwhile = ExecutiveAction.objects.get(pk=tasker.pk)
    meanwhile.title, meanwhile._history_user = "Saved meanwhile", alice
    meanwhile.save()
    saved.set()
    thread.join(timeout=30)
    assert not errors, errors
    tasker.refresh_from_db()
    assert errors_of(reports[0]) == {(row, "Version"): changed_by(tasker, "alice")}
    assert (tasker.title, tasker.notes) == ("Saved meanwhile", "")


def test_a_file_that_moves_a_unit_and_edits_its_sub_unit_imports_whole(administrator, units):
    dataset = exported(administrator, OrganizationUnitResource)
    edit(dataset, "BUR-A", {"Parent unit (code)": "BUR-B"})  # moves OFF-A1 with it
    row = edit(dataset, "OFF-A1", {"Name": "Office A1, renamed"})
    assert row > 3  # the sub-unit's row comes after its parent's
    report = run(OrganizationUnitResource, dataset, administrator)
    assert (report.invalid, report.update_count) == ([], 2)
    office = OrganizationUnit.objects.get(code="OFF-A1")
    assert office.name == "Office A1, renamed"
    assert office.get_ancestors().filter(code="BUR-B").exists()


def test_a_form_opened_before_an_import_is_refused_with_who_and_when(client, tasker, bob, alice):
    opened = opened_form(tasker, alice, {"title": "Alice's"})
    dataset = exported(bob)
    edit(dataset, tasker.number, {"Title": "Bob's import"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert (report.invalid, report.update_count) == ([], 1)
    client.force_login(alice)
    response = client.post(edit_url(tasker), opened)
    assert response.status_code == 409
    when = timezone.localtime(latest_change(tasker).history_date)
    assert f"This record was changed by bob at {when:%d %b %Y %H:%M}" in response.content.decode()
    tasker.refresh_from_db()
    assert tasker.title == "Bob's import"


def test_links_changed_by_import_grow_the_version_and_refuse_an_open_form(
    client, tasker, bob, alice
):
    TagFactory(name="FY27 budget")
    opened = opened_form(tasker, alice, {"title": "Alice's"})
    version = tasker.version
    dataset = exported(bob)
    edit(dataset, tasker.number, {"Tags": "FY27 budget"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert (report.invalid, report.update_count) == ([], 1)
    tasker.refresh_from_db()
    assert tasker.version == version + 1
    linked = latest_change(tasker)
    assert (linked.history_change_reason, linked.history_user) == ("Linked tags: FY27 budget", bob)
    client.force_login(alice)
    response = client.post(edit_url(tasker), opened)
    assert response.status_code == 409
    assert "This record was changed by bob at" in response.content.decode()
    assert [t.name for t in tasker.tags.all()] == ["FY27 budget"]


def test_a_changed_field_and_links_in_one_row_are_one_import(tasker, bob):
    TagFactory(name="FY27 budget")
    version = tasker.version
    dataset = exported(bob)
    edit(dataset, tasker.number, {"Tags": "FY27 budget", "Notes": "Tagged"})
    report = run(ExecutiveActionResource, dataset, bob)
    assert report.invalid == []
    tasker.refresh_from_db()
    assert tasker.notes == "Tagged" and tasker.version == version + 2
    reasons = [h.history_change_reason for h in tasker.history.order_by("-history_date")[:2]]
    assert reasons == ["Linked tags: FY27 budget", "Imported from t.csv"]


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


def test_new_rows_beyond_draft_cost_no_query_a_row(bob, alice, action_type):
    def queries_to_create(count):
        rows = [
            new_row(
                Title=f"New {count}-{n}",
                Status="In progress",
                **{"Accountable person (e-mail)": alice.person.email},
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            report = run(ExecutiveActionResource, dataset_of(rows), bob)
        assert (report.invalid, report.new_count) == ([], count)
        return len(captured.captured_queries)

    queries_to_create(1)
    assert queries_to_create(3) == queries_to_create(13)


# --- the admin's import is the same import ------------------------------------------------


def test_the_admin_import_asks_the_same_policy_per_row(client, tasker, administrator, alice):
    dataset = exported(administrator)
    tasker.title, tasker._history_user = "Changed after the export", alice
    tasker.save()
    edit(dataset, tasker.number, {"Notes": "From the admin"})
    forged = new_row(**{"Issued by (e-mail)": alice.person.email})
    dataset.append([forged.get(header, "") for header in dataset.headers])
    upload = io.BytesIO(imports.write_dataset(dataset, "csv"))
    upload.name = "admin.csv"
    count = ExecutiveAction.objects.count()
    client.force_login(administrator)
    # the admin's Import goes to the app's import page: one reader, one policy per row
    admin_import = client.get(reverse("admin:actions_executiveaction_import"))
    assert admin_import.status_code == 302
    assert admin_import["Location"].startswith(reverse("import"))
    response = client.post(
        admin_import["Location"], {"resource": "executive-actions", "file": upload}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "alice" in page and "Issued by" in page
    assert ExecutiveAction.objects.count() == count
    tasker.refresh_from_db()
    assert tasker.notes == ""
