"""Operations: files in shared S3-compatible storage, two app servers, the restore drill.

These start real processes (moto's S3 server, gunicorn, ``manage.py``) against the test
database, so they use committed rows (``transactional_db``).
"""

import hashlib
import importlib
import re
import sqlite3

import boto3
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from actions.demo.actions import AttachmentFactory, ExecutiveActionFactory
from partners.models import OrganizationUnit
from tests.servers import app_env, database_url, gunicorn, manage, new_bucket

requests = pytest.importorskip("requests")


def bucket_keys(env, prefix=""):
    client = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    listed = client.list_objects_v2(Bucket=env["S3_BUCKET"], Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_s3_settings_come_from_the_environment(monkeypatch):
    from execcoord import settings as project_settings

    monkeypatch.setenv("S3_BUCKET", "agency-files")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://objects.agency.example.gov")
    try:
        reloaded = importlib.reload(project_settings)
        default = reloaded.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "agency-files"
        assert default["OPTIONS"]["endpoint_url"] == "https://objects.agency.example.gov"
        assert default["OPTIONS"]["default_acl"] is None
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


@pytest.mark.django_db
def test_attachments_live_in_the_shared_storage_and_download(
    client, administrator, units, s3_storage, settings
):
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    attachment = AttachmentFactory(action=action, title="Memo")
    assert bucket_keys(s3_storage) == [attachment.file.name]
    assert not (settings.MEDIA_ROOT / "attachments").exists()
    client.force_login(administrator)
    response = client.get(reverse("actions:attachment_download", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% test memo\n"


@pytest.mark.django_db(transaction=True)
def test_a_preview_made_on_one_server_is_confirmed_on_another(
    client, administrator, units, s3_storage, tmp_path
):
    client.force_login(administrator)  # the session both servers read from the database
    env = {
        name: app_env(database_url(tmp_path), s3_storage, tmp_path / f"media-{name}")
        for name in ("a", "b")
    }
    with (
        gunicorn(env["a"], tmp_path / "a.log") as server_a,
        gunicorn(env["b"], tmp_path / "b.log") as server_b,
    ):
        browser = requests.Session()
        browser.cookies.set("sessionid", client.cookies["sessionid"].value)
        page = browser.get(f"{server_a}/import/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        preview = browser.post(
            f"{server_a}/import/",
            data={"csrfmiddlewaretoken": csrf, "resource": "organization-units"},
            files={"file": ("units.csv", b"Code,Name\nTWO-1,Made on two servers\n")},
            timeout=30,
        )
        assert preview.status_code == 200, preview.text[:2000]
        token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        assert len(bucket_keys(s3_storage, "imports/")) == 1
        confirm = browser.post(
            f"{server_b}/import/confirm/",
            data={
                "csrfmiddlewaretoken": csrf,
                "resource": "organization-units",
                "token": token,
                "file_name": "units.csv",
            },
            allow_redirects=False,
            timeout=30,
        )
    assert confirm.status_code == 302, confirm.text[:2000]
    assert bucket_keys(s3_storage, "imports/") == []
    assert not any((tmp_path / f"media-{n}").exists() for n in ("a", "b"))
    if connection.vendor == "sqlite":
        shared = sqlite3.connect(env["b"]["DATABASE_URL"].removeprefix("sqlite:///"))
        names = shared.execute(
            f"SELECT name FROM {OrganizationUnit._meta.db_table} WHERE code = 'TWO-1'"
        ).fetchall()
        assert names == [("Made on two servers",)]
    else:
        assert OrganizationUnit.objects.get(code="TWO-1").name == "Made on two servers"


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the same kind as the test database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    admin = psycopg.connect(
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_restore_drill(
    administrator, units, s3_storage, moto_endpoint, fresh_database_url, tmp_path
):
    """Back up the database and the storage, restore both into new ones, and every
    attachment still downloads (``make restore-drill`` runs this test)."""
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    originals = {}
    for number in range(3):
        data = f"%PDF-1.4\n% memo {number}\n".encode() * (number + 1)
        attachment = AttachmentFactory(
            action=action, file__data=data, file__filename=f"memo{number}.pdf"
        )
        originals[attachment.file.name] = hashlib.sha256(data).hexdigest()
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))

    restored_storage = new_bucket(moto_endpoint)
    env = app_env(fresh_database_url, restored_storage, tmp_path / "media-restored")
    manage(env, "restore", str(archive))
    assert bucket_keys(restored_storage) == sorted(originals)
    checked = manage(env, "verify_attachments", "--as", administrator.username)
    assert "3 attachments: every file present, of its size, downloaded as ada" in checked.stdout

    # a restore refuses to load over data, and a lost file is reported
    again = manage(env, "restore", str(archive), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr
    boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).delete_object(Bucket=restored_storage["S3_BUCKET"], Key=sorted(originals)[0])
    lost = manage(env, "verify_attachments", check=False)
    assert lost.returncode != 0 and "1 of 3 attachments are missing" in lost.stderr
