"""The coordination route (issue 16): a whole route through review, parallel concurrence
(one non-concurrence with its disposition), signature and approval, with a return; who may
act on a step (the write policy, through every page that acts); the stepper, My work and
the ball in court; days at each step from the steps' history on fixed dates."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from actions import policy, queries, routing
from actions.choices import RouteEventKind, RouteOutcome, RouteStepKind
from actions.demo.partners import OrganizationUnitFactory
from actions.models import RouteStep, RouteStepEvent
from partners.access import ROLE_STAFF
from tests.conftest import make_user
from tests.workflow_support import S, action_in

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
MONDAY = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=TZ)


def day(n):
    return MONDAY + datetime.timedelta(days=n)


@pytest.fixture
def world(units, alice, bob, charlie):
    sec = OrganizationUnitFactory(code="SEC", name="Executive Secretariat", parent=units["AGENCY"])
    off_c = OrganizationUnitFactory(code="OFF-C", name="Office C", parent=units["AGENCY"])
    people = {
        "alice": alice,  # the lead office (OFF-A1)
        "bob": bob,  # manages BUR-A: reviews and signs
        "charlie": charlie,  # OFF-B1: concurs
        "carol": make_user("carol", ROLE_STAFF, off_c),  # OFF-C: concurs
        "sally": make_user("sally", ROLE_STAFF, sec),  # the secretariat
        "dan": make_user("dan", ROLE_STAFF, units["AGENCY"]),  # approves
    }
    with time_machine.travel(day(-1), tick=False):
        action = action_in(
            S.IN_PROGRESS,
            lead_unit=units["OFF-A1"],
            issuing_unit=sec,
            accountable_person=alice.person,
        )
    return {"action": action, "units": {**units, "SEC": sec, "OFF-C": off_c}, **people}


def specs(w):
    u = w["units"]
    return [
        routing.StepSpec(1, RouteStepKind.REVIEW, u["BUR-A"]),
        routing.StepSpec(2, RouteStepKind.CONCUR, u["OFF-B1"]),
        routing.StepSpec(2, RouteStepKind.CONCUR, u["OFF-C"]),
        routing.StepSpec(3, RouteStepKind.SIGN, u["BUR-A"]),
        routing.StepSpec(4, RouteStepKind.APPROVE, u["AGENCY"]),
    ]


def step(w, position, unit_code):
    return RouteStep.objects.get(
        action=w["action"], position=position, organization_unit=w["units"][unit_code]
    )


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def act_url(s):
    return reverse("actions:routestep_act", args=[s.pk])


def current_units(w):
    return sorted(
        s.organization_unit.code
        for s in RouteStep.objects.filter(action=w["action"], state="current")
    )


def act(client, w, who, position, unit_code, op="answer", **data):
    """``who`` posts ``op`` with ``data`` on the step of ``unit_code`` at ``position``, at the
    step's version."""
    s = step(w, position, unit_code)
    return post(client, w[who], act_url(s), {"op": op, **data, "version": s.version})


def run_full_route(client, w):
    """The route of the docstring, through the pages, one action a day at 09:00."""
    a = w["action"]
    with time_machine.travel(day(0), tick=False):
        assert policy.may_manage_route(w["sally"], a)
        routing.start_route(a, specs(w), w["sally"])
    assert current_units(w) == ["BUR-A"]
    with time_machine.travel(day(1), tick=False):
        r = act(client, w, "bob", 1, "BUR-A", outcome="reviewed")
        assert r.status_code == 302
    assert current_units(w) == ["OFF-B1", "OFF-C"]
    with time_machine.travel(day(2), tick=False):
        act(client, w, "charlie", 2, "OFF-B1", outcome="non_concur", comment="")
        assert step(w, 2, "OFF-B1").state == "current"  # refused: a non-concur needs its text
        comment = "Cost estimate unsupported"
        act(client, w, "charlie", 2, "OFF-B1", outcome="non_concur", comment=comment)
    assert current_units(w) == ["OFF-C"]
    with time_machine.travel(day(3), tick=False):
        comment = "Received by e-mail"
        act(client, w, "sally", 2, "OFF-C", outcome="concur", comment=comment)
    entered = step(w, 2, "OFF-C")
    assert entered.entered_on_behalf and entered.acted_by == w["sally"]
    assert current_units(w) == []  # waits for the lead office's disposition
    assert "disposition" in queries.holder(a).doing
    with time_machine.travel(day(4), tick=False):
        s = step(w, 2, "OFF-B1")
        post(
            client,
            w["alice"],
            reverse("actions:routestep_disposition", args=[s.pk]),
            {"disposition": "Estimate revised with OFF-B1", "version": s.version},
        )
    assert current_units(w) == ["BUR-A"]
    with time_machine.travel(day(5), tick=False):
        reason = "Revise after the non-concurrence"
        act(client, w, "bob", 3, "BUR-A", op="return", to_position="2", reason=reason)
    assert current_units(w) == ["OFF-B1", "OFF-C"]
    with time_machine.travel(day(6), tick=False):
        act(client, w, "charlie", 2, "OFF-B1", outcome="concur")
    with time_machine.travel(day(7), tick=False):
        comment = "Fine with the revision"
        act(client, w, "carol", 2, "OFF-C", outcome="concur_with_comment", comment=comment)
    assert current_units(w) == ["BUR-A"]
    with time_machine.travel(day(8), tick=False):
        role = "Director, Bureau A"
        act(client, w, "bob", 3, "BUR-A", outcome="signed", signer_role=role)
    assert current_units(w) == ["AGENCY"]
    with time_machine.travel(day(10), tick=False):
        act(client, w, "dan", 4, "AGENCY", outcome="approved")
    assert current_units(w) == []


