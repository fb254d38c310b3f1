"""The shared task machinery (``execcoord.tasks``): retries with a growing delay on a queue
that can wait, a dead letter after the last try, the admin's "run again", and ``run_once``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from execcoord import tasks
from execcoord.models import DeadLetter, IdempotencyKey

CALLS = []


@tasks.background(attempts=3)
def flaky(label):
    """Fails while ``CALLS`` holds fewer than ``label``'s count of tries (a test task)."""
    CALLS.append(label)
    if label == "always" or len(CALLS) < 2:
        raise ConnectionRefusedError("the server refused")
    return "done"


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_RETRY_DELAY = 30
    settings.TASKS_RETRY_MAX_DELAY = 45


def test_the_delay_doubles_up_to_its_cap(settings):
    settings.TASKS_RETRY_DELAY, settings.TASKS_RETRY_MAX_DELAY = 30, 100
    assert [tasks.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


@pytest.mark.django_db
def test_a_failure_is_queued_again_later_then_dead_lettered_after_the_last_try(database_queue):
    from django_tasks_db.models import DBTaskResult

    before = timezone.now()
    with pytest.raises(ConnectionRefusedError):
        flaky.call("always")
    retry = DBTaskResult.objects.get()
    assert retry.task_path == "tests.test_tasks.flaky"
    assert retry.args_kwargs == {"args": ["always"], "kwargs": {tasks.ATTEMPT: 2}}
    assert before + datetime.timedelta(seconds=29) < retry.run_after
    assert retry.run_after < timezone.now() + datetime.timedelta(seconds=31)
    with pytest.raises(ConnectionRefusedError):
        flaky.call("always", **{tasks.ATTEMPT: 2})
    assert DBTaskResult.objects.count() == 2  # the third try, 60 s → capped at 45 s
    assert not DeadLetter.objects.exists()
    with pytest.raises(ConnectionRefusedError):
        flaky.call("always", **{tasks.ATTEMPT: 3})
    letter = DeadLetter.objects.get()
    assert (letter.task_path, letter.args, letter.kwargs, letter.attempts) == (
        "tests.test_tasks.flaky",
        ["always"],
        {},
        3,
    )
    assert "ConnectionRefusedError: the server refused" in letter.error
    assert "Traceback" in letter.traceback


@pytest.mark.django_db
def test_the_immediate_queue_dead_letters_at_once_and_the_admin_runs_it_again(client, superuser):
    result = flaky.enqueue("once")  # fails: the immediate queue cannot wait to try again
    assert result.status == "FAILED"
    letter = DeadLetter.objects.get()
    client.force_login(superuser)
    changelist = reverse("admin:execcoord_deadletter_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        changelist, {"action": "run_again", "_selected_action": [letter.pk]}, follow=True
    )
    assert "1 task(s) queued again." in response.content.decode()
    assert CALLS == ["once", "once"]  # run again, and this time it went
    letter.refresh_from_db()
    assert letter.rerun_count == 1 and letter.rerun_at is not None


@pytest.mark.django_db
def test_a_staff_member_cannot_run_dead_letters_again(client, alice):
    DeadLetter.objects.create(task_path="tests.test_tasks.flaky", args=["x"])
    client.force_login(alice)
    response = client.get(reverse("admin:execcoord_deadletter_changelist"))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_run_once_does_an_effect_once_and_not_at_all_when_it_fails():
    done = []
    assert tasks.run_once("k1", lambda: done.append(1)) is True
    assert tasks.run_once("k1", lambda: done.append(2)) is False
    assert done == [1]

    def fail():
        raise TimeoutError

    with pytest.raises(TimeoutError):
        tasks.run_once("k2", fail)
    assert not IdempotencyKey.objects.filter(key="k2").exists()  # the next try does it
    assert tasks.run_once("k2", lambda: done.append(3)) is True
