"""Dwell time by office (issue 16): the dashboard's median and 90th percentile per office
and step kind, over routes completed in a period, computed from the steps' history on fixed
dates; every row drills through to the route-step list with the same count."""

import datetime
import html
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from actions import queries, routing
from actions.choices import RouteStepKind
from actions.demo.partners import OrganizationUnitFactory
from partners.access import ROLE_STAFF
from tests.conftest import make_user
from tests.workflow_support import S, action_in

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=TZ)


def at(days, hours=0):
    return START + datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def offices(units):
    off_c = OrganizationUnitFactory(code="OFF-C", name="Office C", parent=units["AGENCY"])
    return {
        "review": (units["OFF-B1"], make_user("rita", ROLE_STAFF, units["OFF-B1"])),
        "concur": (off_c, make_user("carol", ROLE_STAFF, off_c)),
    }


def routed(units, offices, review_days, concur_days, start_day):
    """A tasker led by OFF-A1 whose route (review by OFF-B1, concur by OFF-C) took the
    given days, starting ``start_day`` days after 1 Mar 2027."""
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    (review_unit, reviewer), (concur_unit, concurrer) = offices["review"], offices["concur"]
    with time_machine.travel(at(start_day), tick=False):
        routing.start_route(
            action,
            [
                routing.StepSpec(1, RouteStepKind.REVIEW, review_unit),
                routing.StepSpec(2, RouteStepKind.CONCUR, concur_unit),
            ],
            reviewer,
        )
    (step1, step2) = routing.steps_of(action)
    with time_machine.travel(at(start_day + review_days), tick=False):
        routing.act_on_step(step1, reviewer, "reviewed")
    if concur_days is not None:
        with time_machine.travel(at(start_day + review_days + concur_days), tick=False):
            routing.act_on_step(step2, concurrer, "concur")
    return action


def test_percentiles_by_the_nearest_rank():
    assert queries.percentile([1, 2, 10], 90) == 10
    assert queries.percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 90) == 9
    assert queries.percentile([3], 90) == 3
    assert queries.percentile([], 90) is None


def test_the_dwell_table_equals_hand_computed_values_and_drills_through(
    client, units, offices, bob
):
    routed(units, offices, 1, 2, 0)  # review 1 day, concur 2 days: done 4 Mar
    routed(units, offices, 3, 1, 2)  # review 3, concur 1: done 7 Mar
    routed(units, offices, 2, 10, 4)  # review 2, concur 10: done 17 Mar
    routed(units, offices, 5, None, 6)  # concur still open: not a completed route
    routed(units, offices, 4, 4, 40)  # done 18 Apr: outside the period
    with time_machine.travel(at(30), tick=False):
        client.force_login(bob)
        page = client.get(
            reverse("dashboard"),
            {
                "unit": units["AGENCY"].pk,
                "routes_after": "2027-03-01",
                "routes_before": "2027-03-31",
            },
        ).content.decode()
    table = re.search(r'data-testid="dwell">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(
        r'<th scope="row" class="fw-normal">(.*?)</th>\s*<td data-label="Step">(.*?)</td>'
        r'\s*<td class="text-end" data-label="Steps"><a href="(.*?)">(\d+)</a></td>'
        r".*?>([\d.]+)</a></td>.*?>([\d.]+)</a></td>",
        table,
        re.S,
    )
    got = {
        (office, kind): (int(n), float(median), float(p90))
        for office, kind, _, n, median, p90 in rows
    }
    b1, c = units["OFF-B1"].abbreviation, offices["concur"][0].abbreviation
    # review: 1, 3, 2 days → median 2, 90th percentile 3; concur: 2, 1, 10 → 2 and 10
    assert got == {(b1, "Review"): (3, 2.0, 3.0), (c, "Concur"): (3, 2.0, 10.0)}
    for _, _, link, count, _, _ in rows:
        with time_machine.travel(at(30), tick=False):
            listed = client.get(html.unescape(link))
        assert listed.status_code == 200
        assert listed.context["table"].paginator.count == int(count)


def test_the_route_step_filter_of_the_link_counts_the_same_rows(units, offices, bob, rf):
    from actions.filtersets import RouteStepFilterSet
    from actions.models import RouteStep

    routed(units, offices, 1, 2, 0)
    routed(units, offices, 5, None, 6)
    request = rf.get("/")
    request.user = bob
    data = {
        "route_completed_after": "2027-03-01",
        "route_completed_before": "2027-03-31",
        "lead_unit_subtree": str(units["AGENCY"].pk),
        "state": "done",
    }
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(data)
    filtered = RouteStepFilterSet(query, RouteStep.objects.visible_to(bob), request=request)
    assert filtered.is_valid(), filtered.errors
    assert filtered.qs.count() == 2  # the open route's done review is not counted
