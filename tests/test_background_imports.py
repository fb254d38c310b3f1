"""Large imports are committed by a task (issue 17): the same all-or-nothing import as the
request, as the importing user, once per preview; its run shows the outcome and the report,
and the user is told."""

import io

import pytest
import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from actions.choices import NotificationKind
from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction, Notification
from execcoord import background, imports
from execcoord.models import DeadLetter, ImportRun

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("action_type")]
RESOURCE = "executive-actions"


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def csv_bytes(headers, rows):
    return tablib.Dataset(*rows, headers=headers).export("csv").encode()


def new_rows(*titles):
    return csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)"],
        [["", title, "Tasker", "OFF-A1"] for title in titles],
    )


def preview(client, data, name="taskers.csv"):
    file = io.BytesIO(data)
    file.name = name
    response = client.post(reverse("import"), {"resource": RESOURCE, "file": file})
    assert response.status_code == 200, response.content.decode()[:2000]
    return {"resource": RESOURCE, "token": response.context["token"], "file_name": name}


def test_a_small_import_is_still_committed_in_the_request(client, bob, settings):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client.force_login(bob)
    form = preview(client, new_rows("A", "B", "C"))
    response = client.post(reverse("import_confirm"), form)
    assert response.status_code == 302
    assert response["Location"].startswith("/actions/")
    assert ExecutiveAction.objects.filter(title__in=["A", "B", "C"]).count() == 3
    assert not ImportRun.objects.exists()


