"""``app_registrar``: one line registers a model that follows the naming convention."""

from types import SimpleNamespace

from actions import filtersets, forms, tables
from actions.models import ExecutiveActionType, Tag
from execcoord import registry


def test_the_convention_finds_table_filterset_form_and_fieldsets(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    register_model = registry.app_registrar(tables, filtersets, forms, menu_group="Actions")
    views = register_model(ExecutiveActionType)
    assert views.table is tables.ExecutiveActionTypeTable
    assert views.filterset is filtersets.ExecutiveActionTypeFilterSet
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
