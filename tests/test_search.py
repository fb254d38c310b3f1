"""Global search (issue 7): a fixed number of queries, capped counts, nothing hidden.

``execcoord.search.global_search`` finds every model's capped count and first hits in one
``UNION ALL`` and brings the shown rows in a second one, as JSON rebuilt into instances; these
tests hold it to that on SQLite and PostgreSQL.
"""

import datetime

import pytest
from django.urls import reverse

from actions.choices import Visibility
from actions.demo.actions import (
    DecisionLogEntryFactory,
    ExecutiveActionFactory,
    StatusUpdateFactory,
    TagFactory,
)
from actions.models import ExecutiveAction
from execcoord import registry, search
from execcoord.search import MAX_HITS, global_search
from tests.generic.model_data import MODELS

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 10  # session, user, permissions, the user's scope, then two for the search


def _searchable():
    return [v.label for v in registry.all_registrations() if v.searchable]


def _one_of_every_model(word):
    """One record of every searchable model with ``word`` in a searched text field."""
    records = {}
    for label in _searchable():
        factory, text_field, _ = MODELS[label]
        model = factory._meta.model
        assert text_field in model.search_fields, label
        records[label] = factory(**{text_field: f"{word} {model._meta.model_name}"})
    return records


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _page(client, q):
    return client.get(reverse("search"), {"q": q}).content.decode()


def test_every_model_is_found_and_rebuilt_field_for_field(superuser):
    records = _one_of_every_model("Quokka")
    groups = global_search(superuser, "quokka")
    assert [g["views"].label for g in groups] == _searchable()
    for group in groups:
        stored = records[group["views"].label]
        stored = type(stored).objects.get(pk=stored.pk)
        assert (group["count"], group["exact"]) == (1, True)
        [hit] = group["hits"]
        assert type(hit) is type(stored)
        assert _values(hit) == _values(stored), group["views"].label
        assert str(hit) == str(stored)
        assert hit.get_absolute_url() == stored.get_absolute_url()


def test_rebuilt_dates_are_aware_and_decimals_keep_their_places(superuser):
    action = ExecutiveActionFactory(title="Wombat survey", due_date=datetime.date(2031, 3, 4))
    TagFactory(name="Wombat")  # hits in two models: the rows travel as JSON
    groups = {g["views"].label: g for g in global_search(superuser, "wombat")}
    assert set(groups) == {"actions.executiveaction", "actions.tag"}
    [hit] = groups["actions.executiveaction"]["hits"]
    assert hit.due_date == datetime.date(2031, 3, 4)
    assert hit.created_at == ExecutiveAction.objects.get(pk=action.pk).created_at
    assert hit.created_at.tzinfo is not None
    decimals = [
        f for f in ExecutiveAction._meta.concrete_fields if f.get_internal_type() == "DecimalField"
    ]
    for field in decimals:
        value = getattr(hit, field.attname)
        assert value is None or value.as_tuple().exponent == -field.decimal_places


