"""Every orderable column of every table sorts and renders, in both directions."""

import pytest
from django.urls import reverse

from execcoord import registry
from execcoord.utils import viewname
from tests.generic.model_data import MODELS

pytestmark = pytest.mark.django_db
REGISTRATIONS = registry.all_registrations()


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_every_orderable_column_sorts(admin_client, views):
    MODELS[views.label][0].create_batch(2)
    list_url = reverse(viewname(views.model, "list"))
    for name, column in views.table.base_columns.items():
        if name == "pk" or not column.orderable:
            continue
        for sort in (name, f"-{name}"):
            response = admin_client.get(list_url, {"sort": sort})
            assert response.status_code == 200, sort
            assert 'aria-sort="' in response.content.decode() or name not in (
                views.table.Meta.default_columns
            ), sort


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_table_declares_default_columns_that_exist(views):
    assert set(views.table.Meta.default_columns) <= set(views.table.base_columns)
