"""The task queue with both production backends against the real services of the machine:
the database queue (``manage.py db_worker``) on PostgreSQL and RQ on Redis
(``manage.py rqworker``). A request enqueues, a worker process sends, and the mail (caught
by a small SMTP server of the test, ``tests.smtp_sink``) arrives once; a worker killed
mid-send and started again still sends it once; a mail server that hangs or refuses is
tried again with backoff.

PostgreSQL only: the worker is another process and needs the committed rows of a database
server (SQLite's test database lives in this process's memory). CI runs the suite on
PostgreSQL too, and so runs these. Redis: ``EXECCOORD_TEST_REDIS_URL`` (default database 5
of the local server); set ``EXECCOORD_REQUIRE_REDIS=1`` to refuse skipping without it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions.choices import AssignmentRole, AssignmentStatus, MailState
from actions.models import Assignment, ExecutiveAction, Notification
from partners.access import ROLE_STAFF
from tests.conftest import make_user
from tests.servers import BASE_DIR, database_url, manage
from tests.smtp_sink import SmtpSink
from tests.workflow_support import S, action_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process needs a database server (set DATABASE_URL to PostgreSQL)",
    ),
]

REDIS_URL = os.environ.get("EXECCOORD_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
WORKERS = {
    "db": ["db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
    "rq": ["rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.Job"],
}


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("EXECCOORD_REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return client


@pytest.fixture(params=["db", "rq"])
def queue(request, settings):
    """This process enqueues on the backend; returns its name."""
    backend = request.param
    settings.TASKS = {"default": {"BACKEND": BACKENDS[backend]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    if backend == "rq":
        _redis().flushdb()  # this test's own Redis database only
    yield backend
    if backend == "rq":
        _redis().flushdb()


@pytest.fixture
def worker_env(queue, tmp_path):
    def env(sink, **extra):
        values = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
        values.pop("DJANGO_SETTINGS_MODULE", None)
        values.update(
            EXECCOORD_DEV="1",
            DATABASE_URL=database_url(tmp_path),
            TASKS_BACKEND=queue,
            REDIS_URL=REDIS_URL,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
            EMAIL_TIMEOUT="2",
            TASKS_RETRY_DELAY="1",
            SITE_URL="https://ec.agency.example",
            **extra,
        )
        return values

    return env


@contextlib.contextmanager
def worker(queue, env, log_path):
    """A worker process of ``queue``; killed (SIGKILL, with its children) on the way out
    unless it was already."""
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *WORKERS[queue]],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: RQ's work horse goes with it
        )
        try:
            yield process
        finally:
            kill(process)


def kill(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def wait_for(condition, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out; worker log:\n{log_path.read_text()[-5000:]}")


@pytest.fixture
def assigned(units, bob):
    """``assign()``: POST the Assign page as bob, naming ``helper`` on a supporting unit
    (which tells the helper: one e-mail). Returns the helper's address."""
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    helper = make_user("helper", ROLE_STAFF, units["OFF-B1"]).person

    def post():
        client = Client()
        client.force_login(bob)
        data = {
            "lead-concurrency_token": ExecutiveAction.objects.get(pk=action.pk).version,
            "lead-lead_unit": units["OFF-A1"].pk,
            "lead-accountable_person": action.accountable_person_id,
            "supporting-TOTAL_FORMS": "1",
            "supporting-INITIAL_FORMS": "0",
            "supporting-MIN_NUM_FORMS": "0",
            "supporting-MAX_NUM_FORMS": "1000",
            "supporting-0-organization_unit": units["OFF-B1"].pk,
            "supporting-0-person": helper.pk,
            "supporting-0-role": AssignmentRole.COORDINATING,
            "supporting-0-due_date": "",
            "supporting-0-status": AssignmentStatus.PENDING,
        }
        response = client.post(reverse("actions:executiveaction_assign", args=[action.pk]), data)
        assert response.status_code == 302
        assert Assignment.objects.filter(action=action).count() == 1
        return helper.email

    return post


def _sent_once(address):
    note = Notification.objects.get(recipient__email=address)
    return note.mail_state == MailState.SENT


