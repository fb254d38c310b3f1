"""``pk__in_array``: membership in a list of ids sent as one parameter."""

import pytest
from django.db import connection

from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction

pytestmark = pytest.mark.django_db


def test_in_array_matches_exactly_the_listed_ids_and_an_empty_list_matches_nothing():
    first, second, _third = ExecutiveActionFactory.create_batch(3)
    chosen = ExecutiveAction.objects.filter(pk__in_array=[first.pk, second.pk])
    assert set(chosen) == {first, second}
    assert not ExecutiveAction.objects.filter(pk__in_array=[]).exists()
    assert ExecutiveAction.objects.exclude(pk__in_array=[first.pk]).count() == 2


def test_in_array_sends_the_ids_as_one_parameter_on_postgresql():
    ids = list(range(1, 501))
    query = ExecutiveAction.objects.filter(pk__in_array=ids).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and len(params) == 1
    else:
        assert " IN (" in sql and len(params) == 500