def test_a_whole_route_with_a_non_concurrence_and_a_return(client, world):
    run_full_route(client, world)
    steps = routing.steps_of(world["action"])
    assert routing.is_complete(steps)
    outcomes = [(s.position, s.organization_unit.code, s.outcome) for s in steps]
    assert outcomes == [
        (1, "BUR-A", RouteOutcome.REVIEWED),
        (2, "OFF-B1", RouteOutcome.CONCUR),
        (2, "OFF-C", RouteOutcome.CONCUR_WITH_COMMENT),
        (3, "BUR-A", RouteOutcome.SIGNED),
        (4, "AGENCY", RouteOutcome.APPROVED),
    ]
    signed = step(world, 3, "BUR-A")
    response = world["action"].attachments.get()
    assert signed.signer_name == str(world["bob"].person)
    assert signed.signer_role == "Director, Bureau A"
    assert signed.signed_attachment == response
    assert signed.signed_attachment_version == response.version
    assert signed.signed_file == response.file.name
    assert signed.completed_at == day(8) and signed.acted_by == world["bob"]
    # the first pass keeps its non-concurrence, disposition and the return in the events
    events = RouteStepEvent.objects.filter(step=step(world, 2, "OFF-B1"))
    kinds = [(e.kind, e.outcome, e.text) for e in events]
    assert (RouteEventKind.ANSWERED, "non_concur", "Cost estimate unsupported") in kinds
    assert (RouteEventKind.DISPOSITION, "", "Estimate revised with OFF-B1") in kinds
    assert (RouteEventKind.RESET, "", "Revise after the non-concurrence") in kinds
    returned = RouteStepEvent.objects.get(kind=RouteEventKind.RETURNED)
    assert returned.user == world["bob"] and returned.at == day(5)
    # every change of a step is in its history
    assert step(world, 3, "BUR-A").history.count() >= 5
    # the timeline tells the route's moves, the answer entered on behalf as such
    from actions import services, timeline

    titles = [(e.title, e.who) for e in timeline.timeline(world["action"], world["bob"])]
    off_c = world["units"]["OFF-C"]
    entered = f"entered by {world['sally'].get_full_name() or 'sally'} for {off_c}"
    assert any("Non-concur" in t for t, _ in titles)
    assert any(who.startswith("entered by") and str(off_c) in who for _, who in titles), entered
    assert any(": Returned to an earlier step" in t for t, _ in titles)
    # the close-out checklist counts the route: complete here
    assert ("The coordination route is complete", True, "") in services.closeout_checklist(
        world["action"]
    )


def test_days_at_each_step_equal_the_hand_computed_values(client, world):
    run_full_route(client, world)
    expected_days = {
        (1, "BUR-A"): 1,  # day 0 → 1
        (2, "OFF-B1"): 2,  # day 1 → 2, and again day 5 → 6
        (2, "OFF-C"): 4,  # day 1 → 3, and again day 5 → 7
        (3, "BUR-A"): 2,  # day 4 → 5 (returned), and again day 7 → 8
        (4, "AGENCY"): 2,  # day 8 → 10
    }
    for (position, code), days in expected_days.items():
        s = step(world, position, code)
        assert s.dwell_seconds == days * 86400, (position, code)
        assert routing.dwell_seconds_from_events(s.events.all()) == days * 86400


