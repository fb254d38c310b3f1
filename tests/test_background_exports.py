"""Large list exports are prepared by a task and downloaded from My exports (issue 17):
the threshold chooses the path, the file holds exactly the owner's rows, only the owner
downloads it until it expires, the owner is told, and a failure ends failed with a dead
letter."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.choices import Delivery, NotificationKind
from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction, Notification, NotificationPreference
from execcoord import background
from execcoord.models import DeadLetter, PreparedExport
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

LIST = reverse(viewname(ExecutiveAction, "list"))


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the block queues after its commit (the immediate queue)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def taskers(units, alice, charlie, action_type):
    """Three taskers alice sees (OFF-A1's) and a restricted one of OFF-B1 she does not."""
    mine = [
        ExecutiveActionFactory(
            title=f"Mine {n}",
            action_type=action_type,
            lead_unit=units["OFF-A1"],
            accountable_person=alice.person,
            visibility="internal",
        )
        for n in (1, 2, 3)
    ]
    hidden = ExecutiveActionFactory(
        title="Hidden of B1",
        action_type=action_type,
        lead_unit=units["OFF-B1"],
        accountable_person=charlie.person,
        visibility="restricted",
    )
    assert not ExecutiveAction.objects.visible_to(alice).filter(pk=hidden.pk).exists()
    return {"mine": mine, "hidden": hidden}


def _ids(taskers):
    return ",".join(str(a.pk) for a in [*taskers["mine"], taskers["hidden"]])


def _prepare(client, run_tasks, query):
    with run_tasks():
        response = client.get(f"{LIST}?{query}")
    assert response.status_code == 302
    assert response["Location"] == reverse("prepared_exports")
    return PreparedExport.objects.get()


def _download(client, prepared):
    response = client.get(reverse("prepared_export_download", args=[prepared.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_small_export_is_still_sent_at_once(client, alice, taskers, settings):
    settings.EXPORT_BACKGROUND_ROWS = 3
    client.force_login(alice)
    response = client.get(f"{LIST}?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4  # the header and her three
    assert not PreparedExport.objects.exists()


def test_a_large_export_is_prepared_with_exactly_the_rows_its_owner_sees(
    client, alice, taskers, settings, run_tasks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    client.force_login(alice)
    prepared = _prepare(client, run_tasks, f"export=csv&id={_ids(taskers)}&sort=title&page=3")
    assert (prepared.owner, prepared.format, prepared.status) == (alice, "csv", "ready")
    assert prepared.query == f"id={_ids(taskers).replace(',', '%2C')}&sort=title"
    assert prepared.row_count == 3
    body = _download(client, prepared)
    assert prepared.size == len(body)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [row["Title"] for row in rows] == ["Mine 1", "Mine 2", "Mine 3"]
    assert "Hidden of B1" not in body.decode()
    page = client.get(reverse("prepared_exports"))
    assert page.status_code == 200
    assert reverse("prepared_export_download", args=[prepared.pk]) in page.content.decode()


def test_the_same_filters_give_the_same_file_as_a_small_export(
    client, alice, taskers, settings, run_tasks
):
    client.force_login(alice)
    query = "export=csv&sort=-title"
    direct = b"".join(client.get(f"{LIST}?{query}").streaming_content)
    settings.EXPORT_BACKGROUND_ROWS = 1
    prepared = _prepare(client, run_tasks, query)
    assert _download(client, prepared) == direct


def test_an_excel_export_is_prepared_cell_by_cell(client, alice, taskers, settings, run_tasks):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    prepared = _prepare(client, run_tasks, f"export=xlsx&id={_ids(taskers)}&sort=title")
    assert prepared.file_name == "Executive_actions.xlsx"
    sheet = load_workbook(io.BytesIO(_download(client, prepared)), read_only=True).active
    values = list(sheet.values)
    title = values[0].index("Title")
    assert [row[title] for row in values[1:]] == ["Mine 1", "Mine 2", "Mine 3"]


@pytest.mark.parametrize("who", ["charlie", "bob", "administrator", "superuser"])
def test_nobody_but_the_owner_downloads_it(
    client, alice, taskers, settings, run_tasks, request, who
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    prepared = _prepare(client, run_tasks, "export=csv")
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("prepared_export_download", args=[prepared.pk])).status_code == 404
    page = client.get(reverse("prepared_exports"))
    assert page.status_code == 200
    assert f"/exports/{prepared.pk}/download/" not in page.content.decode()


def test_an_expired_export_is_not_served_and_is_purged(client, alice, taskers, settings, run_tasks):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    prepared = _prepare(client, run_tasks, "export=csv")
    kept = _prepare_another(client, run_tasks)
    assert default_storage.exists(prepared.path)
    PreparedExport.objects.filter(pk=prepared.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(reverse("prepared_export_download", args=[prepared.pk])).status_code == 404
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "1 expired prepared exports" in out.getvalue()
    assert list(PreparedExport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not default_storage.exists(prepared.path)
    assert default_storage.exists(kept.path)


def _prepare_another(client, run_tasks):
    with run_tasks():
        client.get(f"{LIST}?export=xlsx")
    return PreparedExport.objects.get(format="xlsx")


def test_the_owner_is_told_in_the_list_and_by_e_mail(client, alice, taskers, settings, run_tasks):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    _prepare(client, run_tasks, "export=csv")
    [note] = Notification.objects.filter(recipient=alice.person)
    assert (note.kind, note.action, note.url) == (NotificationKind.EXPORT_READY, None, "/exports/")
    assert note.message == "Your export of executive actions (CSV) is ready."
    [message] = mail.outbox
    assert message.to == [alice.person.email]
    assert "/exports/" in message.body
    listed = client.get(reverse("notifications")).content.decode()
    assert 'href="/exports/"' in listed


def test_an_owner_who_turned_it_off_is_told_in_the_list_only(
    client, alice, taskers, settings, run_tasks
):
    NotificationPreference.objects.create(
        person=alice.person, kind=NotificationKind.EXPORT_READY, delivery=Delivery.OFF
    )
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    _prepare(client, run_tasks, "export=csv")
    assert Notification.objects.filter(recipient=alice.person).count() == 1
    assert mail.outbox == []


def test_a_failing_export_ends_failed_with_a_dead_letter(
    client, alice, taskers, settings, run_tasks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(background, "write_export", broken)
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(alice)
    prepared = _prepare(client, run_tasks, "export=csv")
    assert prepared.status == "failed"
    assert prepared.error.startswith("The file could not be prepared")
    letter = DeadLetter.objects.get()
    assert (letter.task_path, letter.args) == ("execcoord.background.build_export", [prepared.pk])
    assert letter.error == "RuntimeError: disk full"
    assert client.get(reverse("prepared_export_download", args=[prepared.pk])).status_code == 404
    assert not Notification.objects.exists()


def test_an_owner_who_lost_the_export_right_gets_a_failed_export(
    client, alice, taskers, settings, monkeypatch
):
    monkeypatch.setattr(ExecutiveAction, "export_roles", ("Administrator",), raising=False)
    prepared = PreparedExport.objects.create(
        owner=alice,
        model="actions.executiveaction",
        title="Executive actions",
        format="csv",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    background.build_export.call(prepared.pk)
    prepared.refresh_from_db()
    assert (prepared.status, prepared.path) == ("failed", "")
    assert prepared.error == "You may no longer export this list."
