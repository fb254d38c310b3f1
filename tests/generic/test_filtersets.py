"""Every model field has its filter (NetBox ``test_missing_filters``)."""

import pytest

from execcoord import registry

REGISTRATIONS = registry.all_registrations()


def expected_filter_name(field):
    """``<name>_id`` for relations, the field name otherwise."""
    if field.is_relation:
        return f"{field.name}_id"
    return field.name


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_every_model_field_has_a_filter(views):
    filters = views.filterset.base_filters
    missing = [
        expected_filter_name(f)
        for f in views.model._meta.get_fields()
        if f.concrete and expected_filter_name(f) not in filters
    ]
    assert not missing


@pytest.mark.parametrize("views", REGISTRATIONS, ids=lambda v: v.label)
def test_relation_filters_are_scoped_callables(views):
    for name, flt in views.filterset.base_filters.items():
        if name.endswith("_id") and hasattr(flt, "queryset"):
            assert callable(flt.queryset), name


def test_action_filters_for_dashboards_exist():
    filters = registry.get("actions.executiveaction").filterset.base_filters
    assert {"overdue", "open", "due_within", "lead_unit_subtree", "q"} <= set(filters)
