"""A restricted tasker stays hidden on every path (issue 6 §3), and what roles may change.

The tasker belongs to OFF-A1 (under BUR-A). Charlie works in OFF-B1: an outsider who must not
learn it exists, on any page, count, export, search, panel or admin list. Bob manages BUR-A
and so sees it; Alice works in OFF-A1 and sees it too.
"""

import pytest
from django.urls import reverse

from actions.choices import Visibility
from actions.demo.actions import ExecutiveActionFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

SECRET_TITLE = "Relocate the continuity site quietly"


@pytest.fixture
def authority(db):
    return LegalAuthorityFactory(name="Continuity Directive 99", citation="99 FR 12345")


@pytest.fixture
def restricted(units, authority):
    return ExecutiveActionFactory(
        title=SECRET_TITLE,
        description="A restricted tasker about the continuity site.",
        visibility=Visibility.RESTRICTED,
        lead_unit=units["OFF-A1"],
        legal_authorities=[authority],
        issued=True,
    )


def _list_url(**params):
    from urllib.parse import urlencode

    return reverse(viewname(ExecutiveAction, "list")) + ("?" + urlencode(params) if params else "")


@pytest.mark.django_db
class TestOutsiderSeesNothing:
    @pytest.fixture(autouse=True)
    def signed_in(self, client, charlie, restricted):
        client.force_login(charlie)
        self.client, self.action = client, restricted

    def test_detail_edit_and_history_are_404(self):
        for page in ("detail", "edit", "history"):
            url = reverse(viewname(ExecutiveAction, page), args=[self.action.pk])
            assert self.client.get(url).status_code == 404, page

    def test_every_page_answers_as_if_it_did_not_exist(self):
        """Same status as for a number nobody has: the answer reveals nothing."""
        for page in ("detail", "edit", "delete", "history"):
            hidden = reverse(viewname(ExecutiveAction, page), args=[self.action.pk])
            missing = reverse(viewname(ExecutiveAction, page), args=[self.action.pk + 9999])
            status = self.client.get(hidden).status_code
            assert status in (403, 404) and status == self.client.get(missing).status_code

    def test_its_closed_panels_and_timeline_answer_as_if_it_did_not_exist(self):
        """The rows the page loads when a panel is opened (every related panel of the
        tasker page, and the timeline with and without ``?rows=1``) are 404 for a hidden
        tasker, as for a number nobody has, and never show it."""
        from execcoord.panels import RelatedPanel
        from execcoord.registry import get
        from execcoord.views.generic import detail_layout

        relations = [
            p.relation
            for p in detail_layout(get("actions.executiveaction"))
            if isinstance(p, RelatedPanel) and p.lazy
        ]
        assert relations  # the generic related panels of the tasker page
        for pk in (self.action.pk, self.action.pk + 9999):
            urls = [
                reverse(viewname(ExecutiveAction, "panel"), args=[pk, name]) for name in relations
            ]
            timeline = reverse("actions:executiveaction_timeline", args=[pk])
            for url in [*urls, timeline, f"{timeline}?rows=1"]:
                response = self.client.get(url)
                assert response.status_code == 404, url
                assert SECRET_TITLE not in response.content.decode()

    def test_direct_post_to_edit_is_404_and_changes_nothing(self):
        url = reverse(viewname(ExecutiveAction, "edit"), args=[self.action.pk])
        response = self.client.post(url, {"title": "Hijacked"})
        assert response.status_code == 404
        self.action.refresh_from_db()
        assert self.action.title == SECRET_TITLE

    def test_list_and_its_count_leave_it_out(self):
        page = self.client.get(_list_url(q="continuity")).content.decode()
        assert SECRET_TITLE not in page and self.action.number not in page

    def test_a_later_page_leaves_it_out(self, units):
        """Pages past the first are read by key (``DeferredJoinData``): still only visible rows."""
        ExecutiveActionFactory.create_batch(
            30, visibility=Visibility.RESTRICTED, lead_unit=units["OFF-A1"], issued=True
        )
        ExecutiveActionFactory.create_batch(30, visibility=Visibility.PUBLIC)
        response = self.client.get(_list_url(open="any", per_page=25, page=2))
        shown = ExecutiveAction.objects.filter(
            pk__in=[row.record.pk for row in response.context["table"].page.object_list]
        )
        assert shown.count() == 5
        assert set(shown.values_list("visibility", flat=True)) == {Visibility.PUBLIC}

    def test_export_leaves_it_out(self, units):
        """Both formats hold the visible tasker and not the hidden one; the workbook is read
        cell by cell (its text is compressed inside the zip, so a byte search finds nothing)."""
        import csv
        import io

        from openpyxl import load_workbook

        shown = ExecutiveActionFactory(visibility=Visibility.PUBLIC, lead_unit=units["OFF-B1"])
        for fmt in ("csv", "xlsx"):
            response = self.client.get(_list_url(export=fmt, open="any"))
            assert response.status_code == 200
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if fmt == "xlsx":
                sheet = load_workbook(io.BytesIO(body), read_only=True).active
                cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row}
            else:
                rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
                cells = {cell for row in rows for cell in row}
            assert shown.number in cells, fmt
            assert self.action.number not in cells, fmt
            assert SECRET_TITLE not in cells, fmt

    def test_global_search_leaves_it_out(self):
        for q in (self.action.number, "continuity", "Relocate"):
            page = self.client.get(reverse("search"), {"q": q}).content.decode()
            assert SECRET_TITLE not in page, q

    def test_linked_panel_of_the_authority_leaves_it_out(self, authority):
        page = self.client.get(authority.get_absolute_url()).content.decode()
        assert authority.name in page
        assert SECRET_TITLE not in page and self.action.number not in page

    def test_autocomplete_leaves_it_out(self, units):
        """A staff user may use the picker: it offers the visible match and not the hidden one."""
        shown = ExecutiveActionFactory(
            title="Relocate the records room",
            visibility=Visibility.PUBLIC,
            lead_unit=units["OFF-B1"],
            issued=True,
        )
        response = self.client.get(
            reverse("autocomplete", args=["actions.executiveaction"]), {"q": "Relocate"}
        )
        assert response.status_code == 200
        assert response.json() == {"results": [{"id": shown.pk, "text": str(shown)}]}

    def test_add_subtasker_under_it_is_404(self):
        url = reverse(viewname(ExecutiveAction, "add")) + f"?parent={self.action.pk}"
        assert self.client.get(url).status_code == 404

    def test_admin_changelist_leaves_it_out(self, charlie):
        from django.contrib.auth.models import Permission

        charlie.is_staff = True
        charlie.save()
        charlie.user_permissions.add(Permission.objects.get(codename="view_executiveaction"))
        response = self.client.get(reverse("admin:actions_executiveaction_changelist"))
        assert response.status_code == 200
        assert SECRET_TITLE not in response.content.decode()
        change = reverse("admin:actions_executiveaction_change", args=[self.action.pk])
        assert self.client.get(change).status_code in (302, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_unit_member_and_manager_above_see_it(client, request, restricted, authority, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(restricted.get_absolute_url()).status_code == 200
    assert SECRET_TITLE in client.get(_list_url()).content.decode()
    assert SECRET_TITLE in client.get(authority.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_viewer_cannot_change_anything(client, viewer, restricted, units):
    """Every model's add, edit, delete and bulk pages refuse a Viewer's POST."""
    from execcoord.registry import all_registrations

    public = ExecutiveActionFactory(visibility=Visibility.PUBLIC, lead_unit=units["OFF-B1"])
    client.force_login(viewer)
    for views in all_registrations():
        model = views.model
        urls = [reverse(viewname(model, "add"))]
        urls += [reverse(viewname(model, "bulk_edit")), reverse(viewname(model, "bulk_delete"))]
        instance = model.objects.first()
        if instance is not None:
            urls += [
                reverse(viewname(model, page), args=[instance.pk]) for page in ("edit", "delete")
            ]
        for url in urls:
            response = client.post(url, {"pk": [instance.pk] if instance else []})
            assert response.status_code in (403, 404), f"{url} answered {response.status_code}"
    public.refresh_from_db()
    assert public.version == 1


@pytest.mark.django_db
def test_staff_cannot_edit_a_visible_tasker_of_another_unit(client, charlie, units):
    """Internal taskers are visible agency-wide, but only their units may change them."""
    other = ExecutiveActionFactory(visibility=Visibility.INTERNAL, lead_unit=units["OFF-A1"])
    client.force_login(charlie)
    assert client.get(other.get_absolute_url()).status_code == 200
    edit = reverse(viewname(ExecutiveAction, "edit"), args=[other.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Changed by outsider"}).status_code == 403
    other.refresh_from_db()
    assert other.title != "Changed by outsider"


@pytest.mark.django_db
def test_the_visibility_rule_built_once_a_scope_follows_the_scope_and_the_queryset(units, alice):
    from partners.access import clear_user_scope

    mine = ExecutiveActionFactory(visibility=Visibility.RESTRICTED, lead_unit=units["OFF-A1"])
    theirs = ExecutiveActionFactory(visibility=Visibility.RESTRICTED, lead_unit=units["OFF-B1"])
    first = set(ExecutiveAction.objects.visible_to(alice))
    again = ExecutiveAction.objects.visible_to(alice)  # the rule kept with alice's scope
    assert set(again) == first and mine in first and theirs not in first
    # a queryset with its own filter or columns keeps them
    filtered = ExecutiveAction.objects.filter(pk=theirs.pk).visible_to(alice)
    assert list(filtered) == []
    only = ExecutiveAction.objects.only("number").visible_to(alice).get(pk=mine.pk)
    assert only.get_deferred_fields() and only.number == mine.number
    # a new scope, a new rule: alice moved to OFF-B1
    alice.person.organization_unit = units["OFF-B1"]
    alice.person.save()
    assert mine in set(ExecutiveAction.objects.visible_to(alice))  # the kept scope still
    clear_user_scope(alice)
    moved = set(ExecutiveAction.objects.visible_to(alice))
    assert theirs in moved and mine not in moved