def test_a_large_import_runs_as_a_task_and_reports(client, bob, settings, run_tasks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(bob)
    form = preview(client, new_rows("A", "B", "C"))
    with run_tasks():
        response = client.post(reverse("import_confirm"), form)
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("import_run", args=[run.pk])
    assert (run.owner, run.status, run.row_count, run.error) == (bob, "done", 3, "")
    created = ExecutiveAction.objects.filter(title__in=["A", "B", "C"])
    assert created.count() == 3
    assert {a.history.earliest().history_user for a in created} == {bob}
    assert sorted(run.report["pks"]) == sorted(created.values_list("pk", flat=True))
    assert not default_storage.exists(run.path)
    page = client.get(response["Location"]).content.decode()
    assert "Imported taskers.csv: 3 created, 0 updated, 0 unchanged." in page
    [note] = Notification.objects.filter(recipient=bob.person)
    assert (note.kind, note.url) == (NotificationKind.IMPORT_FINISHED, response["Location"])
    assert note.message == "Your import of taskers.csv: imported."


def test_a_preview_confirmed_twice_is_imported_once(client, bob, settings, run_tasks):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client.force_login(bob)
    form = preview(client, new_rows("Once", "Only"))
    first = client.post(reverse("import_confirm"), form)  # queued, not yet run
    second = client.post(reverse("import_confirm"), form)
    assert second["Location"] == first["Location"]
    assert ImportRun.objects.count() == 1
    run = ImportRun.objects.get()
    with run_tasks():
        background.run_import_task.enqueue(run.pk)
        background.run_import_task.enqueue(run.pk)  # a task delivered twice
    imported = ExecutiveAction.objects.filter(title__in=["Once", "Only"])
    assert imported.count() == 2
    # run outside any request: the history still names who imported
    assert {a.history.earliest().history_user for a in imported} == {bob}
    third = client.post(reverse("import_confirm"), form)
    assert third.status_code == 302
    assert ExecutiveAction.objects.filter(title__in=["Once", "Only"]).count() == 2
    assert Notification.objects.filter(kind=NotificationKind.IMPORT_FINISHED).count() == 1


def test_rows_changed_since_the_preview_refuse_the_whole_file(
    client, bob, alice, units, settings, run_tasks, action_type
):
    """Every bad row is listed and nothing is committed, not even the good rows."""
    mine = [
        ExecutiveActionFactory(
            title=f"Old {n}", action_type=action_type, lead_unit=units["OFF-A1"], status="draft"
        )
        for n in (1, 2, 3)
    ]
    data = csv_bytes(
        ["Number", "Title", "Type", "Lead unit (code)", "Version"],
        [[a.number, f"New {n}", "Tasker", "OFF-A1", a.version] for n, a in enumerate(mine, 1)]
        + [["", "Brand new", "Tasker", "OFF-A1", ""]],
    )
    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(bob)
    form = preview(client, data)
    for action in mine[:2]:  # changed by someone else between preview and commit
        action.title = f"{action.title} (edited)"
        action.save()
    with run_tasks():
        response = client.post(reverse("import_confirm"), form)
    run = ImportRun.objects.get()
    assert (run.status, run.error) == ("failed", "")
    assert [r["row"] for r in run.report["invalid"]] == [2, 3]
    assert run.report["invalid_count"] == 2
    assert sorted(ExecutiveAction.objects.values_list("title", flat=True)) == [
        "Old 1 (edited)",
        "Old 2 (edited)",
        "Old 3",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "2 rows have errors, so nothing was imported." in page
    assert page.count("changed") >= 2


def test_a_viewer_cannot_import_through_the_task(viewer, units, run_tasks):
    path = "imports/x/viewer-token.csv"
    default_storage.save(path, ContentFile(new_rows("By a viewer")))
    run = ImportRun.objects.create(
        owner=viewer, resource=RESOURCE, file_name="t.csv", path=path, row_count=1
    )
    with run_tasks():
        background.run_import_task.enqueue(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "You may not import these records, so nothing was imported."
    assert not ExecutiveAction.objects.filter(title="By a viewer").exists()


def test_a_viewer_cannot_confirm(client, viewer, bob, settings):
    settings.IMPORT_BACKGROUND_ROWS = 0
    client.force_login(bob)
    form = preview(client, new_rows("Bob's"))
    client.force_login(viewer)
    assert client.post(reverse("import_confirm"), form).status_code == 403
    assert not ImportRun.objects.exists()


def test_someone_elses_run_is_not_found(client, bob, administrator, settings, run_tasks):
    settings.IMPORT_BACKGROUND_ROWS = 0
    client.force_login(bob)
    form = preview(client, new_rows("Bob's"))
    with run_tasks():
        response = client.post(reverse("import_confirm"), form)
    client.force_login(administrator)
    assert client.get(response["Location"]).status_code == 404


def test_an_import_that_keeps_failing_is_failed_with_a_dead_letter_and_can_run_again(
    client, bob, settings, run_tasks, monkeypatch
):
    settings.IMPORT_BACKGROUND_ROWS = 0
    client.force_login(bob)
    form = preview(client, new_rows("Later"))
    real = imports.run_import

    def broken(*args, **kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(imports, "run_import", broken)
    with run_tasks():
        client.post(reverse("import_confirm"), form)
    run = ImportRun.objects.get()
    assert (run.status, run.error) == ("failed", background.GAVE_UP)
    letter = DeadLetter.objects.get()
    assert letter.task_path == "execcoord.background.run_import_task"
    assert default_storage.exists(run.path)  # kept, so the dead letter can run again
    monkeypatch.setattr(imports, "run_import", real)
    from execcoord import tasks

    with run_tasks():
        tasks.rerun(letter)
    run.refresh_from_db()
    assert run.status == "done"
    assert ExecutiveAction.objects.filter(title="Later").count() == 1


def test_the_preview_purge_keeps_a_queued_imports_file(client, bob, settings):
    import datetime

    from django.utils import timezone

    from execcoord.views.imports import purge_expired_previews

    settings.IMPORT_BACKGROUND_ROWS = 0
    client.force_login(bob)
    form = preview(client, new_rows("Queued"))
    client.post(reverse("import_confirm"), form)  # queued, not run
    run = ImportRun.objects.get()
    assert purge_expired_previews(timezone.now() + datetime.timedelta(days=2)) == 0
    assert default_storage.exists(run.path)


def test_a_report_comes_back_from_json_as_it_was():
    from execcoord.imports import ImportReport, RowReport

    report = ImportReport(
        total=3,
        new=[RowReport(2, "EA-1", [])],
        invalid=[RowReport(4, "EA-2", [("Due date", "Enter a valid date.")])],
        new_count=1,
        invalid_count=1,
        pks=[7],
        notes=["Merged cells B2:B3 were filled."],
    )
    assert ImportReport.from_json(report.to_json()) == report
