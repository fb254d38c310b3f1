"""A list opened from a link names its filters as chips, keeps "More filters" closed, and its
URL carries only the filters in use (issue 15: "More filters" opened by itself on a 6,000 px
page, "Lead unit and its sub-units (unit ids): 4", ~45 empty parameters after Apply)."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from actions.choices import ActionStatus, Health, Priority
from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

LIST = reverse(viewname(ExecutiveAction, "list"))
YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


@pytest.fixture
def taskers(units, alice):
    def make(title, **fields):
        fields.setdefault("lead_unit", units["OFF-A1"])
        fields.setdefault("status", ActionStatus.IN_PROGRESS)
        return ExecutiveActionFactory(title=title, **fields)

    return {
        "late": make("Late staffing plan", due_date=YESTERDAY - datetime.timedelta(days=9)),
        "late_b": make("Late in bureau B", lead_unit=units["OFF-B1"], due_date=YESTERDAY),
        "on_time": make("Budget justification", priority=Priority.HIGH, health=Health.AT_RISK),
        "done": make(
            "Finished records review",
            status=ActionStatus.COMPLETED,
            completed_date=YESTERDAY,
        ),
    }


def get(client, user, query):
    client.force_login(user)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.status_code
    return response


def chips(html):
    """The chips' texts and removal links, as a person (and a screen reader) gets them."""
    found = re.findall(
        r'<li class="ec-chip"><span class="ec-chip-text">(.*?)</span>'
        r'<a class="ec-chip-remove" href="([^"]*)" aria-label="([^"]*)"',
        html,
    )
    return [
        (" ".join(unescape(re.sub(r"<[^>]+>", "", text)).split()), unescape(href), label)
        for text, href, label in found
    ]


def test_a_dashboard_link_shows_named_chips_and_keeps_more_filters_closed(
    client, bob, units, taskers
):
    response = get(client, bob, f"lead_unit_subtree={units['BUR-A'].pk}&overdue=true")
    html = response.content.decode()

    assert [text for text, _, _ in chips(html)] == [
        "Overdue: Yes",
        f"Lead unit and its sub-units: {units['BUR-A']}",
    ]
    assert "(unit ids)" not in html
    assert '<details class="mt-2">' in html and '<details class="mt-2" open' not in html
    # the drill-through filter travels with the form as a hidden value, not a text box
    assert f'<input type="hidden" name="lead_unit_subtree" value="{units["BUR-A"].pk}">' in html
    assert [a.title for a in response.context["table"].page.object_list.data] == [
        "Late staffing plan"
    ]


def test_the_x_of_a_chip_removes_that_filter_only(client, bob, units, taskers):
    html = get(client, bob, f"lead_unit_subtree={units['BUR-A'].pk}&overdue=true").content
    by_text = {text: href for text, href, _ in chips(html.decode())}
    without_overdue = by_text["Overdue: Yes"]
    assert without_overdue == f"?lead_unit_subtree={units['BUR-A'].pk}"

    response = get(client, bob, without_overdue[1:])
    titles = {a.title for a in response.context["table"].page.object_list.data}
    assert titles == {"Late staffing plan", "Budget justification", "Finished records review"}


def test_each_chip_has_a_named_remove_link(client, bob, taskers):
    html = get(client, bob, "status=in_progress&status=returned&priority=high").content.decode()
    assert [label for _, _, label in chips(html)] == [
        "Remove filter Status: In progress",
        "Remove filter Status: Returned",
        "Remove filter Priority: High",
    ]


def test_the_lists_default_is_a_chip_and_removing_it_shows_finished_work(client, bob, taskers):
    html = get(client, bob, "").content.decode()
    [(text, href, _)] = chips(html)
    assert (text, href) == ("Open: Yes", "?open=any")

    response = get(client, bob, "open=any")
    assert "Finished records review" in response.content.decode()
    assert chips(response.content.decode()) == []


def test_a_filter_in_use_from_more_filters_is_drawn_open(client, bob, taskers):
    html = get(client, bob, "health=at_risk").content.decode()
    form = html[html.index('id="list-filters"') :]
    health = form.index('name="health"')
    assert health < form.index("More filters")
    assert ("Health: At risk", "?", "Remove filter Health: At risk") in chips(html)


def test_a_form_submitted_without_javascript_is_redirected_to_its_filled_in_fields(
    client, bob, taskers
):
    client.force_login(bob)
    response = client.get(
        LIST, {"q": "", "status": ["", "in_progress"], "priority": "high", "lead_unit_id": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=in_progress&priority=high"

    assert client.get(LIST, {"q": "", "lead_unit_id": ""})["Location"] == LIST


def test_a_choice_filter_asks_for_its_rows_without_distinct(client, bob, taskers):
    """A filter on a column of the row itself (status, priority …) cannot repeat a row, so
    the list's query has no ``DISTINCT``: with it the database sorted every matching row by
    every column before the first page (5 s for "completed" at 1M taskers, issue 20)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = get(client, bob, "status=completed&status=in_progress&priority=high")
    rows = [r.record.pk for r in response.context["table"].page.object_list]
    assert rows == [taskers["on_time"].pk]
    listed = [q["sql"] for q in captured.captured_queries if "actions_executiveaction" in q["sql"]]
    assert listed and not any("DISTINCT" in sql for sql in listed)
