"""``app_registrar``: one line registers a model that follows the naming convention."""

from types import SimpleNamespace

from actions import filtersets, forms, tables
from actions.models import ExecutiveAction, ExecutiveActionType, Tag
from execcoord import registry
from execcoord.filtersets import BaseFilterSet


def test_the_convention_finds_table_filterset_form_and_fieldsets(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    register_model = registry.app_registrar(tables, filtersets, forms, menu_group="Actions")
    views = register_model(ExecutiveAction)
    assert views.table is tables.ExecutiveActionTable
    assert views.filterset is filtersets.ExecutiveActionFilterSet
    assert views.form is forms.ExecutiveActionForm


def test_a_model_without_its_own_filterset_gets_a_generated_one(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    register_model = registry.app_registrar(tables, filtersets, forms, menu_group="Actions")
    assert not hasattr(filtersets, "ExecutiveActionTypeFilterSet")
    views = register_model(ExecutiveActionType)
    assert issubclass(views.filterset, BaseFilterSet)
    assert views.filterset.__name__ == "ExecutiveActionTypeFilterSet"
    assert views.filterset._meta.model is ExecutiveActionType
    assert "name" in views.filterset().filters  # the filters are generated from the fields
    assert views.table is tables.ExecutiveActionTypeTable
    assert views.form is forms.ExecutiveActionTypeForm
    assert views.fieldsets == forms.ExecutiveActionTypeForm.fieldsets
    assert views.menu_group == "Actions"
    assert registry._registry[views.label] is views


def test_options_add_to_or_replace_the_convention(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    other = SimpleNamespace(TagForm=forms.TagForm)
    register_model = registry.app_registrar(tables, filtersets, other, menu_group="Actions")
    views = register_model(Tag, menu_group=None, user_fields=("owner",))
    assert views.form is forms.TagForm and views.fieldsets is None
    assert views.menu_group is None and views.user_fields == ("owner",)
