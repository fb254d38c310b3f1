"""The action page finds its related panels like every other detail page: every relation of a
tasker to a registered model is on the page, drawn by one of the action's own panels or by a
generic related panel, and none twice."""

import pytest

from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.panels import RelatedPanel, TemplatePanel, discover_relations

pytestmark = pytest.mark.django_db


def _layout():
    views = registry.get(ExecutiveAction)
    return views.detail_layout(views)


def test_every_relation_of_a_tasker_has_exactly_one_panel():
    layout = _layout()
    drawn = [
        name for p in layout if isinstance(p, TemplatePanel) for name in getattr(p, "draws", ())
    ]
    related = [p.relation for p in layout if isinstance(p, RelatedPanel)]
    relations = [r.name for r in discover_relations(ExecutiveAction)]
    assert sorted(drawn + related) == sorted(relations)
    # a model linked to taskers from another app is found, not listed by hand
    assert {"legal_authorities", "impacts", "agreements", "partners"} <= set(related)


def test_the_action_page_draws_a_panel_for_each_relation(client, administrator):
    action = ExecutiveActionFactory()
    client.force_login(administrator)
    page = client.get(action.get_absolute_url()).content.decode()
    missing = [
        p.relation
        for p in _layout()
        if isinstance(p, RelatedPanel) and f'id="panel-rel-{p.relation}"' not in page
    ]
    assert missing == []
