"""The status machine on every page path: the transition endpoint, the edit form and bulk
edit; who may make which move; nothing half-saved; the same move twice at once; roll-up of a
three-level tree; the action page's query count."""

import itertools
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from actions import services
from actions.choices import ActionStatus, AssignmentStatus, Health, Visibility
from actions.demo.actions import (
    AssignmentFactory,
    DecisionLogEntryFactory,
    ExecutiveActionFactory,
    ExecutiveActionTypeFactory,
    StatusUpdateFactory,
)
from actions.demo.analysis import ImpactFactory, LegalAuthorityFactory, RiskItemFactory
from actions.models import ExecutiveAction, StatusUpdate
from tests.workflow_support import S, action_in, expected, opened_page, snapshot

ALL_PAIRS = list(itertools.product(ActionStatus.values, repeat=2))
MOVES = [(s, t) for s, t in ALL_PAIRS if s != t]


def _url(action, target):
    return reverse("actions:executiveaction_transition", args=[action.pk, target])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- every pair, on every path ----------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_transition_endpoint_applies_allowed_moves_and_refuses_the_rest(
    client, administrator, source, target
):
    action = action_in(source)
    before = snapshot(action)
    client.force_login(administrator)
    response = client.post(_url(action, target), {"comment": "by the endpoint"})
    assert response.status_code == 302
    if expected(source, target):
        assert ExecutiveAction.objects.get(pk=action.pk).status == target
    else:
        assert snapshot(action) == before
        assert any(m.startswith("Not changed.") for m in _messages(response))


@pytest.mark.parametrize(("source", "target"), MOVES)
def test_bulk_edit_applies_allowed_moves_and_refuses_the_rest(
    client, administrator, source, target
):
    action = action_in(source)
    before = snapshot(action)
    client.force_login(administrator)
    response = client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {
            "pk": [action.pk],
            f"version_{action.pk}": action.version,
            "_apply": "1",
            "status": target,
        },
    )
    if expected(source, target):
        assert response.status_code == 302
        assert ExecutiveAction.objects.get(pk=action.pk).status == target
    else:
        assert response.status_code == 200
        assert response.context["failures"]
        assert snapshot(action) == before


def test_transition_records_who_and_the_comment(client, administrator):
    action = action_in(S.SUBMITTED)
    client.force_login(administrator)
    client.post(_url(action, S.RETURNED), {"comment": "Cite the statute."})
    latest = action.history.order_by("-history_id").first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        S.RETURNED,
        administrator,
        "Cite the statute.",
    )


def test_approve_sets_and_reopen_clears_the_completion_date(client, administrator):
    action = action_in(S.SUBMITTED)
    client.force_login(administrator)
    client.post(_url(action, S.COMPLETED))
    action.refresh_from_db()
    assert action.completed_date is not None
    client.post(_url(action, S.IN_PROGRESS))
    action.refresh_from_db()
    assert (action.status, action.completed_date) == (S.IN_PROGRESS, None)


# --- type requirements -----


@pytest.mark.parametrize(
    ("flag", "what", "m2m", "make"),
    [
        (
            "requires_legal_authority",
            "a legal authority",
            "legal_authorities",
            LegalAuthorityFactory,
        ),
        ("requires_impact_assessment", "an impact assessment", "impacts", ImpactFactory),
        ("requires_risk_assessment", "a risk assessment", "risk_items", RiskItemFactory),
    ],
)
def test_issuing_is_refused_naming_what_the_type_requires(
    client, administrator, flag, what, m2m, make
):
    action_type = ExecutiveActionTypeFactory(name="Executive Directive", **{flag: True})
    action = action_in(S.DRAFT, action_type=action_type)
    client.force_login(administrator)
    response = client.post(_url(action, S.NOT_STARTED))
    assert f"Actions of type “Executive Directive” need {what}: link one before issuing." in (
        " ".join(_messages(response))
    )
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.DRAFT
    getattr(action, m2m).add(make())
    client.post(_url(action, S.NOT_STARTED))
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.NOT_STARTED


# --- who may move what -----