def test_a_request_enqueues_and_a_worker_sends_the_mail_once(queue, worker_env, assigned, tmp_path):
    log = tmp_path / "worker.log"
    with SmtpSink() as sink:
        address = assigned()  # nothing is sent inside the request
        assert sink.connections == 0
        env = worker_env(sink)
        with worker(queue, env, log):
            wait_for(lambda: sink.delivered_to(address), log)
            time.sleep(2)  # time enough for a second send, were there one
        assert len(sink.delivered_to(address)) == 1
        assert _sent_once(address)
        # the sweep finds nothing left to send, and a second worker sends nothing
        manage(env, "send_notifications", "--older-than", "0")
        with worker(queue, env, log):
            time.sleep(3)
        assert len(sink.delivered_to(address)) == 1


def test_a_worker_killed_mid_send_and_started_again_sends_once(
    queue, worker_env, assigned, tmp_path
):
    log = tmp_path / "worker.log"
    with SmtpSink(mode="hold") as sink:
        address = assigned()
        env = worker_env(sink)
        with worker(queue, env, log) as process:
            # the worker has handed the message over and waits for the server's answer
            wait_for(lambda: sink.held, log)
            kill(process)
        assert sink.delivered == []
        sink.mode = "ok"
        # a killed worker's message is not lost: the sweep (cron) queues it again
        assert (
            "1 e-mails queued again"
            in manage(env, "send_notifications", "--older-than", "0").stdout
        )
        with worker(queue, env, log):
            wait_for(lambda: sink.delivered_to(address), log)
            time.sleep(2)
        manage(env, "send_notifications", "--older-than", "0")
        with worker(queue, env, log):
            time.sleep(3)
        assert len(sink.delivered_to(address)) == 1
        assert _sent_once(address)


@pytest.mark.parametrize("failure", ["hang", "refuse"])
def test_a_mail_server_that_hangs_or_refuses_is_tried_again(
    queue, worker_env, assigned, tmp_path, failure
):
    log = tmp_path / "worker.log"
    with SmtpSink(mode=failure, fail_first=2) as sink:
        address = assigned()
        env = worker_env(sink)
        with worker(queue, env, log):
            wait_for(lambda: sink.delivered_to(address), log, seconds=90)
            time.sleep(2)
        assert sink.connections == 3  # two failed tries, then the one that went
        assert len(sink.delivered_to(address)) == 1
        assert _sent_once(address)


def test_a_large_export_is_prepared_by_a_worker(queue, worker_env, units, tmp_path, settings):
    """A list export past the threshold is built by a worker process, holds the owner's
    rows only, and is downloaded by its owner (issue 17)."""
    from execcoord.models import PreparedExport

    settings.EXPORT_BACKGROUND_ROWS = 1
    owner = make_user("exporter", ROLE_STAFF, units["OFF-A1"])
    for title in ("Exported one", "Exported two"):
        action_in(S.NOT_STARTED, title=title, lead_unit=units["OFF-A1"], visibility="internal")
    action_in(S.NOT_STARTED, title="Not theirs", lead_unit=units["OFF-B1"], visibility="restricted")
    client = Client()
    client.force_login(owner)
    url = reverse("actions:executiveaction_list") + "?export=csv"
    response = client.get(url)
    assert response.status_code == 302
    prepared = PreparedExport.objects.get(owner=owner)
    log = tmp_path / "worker.log"
    with SmtpSink() as sink:
        env = worker_env(sink, MEDIA_ROOT=str(settings.MEDIA_ROOT), EXPORT_BACKGROUND_ROWS="1")
        with worker(queue, env, log):
            wait_for(
                lambda: PreparedExport.objects.filter(pk=prepared.pk, status="ready").exists(),
                log,
            )
            wait_for(lambda: sink.delivered_to(owner.person.email), log)
    download = client.get(reverse("prepared_export_download", args=[prepared.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert "Exported one" in body and "Exported two" in body
    assert "Not theirs" not in body
    assert Notification.objects.get(recipient=owner.person).url == "/exports/"
