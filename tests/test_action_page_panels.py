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


def _panel_url(action, relation):
    from django.urls import reverse

    return reverse("actions:executiveaction_panel", args=[action.pk, relation])


def test_a_related_panel_is_drawn_closed_with_its_count_and_its_rows_come_from_its_url(
    client, units, alice
):
    from actions.choices import Visibility
    from actions.demo.analysis import LegalAuthorityFactory

    action = ExecutiveActionFactory(visibility=Visibility.INTERNAL, lead_unit=units["OFF-A1"])
    authorities = [LegalAuthorityFactory(name=f"Authority {i}", citation="") for i in range(3)]
    action.legal_authorities.add(*authorities)
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert (
        'id="panel-rel-legal_authorities">Legal authorities '
        '<span class="badge rounded-pill text-bg-secondary">3<' in page
    )
    assert f'data-url="{_panel_url(action, "legal_authorities")}"' in page
    assert "Authority 0" not in page  # not read until the panel is opened
    assert "Open the list of the 3 legal authorities" in page  # the way without a script
    rows = client.get(_panel_url(action, "legal_authorities"))
    assert rows.status_code == 200
    html = rows.content.decode()
    assert all(a.name in html for a in authorities)
    assert "<html" not in html  # the rows alone, put in the page's panel
    # an empty panel has nothing to open
    assert f'data-url="{_panel_url(action, "impacts")}"' not in page


def test_a_panel_url_answers_404_for_a_hidden_tasker_or_an_unknown_panel(client, units, alice):
    from actions.choices import Visibility

    hidden = ExecutiveActionFactory(visibility=Visibility.CONFIDENTIAL, lead_unit=units["OFF-B1"])
    seen = ExecutiveActionFactory(visibility=Visibility.INTERNAL, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    assert client.get(_panel_url(hidden, "legal_authorities")).status_code == 404
    assert client.get(_panel_url(seen, "no_such_relation")).status_code == 404
    # a relation the page draws in one of its own panels has no panel URL of its own
    assert client.get(_panel_url(seen, "status_updates")).status_code == 404


def test_the_timeline_is_drawn_closed_and_read_from_its_own_url_or_page(client, units, alice):
    from django.urls import reverse

    from actions.choices import Visibility
    from actions.demo.actions import StatusUpdateFactory

    action = ExecutiveActionFactory(visibility=Visibility.INTERNAL, lead_unit=units["OFF-A1"])
    StatusUpdateFactory(action=action, key_accomplishments="Drafting the reply")
    hidden = ExecutiveActionFactory(visibility=Visibility.CONFIDENTIAL, lead_unit=units["OFF-B1"])
    url = reverse("actions:executiveaction_timeline", args=[action.pk])
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert f'data-url="{url}?rows=1"' in page and f'href="{url}"' in page
    assert "Drafting the reply" not in page  # not read until the timeline is opened
    rows = client.get(f"{url}?rows=1").content.decode()
    assert "Drafting the reply" in rows and "<html" not in rows
    own_page = client.get(url).content.decode()  # the way without a script
    assert "Drafting the reply" in own_page and "<html" in own_page
    hidden_url = reverse("actions:executiveaction_timeline", args=[hidden.pk])
    assert client.get(hidden_url).status_code == 404
    assert client.get(f"{hidden_url}?rows=1").status_code == 404


def test_a_closed_panel_counts_its_rows_in_words_that_agree_with_the_number(client, units, alice):
    """One row is "the 1 legal authority", not "the 1 legal authorities"; a title the
    relation names otherwise keeps its words."""
    from actions.choices import Visibility
    from actions.demo.analysis import LegalAuthorityFactory
    from analysis.models import LegalAuthority
    from execcoord.panels import count_label
    from partners.models import OrganizationUnit

    action = ExecutiveActionFactory(visibility=Visibility.INTERNAL, lead_unit=units["OFF-A1"])
    action.legal_authorities.add(LegalAuthorityFactory(name="Authority 0", citation=""))
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Show the 1 legal authority</summary>" in page
    assert "Open the list of the 1 legal authority</a>" in page

    assert count_label(2, "Legal authorities", LegalAuthority) == "2 legal authorities"
    assert count_label(1, "Dependencies (predecessor)", LegalAuthority) == (
        "dependencies (predecessor) (1)"
    )
    assert count_label(1, "Organization units (parent)", OrganizationUnit) == (
        "1 organization unit (parent)"
    )
    assert count_label(1, "Sub-units", OrganizationUnit) == "sub-units (1)"
