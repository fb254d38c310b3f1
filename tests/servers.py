"""Real processes for the operations tests: an S3-compatible server (moto), the test database
as other processes see it, and gunicorn app servers.

The fixtures (``moto_endpoint``, ``s3_storage``) are made available to every test by
``tests/conftest.py``.
"""

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
S3_KEYS = {
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
    "S3_REGION": "us-east-1",
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local S3-compatible endpoint (moto in server mode) on a free port."""
    server_module = pytest.importorskip("moto.server", reason="moto is not installed")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def new_bucket(endpoint):
    """A new empty bucket; returns the environment that points the app at it."""
    import boto3

    name = f"execcoord-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=name)
    return {"S3_BUCKET": name, "S3_ENDPOINT_URL": endpoint, **S3_KEYS}


def storage_setting(env):
    """The ``STORAGES["default"]`` the settings build from ``env`` (for this process)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["S3_BUCKET"],
            "endpoint_url": env["S3_ENDPOINT_URL"],
            "region_name": env["S3_REGION"],
            "access_key": env["S3_ACCESS_KEY_ID"],
            "secret_key": env["S3_SECRET_ACCESS_KEY"],
            "default_acl": None,
            "file_overwrite": False,
        },
    }


@pytest.fixture
def s3_storage(settings, moto_endpoint):
    """This process's default storage is a new bucket; returns the environment naming it."""
    env = new_bucket(moto_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage_setting(env)}
    return env


def database_url(tmp_path):
    """The test database as another process reaches it (committed rows only).

    PostgreSQL: the test database itself. SQLite: the in-memory test database is copied to
    a file, which the other processes then share.
    """
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def app_env(database, storage_env, media_root):
    """The environment of an app process: development mode, the database and the storage,
    and a MEDIA_ROOT of its own (so nothing it stores on local disk could be shared)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DATABASE_URL"))}
    env.update(EXECCOORD_DEV="1", DATABASE_URL=database, MEDIA_ROOT=str(media_root), **storage_env)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_python(env, *args):
    """Run ``python *args`` from the checkout in another process with ``env``; its output is
    captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def manage(env, *args, check=True):
    """Run ``manage.py`` in another process with ``env``."""
    done = run_python(env, "manage.py", *args)
    if check and done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def gunicorn(env, log_path):
    """An app server on a free port; yields its base URL once it answers."""
    return serve("execcoord.wsgi", env, log_path)


@contextlib.contextmanager
def serve(app, env, log_path, *options):
    """gunicorn serving the WSGI module ``app`` (one worker, and ``options``) on a free port;
    yields its base URL once it answers, and stops it on the way out."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                *options,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, port, log_path)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_up(process, port, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{Path(log_path).read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not start:\n{Path(log_path).read_text()}")