def test_only_the_current_steps_office_may_act(client, world):
    a = world["action"]
    with time_machine.travel(day(0), tick=False):
        routing.start_route(a, specs(world), world["sally"])
    review = step(world, 1, "BUR-A")
    concur = step(world, 2, "OFF-B1")
    # the policy: the office (its manager), the secretariat on its behalf; not the others
    assert policy.may_act_on_step(world["bob"], review)
    assert policy.may_act_on_step(world["sally"], review)
    for outsider in ("alice", "charlie", "carol", "dan"):
        assert not policy.may_act_on_step(world[outsider], review), outsider
    # through the page: refused, and nothing written
    for outsider in ("alice", "charlie", "carol", "dan"):
        r = act(client, world, outsider, 1, "BUR-A", outcome="reviewed")
        assert r.status_code == 403, outsider
        r = act(client, world, outsider, 1, "BUR-A", op="return", to_position="1", reason="x")
        assert r.status_code == 403, outsider
    assert step(world, 1, "BUR-A").state == "current"
    # removing a step: the route's managers only
    waiting = step(world, 4, "AGENCY")
    for outsider in ("charlie", "carol", "dan"):
        r = post(
            client,
            world[outsider],
            reverse("actions:executiveaction_route", args=[a.pk]),
            {"op": "remove", "step": waiting.pk, "version": waiting.version},
        )
        assert r.status_code == 403, outsider
    assert RouteStep.objects.filter(pk=waiting.pk).exists()
    # an open route stops the close-out
    from actions import services

    problems = services.closeout_problems(a)
    assert any("still at step 1 of the route" in p for p in problems)
    # a step that is not current is refused by the route even for its own office
    act(client, world, "charlie", 2, "OFF-B1", outcome="concur")
    assert step(world, 2, "OFF-B1").state == "waiting"
    # managing the route and dispositions: lead office, secretariat, managers; not others
    for outsider in ("charlie", "carol", "dan"):
        r = post(
            client,
            world[outsider],
            reverse("actions:executiveaction_route", args=[a.pk]),
            {
                "op": "add",
                "position": "5",
                "kind": "approve",
                "organization_unit": world["units"]["OFF-C"].pk,
            },
        )
        assert r.status_code == 403, outsider
        r = post(
            client,
            world[outsider],
            reverse("actions:routestep_disposition", args=[concur.pk]),
            {"disposition": "x", "version": concur.version},
        )
        assert r.status_code == 403, outsider
    assert RouteStep.objects.filter(action=a).count() == 5
    # a viewer (no write role) in the office is refused too
    viewer = make_user("vera", "Viewer", world["units"]["BUR-A"])
    assert not policy.may_act_on_step(viewer, review)


def test_a_stale_page_is_refused_and_a_second_submit_records_once(client, world):
    a = world["action"]
    with time_machine.travel(day(0), tick=False):
        routing.start_route(a, specs(world), world["sally"])
    review = step(world, 1, "BUR-A")
    stale = review.version - 1
    post(
        client,
        world["bob"],
        act_url(review),
        {"op": "answer", "outcome": "reviewed", "version": stale},
    )
    assert step(world, 1, "BUR-A").state == "current"
    data = {
        "op": "answer",
        "outcome": "reviewed",
        "version": review.version,
        "form_key": "k-review-1",
    }
    post(client, world["bob"], act_url(review), data)
    post(client, world["bob"], act_url(review), data)
    assert RouteStepEvent.objects.filter(step=review, kind="answered").count() == 1


def test_the_generic_pages_and_admin_refuse_writing_a_route(world):
    for user in ("alice", "sally", "bob"):
        from execcoord import policy as write_policy

        assert not write_policy.may(
            world[user], "add", RouteStep, RouteStep(action=world["action"])
        )