def test_staff_of_another_unit_gets_404_on_a_hidden_action(client, units, alice, charlie):
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"], visibility=Visibility.RESTRICTED)
    client.force_login(charlie)
    assert client.post(_url(action, S.IN_PROGRESS)).status_code == 404
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.NOT_STARTED


def test_staff_of_another_unit_gets_403_on_a_visible_action(client, units, charlie):
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"], visibility=Visibility.INTERNAL)
    client.force_login(charlie)
    assert client.post(_url(action, S.IN_PROGRESS)).status_code == 403
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.NOT_STARTED


def test_a_viewer_cannot_transition(client, units, viewer):
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"], visibility=Visibility.PUBLIC)
    client.force_login(viewer)
    assert client.post(_url(action, S.IN_PROGRESS)).status_code == 403
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.NOT_STARTED


def test_staff_start_and_submit_but_only_a_manager_approves(client, units, alice, bob):
    action = action_in(S.NOT_STARTED, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    client.post(_url(action, S.IN_PROGRESS))
    client.post(_url(action, S.SUBMITTED))
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.SUBMITTED
    assert client.post(_url(action, S.COMPLETED)).status_code == 403
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.SUBMITTED
    client.force_login(bob)
    client.post(_url(action, S.COMPLETED))
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.COMPLETED


def test_the_issuing_unit_issues_and_the_lead_unit_staff_cannot(client, units, alice, charlie):
    action = action_in(S.DRAFT, lead_unit=units["OFF-A1"], issuing_unit=units["OFF-B1"])
    assert [r.name for r in services.user_transitions(action, alice)] == []
    assert [r.name for r in services.user_transitions(action, charlie)] == ["issue", "cancel"]
    client.force_login(alice)
    assert client.post(_url(action, S.NOT_STARTED)).status_code == 403
    client.force_login(charlie)
    client.post(_url(action, S.NOT_STARTED))
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.NOT_STARTED


def test_the_page_offers_only_the_moves_open_to_the_user(client, units, alice, bob):
    action = action_in(S.SUBMITTED, lead_unit=units["OFF-A1"])
    approve = _url(action, S.COMPLETED)
    client.force_login(alice)
    assert approve not in client.get(action.get_absolute_url()).content.decode()
    client.force_login(bob)
    page = client.get(action.get_absolute_url()).content.decode()
    assert approve in page and _url(action, S.RETURNED) in page


# --- nothing half-saved -----


def test_a_refused_approval_leaves_children_and_record_unchanged(client, administrator):
    parent = action_in(S.SUBMITTED)
    child = action_in(S.IN_PROGRESS, parent=parent)
    before, child_before = snapshot(parent), snapshot(child)
    client.force_login(administrator)
    response = client.post(_url(parent, S.COMPLETED))
    assert "1 sub-tasker(s) are still open" in " ".join(_messages(response))
    assert (snapshot(parent), snapshot(child)) == (before, child_before)


def test_a_refused_bulk_edit_saves_no_record(client, administrator):
    ok, refused = action_in(S.NOT_STARTED), action_in(S.DRAFT)
    before = (snapshot(ok), snapshot(refused))
    client.force_login(administrator)
    response = client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {
            "pk": [ok.pk, refused.pk],
            **{f"version_{a.pk}": a.version for a in (ok, refused)},
            "_apply": "1",
            "status": S.IN_PROGRESS,
        },
    )
    assert response.status_code == 200
    assert (snapshot(ok), snapshot(refused)) == before


# --- the same move twice at once -----


@pytest.mark.django_db(transaction=True)
def test_the_same_transition_fired_twice_at_once_applies_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (SELECT … FOR UPDATE); run on PostgreSQL")
    from tests.conftest import make_user

    user = make_user("racer", "Administrator")
    action = action_in(S.IN_PROGRESS)
    barrier = threading.Barrier(2)
    outcomes = []

    def fire():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            services.transition(
                ExecutiveAction.objects.get(pk=action.pk), S.SUBMITTED, user, strict=True
            )
            outcomes.append("applied")
        except services.TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["applied", "refused"]
    moves = [h.status for h in action.history.order_by("history_id") if h.status == S.SUBMITTED]
    assert moves == [S.SUBMITTED]


