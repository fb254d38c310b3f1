"""My work (the home page): the signed-in user's sections, their links, a fixed query count."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.choices import ActionStatus, ExtensionStatus
from actions.demo.actions import AssignmentFactory, ExtensionRequestFactory
from tests.dashboard_fixtures import NOW, action, build, days
from tests.test_dashboard import list_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(units, alice, bob):
    with time_machine.travel(NOW, tick=False):
        team, actions = build(units)
        for code in ("A1", "A5", "A6"):
            actions[code].accountable_person = alice.person
            actions[code].save()
        # OFF-B1's A9 asks OFF-A1 for support
        AssignmentFactory(action=actions["A9"], organization_unit=units["OFF-A1"], person=None)
        actions["A11"] = action("A11", units["BUR-A"], ActionStatus.SUBMITTED, days(5))
        ExtensionRequestFactory(
            action=actions["A2"],
            current_due_date=days(-10),
            requested_due_date=days(20),
            status=ExtensionStatus.PENDING,
        )
        yield actions


def sections_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {s.key: s for s in response.context["sections"]}


def test_home_shows_my_sections_with_hand_counted_numbers(client, alice, data):
    with time_machine.travel(NOW, tick=False):
        sections = sections_of(client, alice)
    assert {k: s.count for k, s in sections.items()} == {
        "accountable": 2,  # A1 A5 (A6 is completed)
        "unit": 2,  # OFF-A1 leads A1 and A5 openly (A6 A7 completed, A10 cancelled)
        "supporting": 1,  # A9
        "desk": 0,  # no route step waits at OFF-A1
        "due_soon": 1,  # A5
        "overdue": 2,  # A1, A9
        "recent": 6,  # everything of hers touched today: A1 A5 A6 A7 A9 A10
    }
    assert [a.title for a in sections["overdue"].rows] == ["A1", "A9"]  # oldest suspense first
    assert "reviews" not in sections  # alice manages nothing


def test_each_sections_see_all_link_lists_exactly_its_rows(client, alice, bob, data):
    with time_machine.travel(NOW, tick=False):
        for user in (alice, bob):
            for section in sections_of(client, user).values():
                assert list_count(user, section.url) == section.count, (user, section.key)


def test_a_manager_sees_reviews_and_extension_requests_waiting(client, bob, data):
    with time_machine.travel(NOW, tick=False):
        sections = sections_of(client, bob)
    assert [a.title for a in sections["reviews"].rows] == ["A11"]
    assert sections["extensions"].count == 1
    assert sections["extensions"].rows[0].action.title == "A2"


def test_home_query_count_does_not_grow_with_rows(client, alice, units, data):
    def count():
        client.force_login(alice)
        client.get(reverse("home"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("home"))
        return len(ctx.captured_queries)

    with time_machine.travel(NOW, tick=False):
        small = count()
        for i in range(25):
            action(
                f"M{i}",
                units["OFF-A1"],
                ActionStatus.IN_PROGRESS,
                days(i - 12),
                accountable_person=alice.person,
            )
        large = count()
    assert large == small
    assert large <= 10


def test_the_first_rows_are_compiled_once_while_the_readers_work_stays_the_same(
    client, alice, units, data, monkeypatch, settings
):
    """The first rows' query is compiled once per reader, day and work in hand (``Shaped``):
    a second visit compiles nothing, and a new tasker of theirs is on the next page."""
    from execcoord.db import union

    settings.EXECCOORD_CHECK_SHAPES = False  # it compiles every reuse again
    union._SHAPES.clear()  # none kept from an earlier test
    compiled = []
    real = union._Part.compile.__func__
    monkeypatch.setattr(
        union._Part,
        "compile",
        classmethod(lambda cls, key, qs: compiled.append(key) or real(cls, key, qs)),
    )
    with time_machine.travel(NOW, tick=False):
        sections_of(client, alice)
        assert len(compiled) == 2  # a shape is compiled twice, with two sets of markers
        sections_of(client, alice)
        assert len(compiled) == 2
        action(
            "NEW",
            units["OFF-A1"],
            ActionStatus.IN_PROGRESS,
            days(-1),
            accountable_person=alice.person,
        )
        sections = sections_of(client, alice)
    assert len(compiled) == 4
    assert "NEW" in [a.title for a in sections["overdue"].rows]


def test_my_work_reads_the_work_in_hand_not_the_years_of_closed_taskers(client, alice, units, data):
    """Every section reads open taskers or those changed in the recent days, so the ids My
    work starts from leave out closed taskers last changed before that: a person's years
    of finished work do not make the page slower, and change no number."""
    import datetime

    from actions import queries

    with time_machine.travel(NOW - datetime.timedelta(days=30), tick=False):
        closed = action(
            "OLD",
            units["OFF-A1"],
            ActionStatus.COMPLETED,
            days(-40),
            accountable_person=alice.person,
            completed_date=days(-35),
        )
    with time_machine.travel(NOW, tick=False):
        sections = sections_of(client, alice)
        mine = queries._mine(alice, NOW.date())
    (in_array,) = [child for child in mine.concerning.children]
    assert closed.pk not in in_array.ids
    assert data["A6"].pk in in_array.ids  # completed, but changed today: "recent" shows it
    assert sections["recent"].count == 6 and sections["accountable"].count == 2
    assert all(closed.title not in [a.title for a in s.rows] for s in sections.values())


def test_no_section_counts_or_lists_a_tasker_the_user_may_not_see(client, alice, bob, units, data):
    """The ids My work starts from are the visible ones (``visible_to`` asked once, with the
    union of the user's involvements), and the manager's sections ask the rule themselves:
    confidential taskers led by or asking the user's unit, nobody naming the user, are in no
    count and no row, for staff and for a manager; the same taskers made public are."""
    from actions.choices import Visibility

    def numbers(user):
        sections = sections_of(client, user)
        shown = {a.title for s in sections.values() for a in s.rows if hasattr(a, "title")}
        return {k: s.count for k, s in sections.items()}, shown

    with time_machine.travel(NOW, tick=False):
        before = {user: numbers(user) for user in (alice, bob)}
        secret = [
            action("H1", units["OFF-A1"], ActionStatus.IN_PROGRESS, days(-2)),
            action("H2", units["OFF-A1"], ActionStatus.SUBMITTED, days(3)),
            action("H3", units["BUR-A"], ActionStatus.IN_PROGRESS, days(-4)),
        ]
        AssignmentFactory(action=secret[2], organization_unit=units["OFF-A1"], person=None)
        for tasker in secret:
            tasker.visibility = Visibility.CONFIDENTIAL
            tasker.save()
        for user in (alice, bob):
            assert numbers(user) == before[user], user
        for tasker in secret:
            tasker.visibility = Visibility.PUBLIC
            tasker.save()
        counts, shown = numbers(alice)
    assert counts["unit"] == before[alice][0]["unit"] + 2  # H1 H2 are led by her unit
    assert counts["supporting"] == before[alice][0]["supporting"] + 1  # H3 asks her unit
    assert {"H1", "H3"} <= shown