def test_the_stepper_and_my_work_show_the_current_holder(client, world):
    a = world["action"]
    with time_machine.travel(day(0), tick=False):
        routing.start_route(a, specs(world), world["sally"])
    with time_machine.travel(day(1), tick=False):
        routing.act_on_step(step(world, 1, "BUR-A"), world["bob"], "reviewed")
    with time_machine.travel(
        day(
            3,
        ),
        tick=False,
    ):
        client.force_login(world["carol"])
        page = client.get(a.get_absolute_url()).content.decode()
        holder = re.search(r'data-testid="holder">(.*?)</p>', page, re.S).group(1)
        names = [world["units"][c].abbreviation for c in ("OFF-B1", "OFF-C")]
        assert f"Ball in court:</strong> {names[0]}, {names[1]}" in holder
        assert "route step 2: concur" in holder and "(2 days)" in holder
        current = re.findall(r'aria-current="step" data-step="(\d+)"', page)
        assert sorted(map(int, current)) == sorted(
            [step(world, 2, "OFF-B1").pk, step(world, 2, "OFF-C").pk]
        )
        assert "Record answer" in page  # carol may answer OFF-C's step
        home = client.get(reverse("home")).content.decode()
        assert "On my unit&#x27;s desk (route)" in home or "On my unit's desk (route)" in home
        assert a.number in home
        link = reverse("actions:executiveaction_list") + (
            f"?held_by_unit={world['units']['OFF-C'].pk}&amp;open=true"
        )
        assert link in home
        listed = client.get(link.replace("&amp;", "&")).content.decode()
        assert a.number in listed
    client.force_login(world["dan"])  # not on the desk: no section rows, no answer form
    page = client.get(a.get_absolute_url()).content.decode()
    assert "Record answer" not in page


def test_the_supporting_answers_migration_makes_a_parallel_concur_step(world):
    import importlib

    from django.apps import apps

    from actions.demo.actions import AssignmentFactory

    a = world["action"]
    u = world["units"]
    with time_machine.travel(day(0), tick=False):
        AssignmentFactory(action=a, organization_unit=u["OFF-B1"], status="pending")
        answered = AssignmentFactory(
            action=a,
            organization_unit=u["OFF-C"],
            status="non_concur",
            response="No",
            disposition="Agreed to disagree",
            responded_by=world["carol"],
            responded_at=day(2),
        )
    migration = importlib.import_module("actions.migrations.0012_supporting_answers_to_routes")
    migration.forwards(apps, None)
    steps = {s.organization_unit.code: s for s in routing.steps_of(a)}
    assert set(steps) == {"OFF-B1", "OFF-C"}
    assert {s.position for s in steps.values()} == {1}
    assert steps["OFF-B1"].state == "current"
    done = steps["OFF-C"]
    assert (done.outcome, done.comment, done.disposition, done.acted_by) == (
        "non_concur",
        "No",
        "Agreed to disagree",
        world["carol"],
    )
    assert done.completed_at == answered.responded_at
    migration.forwards(apps, None)  # taskers with a route are left alone
    assert RouteStep.objects.filter(action=a).count() == 2


def test_a_concur_answer_is_the_supporting_assignments_answer_too(client, world):
    """One concept: on a tasker with a route the board shows the route's answers and takes
    none of its own; reminders and close-out read the same answer."""
    from actions.demo.actions import AssignmentFactory
    from actions.models import Assignment

    a, u = world["action"], world["units"]
    support = AssignmentFactory(action=a, organization_unit=u["OFF-B1"], status="pending")
    with time_machine.travel(day(0), tick=False):
        routing.start_route(
            a, [routing.StepSpec(1, RouteStepKind.CONCUR, u["OFF-B1"])], world["sally"]
        )
    # the board's own answer form is refused while the route takes the answers
    r = post(
        client,
        world["charlie"],
        reverse("actions:assignment_respond", args=[support.pk]),
        {"status": "concur"},
    )
    assert r.status_code == 302
    assert Assignment.objects.get(pk=support.pk).status == "pending"
    with time_machine.travel(day(2), tick=False):
        routing.act_on_step(
            step(world, 1, "OFF-B1"), world["charlie"], "non_concur", comment="Too costly"
        )
    mirrored = Assignment.objects.get(pk=support.pk)
    assert (mirrored.status, mirrored.response, mirrored.responded_by) == (
        "non_concur",
        "Too costly",
        world["charlie"],
    )
    with time_machine.travel(day(3), tick=False):
        routing.record_disposition(step(world, 1, "OFF-B1"), world["alice"], "Cost shared")
    assert Assignment.objects.get(pk=support.pk).disposition == "Cost shared"
    client.force_login(world["charlie"])
    page = client.get(a.get_absolute_url()).content.decode()
    assert "answer, and their non-concurrences are disposed of, on the" in page
    assert reverse("actions:assignment_respond", args=[support.pk]) not in page
