"""Action numbers: ``<prefix>-<year>-<5 digits>``, sequential per prefix and year, never reused,
and unique under concurrent creation."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import IntegrityError, connection, connections, transaction

from actions import services
from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.models import ActionNumberSequence, ExecutiveAction

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def in_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=NEW_YORK), tick=False)
    return time_machine


def new_action(action_type, **kwargs):
    return ExecutiveActionFactory(
        action_type=action_type, lead_unit=None, accountable_person=None, **kwargs
    )


@pytest.mark.django_db
def test_fifty_numbers_are_sequential_and_unique(in_2026):
    action_type = ExecutiveActionTypeFactory(number_prefix="EA")
    numbers = [new_action(action_type).number for _ in range(50)]
    assert numbers == [f"EA-2026-{n:05d}" for n in range(1, 51)]
    assert ActionNumberSequence.objects.get(prefix="EA", year=2026).last_value == 50


@pytest.mark.django_db
def test_each_prefix_counts_on_its_own(in_2026):
    directive = ExecutiveActionTypeFactory(number_prefix="DIR")
    request = ExecutiveActionTypeFactory(number_prefix="IR")
    assert new_action(directive).number == "DIR-2026-00001"
    assert new_action(request).number == "IR-2026-00001"
    assert new_action(directive).number == "DIR-2026-00002"


@pytest.mark.django_db
def test_types_sharing_a_prefix_share_the_counter(in_2026):
    first = ExecutiveActionTypeFactory(number_prefix="EA")
    second = ExecutiveActionTypeFactory(number_prefix="EA")
    assert [new_action(first).number, new_action(second).number] == [
        "EA-2026-00001",
        "EA-2026-00002",
    ]


@pytest.mark.django_db
def test_a_new_year_restarts_at_one(in_2026):
    action_type = ExecutiveActionTypeFactory(number_prefix="EA")
    new_action(action_type)
    new_action(action_type)
    in_2026.move_to(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=NEW_YORK), tick=False)
    assert new_action(action_type).number == "EA-2027-00001"


@pytest.mark.django_db
def test_the_year_is_the_agencys_not_utc(time_machine):
    # 23:30 on 31 December in New York is already 1 January in UTC.
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=NEW_YORK), tick=False)
    assert new_action(ExecutiveActionTypeFactory(number_prefix="EA")).number == "EA-2026-00001"


@pytest.mark.django_db
def test_deleted_numbers_are_not_reused(in_2026):
    action_type = ExecutiveActionTypeFactory(number_prefix="EA")
    new_action(action_type)
    last = new_action(action_type)
    assert last.number == "EA-2026-00002"
    last.delete()
    assert new_action(action_type).number == "EA-2026-00003"


@pytest.mark.django_db
def test_the_number_never_changes_after_creation(in_2026):
    action = new_action(ExecutiveActionTypeFactory(number_prefix="EA"))
    number = action.number
    action.action_type = ExecutiveActionTypeFactory(number_prefix="DIR")
    action.title = "Renamed"
    action.save()
    assert ExecutiveAction.objects.get(pk=action.pk).number == number


@pytest.mark.django_db
def test_a_failed_insert_hands_out_no_number(in_2026):
    action_type = ExecutiveActionTypeFactory(number_prefix="EA")
    broken = ExecutiveActionFactory.build(
        action_type=action_type, lead_unit=None, accountable_person=None, percent_complete=150
    )
    with pytest.raises(IntegrityError):
        broken.save()
    assert broken.number == ""
    assert new_action(action_type).number == "EA-2026-00001"


@pytest.mark.django_db
def test_assign_number_accepts_an_explicit_year():
    action = ExecutiveActionFactory.build(action_type=ExecutiveActionTypeFactory(number_prefix="X"))
    assert services.assign_number(action, year=2031) == "X-2031-00001"
    assert services.assign_number(action, year=2031) == "X-2031-00002"


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL): SQLite lets only one writer in at a time, "
            "so two transactions can never race for the counter there"
        )


def _in_thread(target):
    """Run ``target`` in a thread with its own database connection; re-raise its error."""
    errors = []

    def run():
        try:
            target()
        except Exception as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_get_different_numbers(in_2026):
    """The second transaction waits for the first's lock on the counter, then takes the next
    number, even though the first has not committed when the second starts."""
    _require_postgres()
    action_type = ExecutiveActionTypeFactory(number_prefix="CC")
    first_numbered = threading.Event()
    release_first = threading.Event()
    numbers = {}

    def first():
        with transaction.atomic():
            numbers["first"] = new_action(action_type).number
            first_numbered.set()
            release_first.wait(timeout=10)

    def second():
        first_numbered.wait(timeout=10)
        numbers["second"] = new_action(action_type).number

    threads = [_in_thread(first), _in_thread(second)]
    # The second is blocked on the counter row while the first holds it.
    first_numbered.wait(timeout=10)
    threads[1][0].join(timeout=0.5)
    assert threads[1][0].is_alive(), "the second creation should wait for the first's lock"
    release_first.set()
    for thread, errors in threads:
        thread.join(timeout=20)
        assert not errors, errors
    assert numbers == {"first": "CC-2026-00001", "second": "CC-2026-00002"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_first_numbers_of_a_new_prefix_are_unique(in_2026):
    """Both threads find no counter row for the prefix and create it at once."""
    _require_postgres()
    action_type = ExecutiveActionTypeFactory(number_prefix="RACE")
    start = threading.Barrier(4)
    made = []
    lock = threading.Lock()

    def worker():
        start.wait(timeout=10)
        for _ in range(10):
            number = new_action(action_type).number
            with lock:
                made.append(number)

    threads = [_in_thread(worker) for _ in range(4)]
    for thread, errors in threads:
        thread.join(timeout=60)
        assert not errors, errors
    assert sorted(made) == [f"RACE-2026-{n:05d}" for n in range(1, 41)]