def test_query_count_does_not_depend_on_models_or_hits(
    client, superuser, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    ExecutiveActionFactory(title="Lonely platypus")
    _page(client, "platypus")
    with CaptureQueriesContext(connection) as one_hit:
        assert "Lonely platypus" in _page(client, "platypus")

    _one_of_every_model("Numbat")
    ExecutiveActionFactory.create_batch(MAX_HITS + 3, title="Numbat census")
    StatusUpdateFactory.create_batch(MAX_HITS + 1, next_steps="Numbat census next")
    with django_assert_max_num_queries(QUERY_BUDGET):
        page = _page(client, "numbat")
    assert page.count('class="list-group-item"') == len(_searchable()) - 2 + 2 * MAX_HITS
    with CaptureQueriesContext(connection) as every_model:
        _page(client, "numbat")
    assert len(every_model) == len(one_hit)


def test_staff_search_stays_within_budget(client, alice, units, django_assert_max_num_queries):
    client.force_login(alice)
    for _ in range(MAX_HITS + 2):
        action = ExecutiveActionFactory(title="Echidna habitat", lead_unit=units["OFF-A1"])
        StatusUpdateFactory(action=action, next_steps="Echidna follow-up")
    _page(client, "echidna")
    with django_assert_max_num_queries(QUERY_BUDGET):
        page = _page(client, "echidna")
    assert "Echidna habitat" in page and "Echidna" in page


def test_hits_follow_the_model_ordering_and_the_count_is_exact_under_the_cap(superuser):
    today = datetime.date.today()
    for days in (9, 3, 12, 1, 7, 5, 11, 2, 8, 4, 10, 6):
        ExecutiveActionFactory(title="Bilby plan", due_date=today + datetime.timedelta(days))
    [group] = global_search(superuser, "bilby")
    expected = list(ExecutiveAction.objects.filter(title="Bilby plan")[:MAX_HITS])
    assert group["hits"] == expected
    assert [h.due_date for h in group["hits"]] == sorted(h.due_date for h in group["hits"])
    assert (group["count"], group["exact"]) == (12, True)


def test_above_the_cap_the_count_says_more_than(client, superuser, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    ExecutiveActionFactory.create_batch(5, title="Dingo watch")
    [group] = global_search(superuser, "dingo")
    assert (group["count"], group["exact"]) == (3, False)
    assert len(group["hits"]) == 4  # the first by due date among the cap + 1 counted
    client.force_login(superuser)
    page = _page(client, "dingo")
    assert "More than 3 results" in page
    assert "More than 3 executive actions" in page and "3+</span>" in page


def test_every_word_must_match(superuser):
    ExecutiveActionFactory(title="Koala feeding schedule")
    ExecutiveActionFactory(title="Koala transport")
    [group] = global_search(superuser, "koala schedule")
    assert group["count"] == 1 and group["hits"][0].title == "Koala feeding schedule"
    assert global_search(superuser, "koala nothing") == []


@pytest.fixture
def numbered(monkeypatch):
    """Actions answer their number typed whole (``search_identifier_field``)."""
    monkeypatch.setattr(ExecutiveAction, "search_identifier_field", "number", raising=False)


def test_a_number_typed_whole_answers_that_action_alone(
    superuser, numbered, django_assert_max_num_queries
):
    action = ExecutiveActionFactory(title="Tapir survey")
    ExecutiveActionFactory(title="Tapir follow-up", description=f"Continues {action.number}.")
    for q in (action.number, f" {action.number.lower()} "):
        with django_assert_max_num_queries(2):  # the user's scope (once), then one lookup
            [group] = global_search(superuser, q)
        assert (group["views"].label, group["count"], group["hits"]) == (
            "actions.executiveaction",
            1,
            [action],
        )
    # a part of a number, or a number among other words, is searched as text
    [group] = global_search(superuser, action.number[:-1])
    assert action in group["hits"]  # with the other one: both numbers start so
    [group] = global_search(superuser, f"continues {action.number}")
    assert [h.title for h in group["hits"]] == ["Tapir follow-up"]


def test_blank_search_asks_nothing(superuser, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert global_search(superuser, "   ") == []


class TestHiddenRecords:
    """A restricted tasker of OFF-A1: Charlie (OFF-B1) must not see it, its parts, or a count."""

    @pytest.fixture(autouse=True)
    def records(self, units):
        self.hidden = ExecutiveActionFactory(
            title="Wallaby relocation kumquat",
            visibility=Visibility.RESTRICTED,
            lead_unit=units["OFF-A1"],
            issued=True,
        )
        StatusUpdateFactory(action=self.hidden, next_steps="Wallaby kumquat next steps")
        DecisionLogEntryFactory(action=self.hidden, title="Wallaby kumquat decision")
        self.shown = ExecutiveActionFactory(title="Wallaby census", lead_unit=units["OFF-B1"])

    def test_outsider_sees_neither_the_action_nor_its_parts_nor_their_count(self, charlie):
        groups = global_search(charlie, "wallaby")
        assert [(g["views"].label, g["count"]) for g in groups] == [("actions.executiveaction", 1)]
        assert groups[0]["hits"] == [self.shown]

    def test_outsider_page_leaves_it_out(self, client, charlie):
        client.force_login(charlie)
        hidden_urls = [self.hidden.get_absolute_url()] + [
            part.get_absolute_url()
            for part in (*self.hidden.status_updates.all(), *self.hidden.decisions.all())
        ]
        statuses = {
            "wallaby": "1 result for",
            "kumquat": "0 results for",
            self.hidden.number: "0 results for",
        }
        for q, status in statuses.items():
            page = _page(client, q)
            assert status in page, q
            assert self.hidden.title not in page, q
            assert not any(url in page for url in hidden_urls), q

    def test_outsider_typing_its_number_gets_nothing(self, charlie, numbered):
        assert global_search(charlie, self.hidden.number) == []

    def test_unit_member_sees_it_with_its_parts(self, alice):
        groups = {g["views"].label: g["count"] for g in global_search(alice, "wallaby")}
        assert groups == {
            "actions.executiveaction": 2,
            "actions.statusupdate": 1,
            "actions.decisionlogentry": 1,
        }
