"""The action page reads a fixed number of queries, whatever the number of related rows, and
its batched panels show exactly what the user may see (issue 7)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.choices import ActionStatus, AssignmentStatus, ExtensionStatus, Visibility
from actions.demo.actions import (
    AssignmentFactory,
    AttachmentFactory,
    DecisionLogEntryFactory,
    DependencyFactory,
    ExecutiveActionFactory,
    ExtensionRequestFactory,
    StatusUpdateFactory,
    TagFactory,
)
from actions.demo.analysis import (
    AnalysisFactory,
    ImpactFactory,
    LegalAuthorityFactory,
    RiskItemFactory,
)
from actions.demo.partners import AccountFactory, AgreementFactory
from actions.models import (
    Dependency,
    DueDateChange,
    ExecutiveAction,
    StatusUpdate,
)
from analysis.models import LegalAuthority
from execcoord.db.union import count_together, load_together
from tests.workflow_support import action_in

pytestmark = pytest.mark.django_db

S = ActionStatus
BUDGET = 11


def _busy_tasker(units, children=20, updates=50, links=3):
    """An in-progress tasker of OFF-A1 with sub-taskers (two levels), status updates and
    rows in every panel of its page."""
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    for i in range(children):
        child = ExecutiveActionFactory(
            parent=action, status=S.IN_PROGRESS, lead_unit=units["OFF-A1"]
        )
        if i % 5 == 0:
            ExecutiveActionFactory(parent=child, lead_unit=units["OFF-A1"])
    for _ in range(updates):
        StatusUpdateFactory(action=action)
    for _ in range(links):
        DecisionLogEntryFactory(action=action)
        AssignmentFactory(action=action, status=AssignmentStatus.PENDING)
        AttachmentFactory(action=action)
        DependencyFactory(successor=action, predecessor=ExecutiveActionFactory())
        DependencyFactory(predecessor=action, successor=ExecutiveActionFactory())
        ExtensionRequestFactory(action=action, status=ExtensionStatus.DENIED)
        action.legal_authorities.add(LegalAuthorityFactory())
        action.analyses.add(AnalysisFactory())
        action.impacts.add(ImpactFactory())
        action.risk_items.add(RiskItemFactory())
        action.agreements.add(AgreementFactory())
        action.partners.add(AccountFactory())
        action.tags.add(TagFactory())
    services.change_due_date(action, action.due_date + datetime.timedelta(days=3), None, "moved")
    return action


def _count(client, url):
    client.get(url)  # the session and the user's scope
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["bob", "alice", "administrator"])
def test_a_busy_tasker_page_stays_within_eleven_queries(
    client, request, units, who, django_assert_max_num_queries
):
    action = _busy_tasker(units)
    client.force_login(request.getfixturevalue(who))
    client.get(action.get_absolute_url())
    with django_assert_max_num_queries(BUDGET):
        page = client.get(action.get_absolute_url()).content.decode()
    children = ExecutiveAction.objects.filter(parent=action)
    assert len(children) == 20
    assert all(child.number in page for child in children)  # every child in the tree
    timeline_url = reverse("actions:executiveaction_timeline", args=[action.pk])
    assert f'data-url="{timeline_url}?rows=1"' in page  # the timeline, drawn when opened
    with django_assert_max_num_queries(BUDGET):
        events = client.get(f"{timeline_url}?rows=1").content.decode()
    assert events.count("Sub-tasker ") >= 20  # every child in the timeline
    assert events.count("Status update (") == 50


@pytest.mark.parametrize("who", ["bob", "alice", "administrator"])
def test_a_readers_next_tasker_page_compiles_none_of_its_batched_queries(
    client, request, units, who, monkeypatch, settings
):
    """Every query of a tasker's batched load is compiled once per reader (``Shaped``): the
    second tasker's page sends the first one's SQL with its own values, and shows its own
    rows (the other tests' checking mode compares each reuse with a fresh compile)."""
    from execcoord.db import union

    settings.EXECCOORD_CHECK_SHAPES = False  # it compiles every reuse again
    union._SHAPES.clear()  # none kept from an earlier test
    first, second = _busy_tasker(units, 3, 2, 1), _busy_tasker(units, 4, 3, 1)
    client.force_login(request.getfixturevalue(who))
    client.get(first.get_absolute_url())
    compiled = []
    for part in (union._Part, union._CountPart):
        real = part.compile.__func__
        monkeypatch.setattr(
            part,
            "compile",
            classmethod(lambda cls, key, qs, real=real: compiled.append(key) or real(cls, key, qs)),
        )
    page = client.get(second.get_absolute_url()).content.decode()
    assert compiled == []
    children = ExecutiveAction.objects.filter(parent=second)
    assert len(children) == 4 and all(child.number in page for child in children)
    assert not any(child.number in page for child in ExecutiveAction.objects.filter(parent=first))


def test_the_query_count_does_not_grow_with_related_rows(client, units, bob):
    # links=11: both pages have panels longer than they show, so both count them (one query)
    small, large = _busy_tasker(units, 2, 2, 11), _busy_tasker(units, 25, 60, 14)
    client.force_login(bob)
    assert (
        _count(client, small.get_absolute_url())[0] == _count(client, large.get_absolute_url())[0]
    )


def test_a_related_panel_with_more_rows_than_it_shows_counts_them_all(client, units, bob):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    action.tags.add(*[TagFactory() for _ in range(13)])
    client.force_login(bob)
    queries, page = _count(client, action.get_absolute_url())
    assert queries <= BUDGET
    assert 'id="panel-rel-tags">Tags <span class="badge rounded-pill text-bg-secondary">13<' in page


def test_hidden_subtaskers_and_dependencies_stay_out_of_every_panel(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    ExecutiveActionFactory(parent=action, title="Seen child", lead_unit=units["OFF-A1"])
    hidden = ExecutiveActionFactory(
        parent=action,
        title="Hidden child",
        status=S.COMPLETED,
        completed_date=datetime.date.today(),
        visibility=Visibility.CONFIDENTIAL,
        lead_unit=units["OFF-B1"],
    )
    ExecutiveActionFactory(parent=hidden, title="Grandchild under a hidden child")
    secret = ExecutiveActionFactory(
        title="Secret predecessor", visibility=Visibility.CONFIDENTIAL, lead_unit=units["OFF-B1"]
    )
    Dependency.objects.create(predecessor=secret, successor=action)
    client.force_login(alice)
    _, page = _count(client, action.get_absolute_url())
    page += _count(client, reverse("actions:executiveaction_timeline", args=[action.pk]))[1]
    assert "Seen child" in page
    for text in (
        "Hidden child",
        hidden.number,
        "Grandchild under",
        "Secret predecessor",
        secret.number,
    ):
        assert text not in page, text
    assert "sub-taskers 0 of 1 completed" in page  # the roll-up counts what alice sees


# --- load_together ---------------------------------------------------------------------------


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_load_together_gives_what_each_queryset_gives_alone(units, alice):
    action = _busy_tasker(units, children=4, updates=5, links=2)
    ExecutiveAction.objects.filter(parent=action).update(
        estimated_budget=Decimal("1234567890.12"), estimated_effort_hours=Decimal("0.1")
    )
    querysets = {
        "updates": StatusUpdate.objects.filter(action=action).select_related("reported_by"),
        "children": ExecutiveAction.objects.visible_to(alice)
        .filter(parent=action)
        .select_related("lead_unit", "accountable_person__organization_unit")
        .order_by("-number")[1:3],
        "authorities": LegalAuthority.objects.filter(actions=action)[:1],
        "changes": DueDateChange.objects.filter(action=action).select_related(
            "changed_by", "extension_request"
        ),
        "history": action.history.order_by("history_date", "history_id").select_related(
            "history_user", "lead_unit"
        ),
        "related manager": action.decisions.all(),
        "only": ExecutiveAction.objects.filter(parent=action).only("pk", "number"),
        "distinct, alone": ExecutiveAction.objects.filter(parent__parent=action).distinct(),
        "nothing": Dependency.objects.none(),
        "no match": ExecutiveAction.objects.filter(pk__in=[]),
    }
    with CaptureQueriesContext(connection) as captured:
        loaded = load_together(querysets)
    assert len(captured.captured_queries) == 2  # a distinct queryset runs on its own
    for key, queryset in querysets.items():
        alone = list(queryset)
        if key == "only":
            assert [(o.pk, o.number) for o in loaded[key]] == [(o.pk, o.number) for o in alone]
            assert loaded[key][0].get_deferred_fields() == alone[0].get_deferred_fields()
            continue
        assert [_fields(o) for o in loaded[key]] == [_fields(o) for o in alone], key
    with CaptureQueriesContext(connection) as captured:
        for child in loaded["children"]:
            str(child.lead_unit), str(child.accountable_person.organization_unit)
        for update in loaded["updates"]:
            str(update.reported_by)
        for decision in loaded["related manager"]:
            assert decision.action is action
    assert not captured.captured_queries  # joined and known rows come with the batch
    assert loaded["nothing"] == [] and loaded["no match"] == []


def test_count_together_counts_in_one_query(units):
    action = _busy_tasker(units, children=3, updates=4, links=2)
    with CaptureQueriesContext(connection) as captured:
        counts = count_together(
            {
                "updates": StatusUpdate.objects.filter(action=action),
                "children": ExecutiveAction.objects.filter(parent=action),
                "none": ExecutiveAction.objects.none(),
            }
        )
    assert len(captured.captured_queries) == 1
    assert counts == {"updates": 4, "children": 3, "none": 0}


def test_load_together_counts_a_counted_queryset_in_the_same_query(units):
    from execcoord.db.union import Counted

    action = _busy_tasker(units, children=3, updates=4, links=2)
    with CaptureQueriesContext(connection) as captured:
        loaded = load_together(
            {
                "updates": StatusUpdate.objects.filter(action=action),
                "children": Counted(ExecutiveAction.objects.filter(parent=action)),
                "authorities": Counted(LegalAuthority.objects.filter(actions=action)),
                "none": Counted(ExecutiveAction.objects.none()),
                "no match": Counted(ExecutiveAction.objects.filter(pk__in=[])),
            }
        )
    assert len(captured.captured_queries) == 1
    assert len(loaded["updates"]) == 4
    assert (loaded["children"], loaded["authorities"]) == (3, 2)
    assert (loaded["none"], loaded["no match"]) == (0, 0)
