"""Background work on Django's task framework, with retries, dead letters and idempotency.

The project writes tasks against the ``django.tasks`` API; on Django 5.2 it comes from the
``django-tasks`` backport, and moving to Django 6 changes only the import below. Which queue
runs them is the ``TASKS_BACKEND`` setting (``execcoord/settings.py``): ``immediate``
(development and tests), ``db`` (the production default, ``manage.py db_worker``) or ``rq``
(Redis, ``manage.py rqworker --with-scheduler``).

* :func:`background` makes a module-level function a task that is tried again with a
  growing delay when it raises, and recorded as a :class:`~execcoord.models.DeadLetter`
  after its last try (the admin's "Run again" enqueues it anew: :func:`rerun`).
* :func:`enqueue_on_commit` queues a task once the surrounding transaction has committed,
  never inside it: a rolled-back request queues nothing, and a worker never reads rows
  that are not committed yet.
* :func:`run_once` does a side effect (an e-mail) at most once per key: the key's row is
  written in the same transaction as the effect's bookkeeping.
* :func:`abandon_stale_runs` marks the runs of killed database-queue workers failed.
"""

import datetime
import functools
import logging
import traceback as tracebacks

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

# Django 6: ``from django.tasks import default_task_backend, task, task_backends``
from django_tasks import default_task_backend, task, task_backends

from execcoord.models import DeadLetter, IdempotencyKey

logger = logging.getLogger(__name__)

# The keyword argument that carries the try number into the next try (not the function's).
ATTEMPT = "_attempt"


def retry_delay(attempt):
    """Seconds to wait before try ``attempt + 1``: TASKS_RETRY_DELAY, doubled each time."""
    delay = settings.TASKS_RETRY_DELAY * 2 ** (attempt - 1)
    return min(delay, settings.TASKS_RETRY_MAX_DELAY)


def can_defer(backend=None):
    """Whether the queue can hold a task until a later time (the immediate one cannot)."""
    backend = backend or default_task_backend
    return bool(getattr(backend, "supports_defer", False))


def background(func=None, *, attempts=None, queue_name="default", on_give_up=None):
    """Decorator: a module-level function becomes a task (``.enqueue(*args, **kwargs)``).

    Arguments must be JSON values (ids, not model instances). When the function raises,
    the task is queued again after :func:`retry_delay`, up to ``attempts`` tries in all
    (default ``TASKS_MAX_ATTEMPTS``); the last failure, or the first on a queue that cannot
    defer (the immediate one), is recorded as a dead letter. The error is raised again, so
    the queue's own record of the run says it failed.

    Args:
        on_give_up: called as ``on_give_up(error, *args, **kwargs)`` with the task's own
            arguments once its dead letter is written, so a record the task keeps (a
            prepared export, a background import) can say it failed.
    """

    def decorate(func):
        @functools.wraps(func)
        def runner(*args, **kwargs):
            attempt = int(kwargs.pop(ATTEMPT, 1))
            try:
                return func(*args, **kwargs)
            except Exception as error:
                limit = attempts or settings.TASKS_MAX_ATTEMPTS
                gave_up = _after_failure(the_task, args, kwargs, attempt, limit, error)
                if gave_up and on_give_up is not None:
                    try:
                        on_give_up(error, *args, **kwargs)
                    except Exception:
                        logger.exception("on_give_up of %s failed", the_task.module_path)
                raise

        the_task = task(runner, queue_name=queue_name)
        return the_task

    return decorate(func) if func is not None else decorate


def _after_failure(the_task, args, kwargs, attempt, limit, error):
    if attempt < limit and can_defer(the_task.get_backend()):
        delay = retry_delay(attempt)
        run_after = timezone.now() + datetime.timedelta(seconds=delay)
        the_task.using(run_after=run_after).enqueue(*args, **{**kwargs, ATTEMPT: attempt + 1})
        logger.warning(
            "task %s failed (try %d of %d), tried again in %ss: %r",
            the_task.module_path,
            attempt,
            limit,
            delay,
            error,
        )
        return False
    DeadLetter.objects.create(
        task_path=the_task.module_path,
        args=list(args),
        kwargs=dict(kwargs),
        attempts=attempt,
        error=f"{type(error).__name__}: {error}"[:2000],
        traceback="".join(tracebacks.format_exception(error))[-20000:],
    )
    logger.error("task %s failed its last try (%d): %r", the_task.module_path, attempt, error)
    return True


def enqueue_on_commit(the_task, *args, **kwargs):
    """Queue ``the_task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(functools.partial(the_task.enqueue, *args, **kwargs), robust=True)


def rerun(dead_letter):
    """Queue a dead letter's task again from its first try; returns the queue's result."""
    the_task = import_string(dead_letter.task_path)
    result = the_task.enqueue(*dead_letter.args, **dead_letter.kwargs)
    DeadLetter.objects.filter(pk=dead_letter.pk).update(
        rerun_at=timezone.now(), rerun_count=dead_letter.rerun_count + 1
    )
    return result


def run_once(key, effect):
    """Call ``effect()`` unless ``key`` was done before; True if it was called now.

    The key's row is inserted first, in one transaction with whatever ``effect`` writes: an
    effect that raises rolls the key back (the next try does it), and a second run waits on
    the first's uncommitted row (PostgreSQL's unique index) and then finds it done.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(key=key)
        except IntegrityError:
            return False
        effect()
    return True


def abandon_stale_runs(older_than):
    """Mark the database queue's tasks still running ``older_than`` seconds after they
    started (their worker was killed) as failed, so they stop counting as running; returns
    how many. Their work is not lost: a task whose effect must happen keeps its own durable
    record and is queued again from it (``actions.notifications.requeue_lost``).

    RQ does the same itself: a job whose worker stopped sending heartbeats is moved to its
    failed registry when a worker cleans the registries.
    """
    if not any(
        type(backend).__module__.startswith("django_tasks_db") for backend in task_backends.all()
    ):
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
    count = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .update(status="FAILED", finished_at=timezone.now())
    )
    if count:
        logger.warning("%d task(s) abandoned by a stopped worker marked failed", count)
    return count