# --- roll-up -----


def test_rollup_of_a_three_level_tree_follows_the_children(client, administrator):
    root = action_in(S.IN_PROGRESS)
    middle = action_in(S.IN_PROGRESS, parent=root)
    leaf_a = action_in(S.IN_PROGRESS, parent=middle, percent_complete=0)
    leaf_b = action_in(S.IN_PROGRESS, parent=middle, percent_complete=0)
    sibling = action_in(S.IN_PROGRESS, parent=root, percent_complete=0)
    client.force_login(administrator)
    # a status update on one leaf (through the generic add page) …
    client.post(
        reverse("actions:statusupdate_add"),
        {
            "action": leaf_a.pk,
            "kind": "progress",
            "status_date": "2026-11-20",
            "health": Health.AT_RISK,
            "percent_complete": "60",
            "timeline_impact": "no_change",
            "budget_impact": "no_change",
        },
    )
    # … and the other leaf completed through the endpoint
    client.post(_url(leaf_b, S.SUBMITTED))
    client.post(_url(leaf_b, S.COMPLETED))
    middle.refresh_from_db()
    root.refresh_from_db()
    assert middle.percent_complete == 80  # (60 + 100) / 2
    assert root.percent_complete == 40  # (80 + 0) / 2
    counts = services.rollup(middle)
    assert (counts.total, counts.completed) == (2, 1)
    assert services.rollup(root)[:2] == (2, 0)
    # cancelling the idle sibling leaves it out of the mean
    client.post(_url(sibling, S.CANCELLED))
    root.refresh_from_db()
    assert root.percent_complete == 80


def test_a_status_update_posted_on_the_page_sets_health_and_percent(client, administrator):
    action = action_in(S.IN_PROGRESS, percent_complete=10)
    client.force_login(administrator)
    response = client.post(
        reverse("actions:statusupdate_add") + f"?return_url={action.get_absolute_url()}",
        {
            "action": action.pk,
            "kind": "interim",
            "sent_to": "Office of the Deputy Secretary",
            "status_date": "2026-11-20",
            "health": Health.OFF_TRACK,
            "percent_complete": "35",
            "timeline_impact": "no_change",
            "budget_impact": "no_change",
            "return_url": action.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    action.refresh_from_db()
    assert (action.health, action.percent_complete) == (Health.OFF_TRACK, 35)
    page = opened_page(client, action)
    assert "Interim response sent to Office of the Deputy Secretary on 20 Nov 2026" in page


def test_the_tree_shows_every_depth_and_flags_a_child_due_after_its_parent(client, administrator):
    import datetime

    root = action_in(S.IN_PROGRESS, title="Root tasker")
    child = action_in(
        S.IN_PROGRESS,
        parent=root,
        title="Child tasker",
        due_date=root.due_date + datetime.timedelta(days=5),
    )
    action_in(S.NOT_STARTED, parent=child, title="Grandchild tasker")
    client.force_login(administrator)
    page = client.get(root.get_absolute_url()).content.decode()
    assert "Child tasker" in page and "Grandchild tasker" in page
    assert "after its parent&#x27;s due date" in page or "after its parent's due date" in page


# --- the action page's query count ---------------------------------------------------------------


def _busy_action(n, units):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    for i in range(n):
        child = ExecutiveActionFactory(parent=action, status=S.IN_PROGRESS)
        StatusUpdateFactory(action=action)
        DecisionLogEntryFactory(action=action)
        AssignmentFactory(action=action, status=AssignmentStatus.PENDING)
        services.change_due_date(
            child, child.due_date + __import__("datetime").timedelta(days=1), None, f"move {i}"
        )
    return action


def test_action_page_query_count_does_not_grow_with_related_rows(
    client, units, bob, django_assert_max_num_queries
):
    small, large = _busy_action(3, units), _busy_action(20, units)
    client.force_login(bob)
    client.get(small.get_absolute_url())  # warm the user's scope and the session
    with django_assert_max_num_queries(200) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert client.get(large.get_absolute_url()).status_code == 200
    assert StatusUpdate.objects.filter(action=large).count() == 20
