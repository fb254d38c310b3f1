"""Every admin page answers for a superuser: one test over ``admin.site._registry``."""

import pytest
from django.contrib import admin
from django.urls import reverse

from actions.demo import factory_for

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
DOMAIN = [m for m in REGISTERED if m._meta.app_label in {"partners", "analysis", "actions"}]


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_and_add_page_answer_200(client, superuser, model):
    client.force_login(superuser)
    assert client.get(_url(model, "changelist")).status_code == 200
    if admin.site._registry[model].has_add_permission(_request(superuser)):
        assert client.get(_url(model, "add")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", DOMAIN, ids=lambda m: m._meta.label)
def test_change_and_history_pages_answer_200(client, superuser, model):
    obj = factory_for(model)()
    client.force_login(superuser)
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert client.get(_url(model, "history", obj.pk)).status_code == 200
    # The changelist lists the record.
    assert str(obj.pk) in client.get(_url(model, "changelist")).content.decode()


def test_every_domain_model_is_in_admin():
    from django.apps import apps

    for app_label in ("partners", "analysis", "actions"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in admin.site._registry, f"{model._meta.label} has no admin"


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_admin_refuses_a_stale_edit_and_keeps_the_newer_values(client, superuser):
    from actions.demo.partners import AccountFactory

    account = AccountFactory(name="Original name", city="Baltimore")
    client.force_login(superuser)
    url = _url(type(account), "change", account.pk)
    form = client.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    account.city = "Annapolis"
    account.save()  # someone else saved meanwhile
    data["name"] = "My stale edit"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    account.refresh_from_db()
    assert (account.name, account.city) == ("Original name", "Annapolis")


# The changelist of actions at scale (issue 7): a query budget that does not depend on the rows.

ACTIONS_URL = "/admin/actions/executiveaction/"


def _changelist_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: session and permissions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_action_changelist_stays_within_six_queries_with_many_rows(
    client, request, who, django_assert_max_num_queries
):
    from actions.demo.actions import ExecutiveActionFactory, TagFactory

    tag = TagFactory()
    ExecutiveActionFactory.create_batch(60, tags=[tag])  # more than a page
    client.force_login(request.getfixturevalue(who))  # an Administrator goes through visible_to
    for url in (ACTIONS_URL, f"{ACTIONS_URL}?p=2", f"{ACTIONS_URL}?status=draft&o=-7"):
        client.get(url)
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
    assert response.context["cl"].result_count == 60


@pytest.mark.django_db
def test_action_changelist_queries_do_not_grow_with_rows(client, administrator):
    from actions.demo.actions import ExecutiveActionFactory

    client.force_login(administrator)  # an Administrator, not a superuser: through visible_to
    ExecutiveActionFactory.create_batch(3)
    few = _changelist_queries(client, ACTIONS_URL)
    ExecutiveActionFactory.create_batch(60)
    many = _changelist_queries(client, ACTIONS_URL)
    assert len(many) == len(few)
    # No filter lists every type or tag, no date hierarchy reads every due date for its years.
    assert not any('"actions_tag"' in sql or '"actions_executiveactiontype"' in sql for sql in many)
    assert not any("MIN(" in sql or "DISTINCT" in sql for sql in many)


@pytest.mark.django_db
def test_due_date_filter_links_the_coming_dates_and_filters(client, superuser):
    import datetime

    from django.utils import timezone

    from actions.demo.actions import ExecutiveActionFactory

    today = timezone.localdate()
    past = ExecutiveActionFactory(due_date=today - datetime.timedelta(days=3))
    soon = ExecutiveActionFactory(due_date=today + datetime.timedelta(days=5))
    later = ExecutiveActionFactory(due_date=today + datetime.timedelta(days=20))
    client.force_login(superuser)
    page = client.get(ACTIONS_URL).content.decode()
    for link in ("Before today", "Next 7 days", "Next 30 days", "This year", "Next year"):
        assert link in page

    def listed(query):
        return set(client.get(f"{ACTIONS_URL}?{query}").context["cl"].result_list)

    assert listed(f"due_date__lt={today}") == {past}
    week = today + datetime.timedelta(days=8)
    assert listed(f"due_date__gte={today}&due_date__lt={week}") == {soon}
    month = today + datetime.timedelta(days=31)
    assert listed(f"due_date__gte={today}&due_date__lt={month}") == {soon, later}


@pytest.mark.django_db
def test_action_search_finds_a_tag_by_name_without_distinct(client, superuser):
    from actions.demo.actions import ExecutiveActionFactory, TagFactory

    tagged = ExecutiveActionFactory(
        title="Budget review", description="", tags=[TagFactory(name="Cyber")]
    )
    ExecutiveActionFactory(title="Staffing plan", description="")
    client.force_login(superuser)
    response = client.get(ACTIONS_URL, {"q": "cyber"})
    assert list(response.context["cl"].result_list) == [tagged]
    assert list(client.get(ACTIONS_URL, {"q": "budget"}).context["cl"].result_list) == [tagged]
    assert not any(
        "DISTINCT" in sql for sql in _changelist_queries(client, f"{ACTIONS_URL}?q=cyber")
    )


class TestAdminPaginator:
    """Exact up to the cap; above it, PostgreSQL estimates instead of counting every row."""

    @pytest.fixture
    def actions(self, db, monkeypatch):
        from actions.demo.actions import ExecutiveActionFactory
        from execcoord.tables import CappedCountPaginator

        monkeypatch.setattr(CappedCountPaginator, "cap", 5)
        return ExecutiveActionFactory.create_batch(8, priority="high")

    def _count(self, queryset, django_assert_max_num_queries, budget):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from execcoord.admin import BaseAdmin

        with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as seen:
            count = BaseAdmin.get_paginator(None, None, queryset, 2).count
        return count, [query["sql"] for query in seen.captured_queries]

    def test_counts_exactly_under_the_cap(self, actions, django_assert_max_num_queries):
        from actions.models import ExecutiveAction

        queryset = ExecutiveAction.objects.filter(pk__in=[a.pk for a in actions[:3]])
        count, _ = self._count(queryset, django_assert_max_num_queries, 1)
        assert count == 3
        assert self._count(ExecutiveAction.objects.none(), django_assert_max_num_queries, 1)[0] == 0

    def test_whole_table_above_the_cap_costs_one_query(
        self, actions, django_assert_max_num_queries
    ):
        from django.db import connection

        from actions.models import ExecutiveAction

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute('ANALYZE "actions_executiveaction"')
        count, queries = self._count(
            ExecutiveAction.objects.order_by("number"), django_assert_max_num_queries, 1
        )
        if connection.vendor == "postgresql":
            assert count >= 6  # the statistics, never below the rows counted
            assert "LIMIT 6" in queries[0] and "reltuples" in queries[0]
        else:
            assert count == 8  # other databases count exactly

    def test_filtered_list_above_the_cap_never_reads_the_table_statistics(
        self, actions, django_assert_max_num_queries
    ):
        from django.db import connection

        from actions.models import ExecutiveAction

        count, queries = self._count(
            ExecutiveAction.objects.filter(priority="high"), django_assert_max_num_queries, 2
        )
        assert not any("reltuples" in sql for sql in queries)
        if connection.vendor == "postgresql":
            assert count >= 6
            assert "LIMIT 6" in queries[0] and queries[1].startswith("EXPLAIN")
        else:
            assert count == 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_name", ["statusupdate", "decisionlogentry", "duedatechange", "reminderlog"]
)
def test_records_that_grow_with_actions_list_without_reading_every_date(
    client, superuser, model_name
):
    from django.apps import apps

    model = apps.get_model("actions", model_name)
    factory_for(model).create_batch(3)
    client.force_login(superuser)
    url = _url(model, "changelist")
    queries = _changelist_queries(client, url)
    assert not any("MIN(" in sql or "DISTINCT" in sql for sql in queries)
    assert "This year" in client.get(url).content.decode()


@pytest.mark.django_db
def test_action_type_and_tag_filters_show_only_the_chosen_record(client, superuser):
    from actions.demo.actions import ExecutiveActionFactory, TagFactory

    cyber = TagFactory(name="Cyber")
    tagged = ExecutiveActionFactory(tags=[cyber, TagFactory(name="Budget")])
    other = ExecutiveActionFactory()
    client.force_login(superuser)

    page = client.get(ACTIONS_URL).content.decode()
    assert "By action type" not in page and "By tag" not in page  # nothing chosen: no lists

    # The type and tag lists link to their actions; the filter then names the chosen record.
    type_list = client.get(_url(type(other.action_type), "changelist")).content.decode()
    link = f"{ACTIONS_URL}?action_type__id__exact={other.action_type.pk}"
    assert link in type_list
    response = client.get(link)
    assert list(response.context["cl"].result_list) == [other]
    assert "By action type" in response.content.decode()
    assert str(other.action_type) in response.content.decode()

    link = f"{ACTIONS_URL}?tags__id__exact={cyber.pk}"
    assert link in client.get(_url(type(cyber), "changelist")).content.decode()
    response = client.get(link)
    assert list(response.context["cl"].result_list) == [tagged]  # once, with two tags
    assert "By tag" in response.content.decode() and "Cyber" in response.content.decode()
    assert not any("DISTINCT" in sql for sql in _changelist_queries(client, link))

    # A record that does not exist lists nothing; a value that is no key is a bad lookup.
    missing = client.get(f"{ACTIONS_URL}?action_type__id__exact=999999")
    assert list(missing.context["cl"].result_list) == []
    assert client.get(f"{ACTIONS_URL}?tags__id__exact=x")["Location"].endswith("?e=1")


@pytest.mark.django_db
def test_chosen_type_filter_names_the_type_only_to_whom_its_admin_shows_it(
    administrator, monkeypatch
):
    from actions.admin import ActionTypeFilter
    from actions.demo.actions import ExecutiveActionTypeFactory
    from actions.models import ExecutiveAction

    action_type = ExecutiveActionTypeFactory(name="Directive")
    request = _request(administrator)
    model_admin = admin.site._registry[ExecutiveAction]
    params = {ActionTypeFilter.parameter_name: [str(action_type.pk)]}
    chosen = ActionTypeFilter(request, dict(params), ExecutiveAction, model_admin)
    assert chosen.lookup_choices == [(str(action_type.pk), "Directive")]

    type_admin = admin.site._registry[type(action_type)]
    shown = type_admin.get_queryset
    monkeypatch.setattr(type_admin, "get_queryset", lambda request: shown(request).none())
    hidden = ActionTypeFilter(request, dict(params), ExecutiveAction, model_admin)
    assert hidden.lookup_choices == [] and hidden.has_output()  # still filters, names nothing


@pytest.mark.django_db
@pytest.mark.parametrize("model", DOMAIN[:3], ids=lambda m: m._meta.label)
def test_the_row_checkbox_is_djangos_own_html(model):
    """The admin draws each row's checkbox itself (no widget template a row): the same
    HTML, name, value and label that Django's widget draws, which its actions JavaScript
    and the selection rely on."""
    obj = factory_for(model)()
    ours = admin.site._registry[model].action_checkbox(obj)
    djangos = admin.ModelAdmin.action_checkbox(admin.site._registry[model], obj)
    assert str(ours) == str(djangos)


@pytest.mark.django_db
def test_the_admin_list_of_models_is_built_once_per_permission_set_and_follows_a_role(
    client, superuser, django_assert_num_queries
):
    """The admin's list of models (sidebar, index) is kept per set of permissions: the index
    of a second superuser lists the same models as the first's, a staff user without the
    Administrator role lists none of the domain's, and with it lists them."""
    from django.contrib.auth.models import Group

    from partners.access import ROLE_ADMIN
    from tests.conftest import make_user

    def models_listed(user):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}

    every = models_listed(superuser)
    assert "ExecutiveAction" in every
    other = make_user(role=ROLE_ADMIN)
    other.is_superuser = True
    other.save()
    assert models_listed(other) == every
    staff = make_user(role=None)
    staff.is_staff = True
    staff.save()
    assert "ExecutiveAction" not in models_listed(staff)
    staff.groups.set([Group.objects.get(name=ROLE_ADMIN)])
    assert "ExecutiveAction" in models_listed(staff)  # the next request reads the new role
    # a cached list is handed out as a copy: a caller's edit does not reach the next page
    request = _request(superuser)
    admin.site.get_app_list(request)[0]["models"].clear()
    assert admin.site.get_app_list(request)[0]["models"]


@pytest.mark.django_db
def test_the_admin_sidebar_is_djangos_own_html_drawn_once_per_list_and_page(client, superuser):
    """The sidebar's list of models is drawn once per list of models and current page
    (``execcoord.admin_site.sidebar_html``): each page shows exactly what Django's template
    draws for it (the current model marked, ``aria-current`` on its link), a page of another
    model marks that one, and a user with fewer models gets their own list."""
    import re

    from django.template.loader import render_to_string

    from execcoord import admin_site
    from tests.conftest import make_user

    def sidebar(response):
        html = response.content.decode()
        return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S).group(0)

    def djangos(response):
        return render_to_string(
            "admin/app_list.html",
            {
                "app_list": response.context["available_apps"],
                "show_changelinks": False,
                "request": response.wsgi_request,
            },
        )

    client.force_login(superuser)
    admin_site._SIDEBARS.clear()
    pages = [
        reverse("admin:actions_executiveaction_changelist"),
        reverse("admin:partners_organizationunit_changelist"),
        reverse("admin:actions_executiveaction_changelist"),  # drawn already: kept
    ]
    drawn = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert djangos(response) in sidebar(response)
        drawn.append(sidebar(response))
    actions_url, units_url = pages[0], pages[1]
    assert f'<a href="{actions_url}" aria-current="page">' in drawn[0]
    assert f'<a href="{units_url}" aria-current="page">' in drawn[1]
    assert 'aria-current="page"' not in drawn[1].replace(f'<a href="{units_url}" aria-current', "")
    assert drawn[2] == drawn[0] and len(admin_site._SIDEBARS) == 2

    from django.contrib.auth.models import Group

    from partners.access import ROLE_ADMIN

    fewer = make_user(role=None)
    fewer.is_staff = True
    fewer.save()
    fewer.groups.set([Group.objects.get(name=ROLE_ADMIN)])
    client.force_login(fewer)
    response = client.get(pages[0])
    assert djangos(response) in sidebar(response)
    assert sidebar(response) != drawn[0]  # no auth models for a non-superuser administrator


def _drawn_both_ways(cl):
    """The change list's table as Django's ``result_list`` draws it and as
    ``execcoord.admin_list`` does, from the same list."""
    from django.contrib.admin.templatetags import admin_list as djangos
    from django.template.loader import render_to_string

    from execcoord import admin_list

    def drawn(context):
        return render_to_string("admin/change_list_results.html", context)

    return drawn(djangos.result_list(cl)), drawn(admin_list.result_list(cl))


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_the_admin_lists_rows_are_djangos_own_html(client, superuser, model):
    """Every model's change list draws exactly the table Django's ``result_list`` draws
    for it (``execcoord.admin_list``, a plan made once per list), with a record in it; and
    the list's filters in its links and the popup's opener are Django's too."""
    if model in DOMAIN:
        factory_for(model)()
    client.force_login(superuser)
    for query in ("", "?o=-1", "?_popup=1&o=1"):
        response = client.get(_url(model, "changelist") + query)
        assert response.status_code == 200
        cl = response.context.get("cl")
        if cl is None or not cl.result_list:  # a page of its own (django-rq's), or empty
            continue
        theirs, ours = _drawn_both_ways(cl)
        assert ours == theirs
        assert ours in response.content.decode()  # the page draws it through our tag


@pytest.mark.django_db
def test_the_admin_rows_plan_draws_every_kind_of_column_as_django_does(superuser, tasker):
    """Columns of every kind (a field with choices, a date, a date and time, a boolean, a
    decimal, a key, the automatic key, a property, a model's method, a model admin's method
    marked boolean or with its own empty value, a function, two linked columns) are drawn
    as Django draws them; a column named by a path through related objects and an editable
    list are drawn by Django itself."""
    from decimal import Decimal

    from django.test import RequestFactory

    from actions.models import ExecutiveAction
    from execcoord import admin_list

    tasker.estimated_budget = Decimal("1234.50")
    tasker.description = "   "
    tasker.save()
    second = ExecutiveAction.objects.get(pk=tasker.pk)
    second.pk = None
    second.number = ""
    second.title = "Tom & Jerry <b>"
    second.estimated_budget = None
    second.lead_unit = tasker.lead_unit
    second.save()

    def overdue_flag(action):
        return action.is_overdue

    overdue_flag.boolean = True

    class Columns(admin.ModelAdmin):
        list_display = (
            "action_checkbox",
            "id",
            "number",
            "title",
            "status",
            "due_date",
            "created_at",
            "compliance_driven",
            "estimated_budget",
            "lead_unit",
            "description",
            "is_overdue",
            "__str__",
            "get_status_display",
            "flagged",
            "missing",
            overdue_flag,
            lambda action: action.title.upper(),
        )
        list_display_links = ("number", "title")

        @admin.display(boolean=True)
        def flagged(self, action):
            return action.compliance_driven

        @admin.display(empty_value="(nothing)")
        def missing(self, action):
            return None

    site = admin.AdminSite(name="admin")

    def changelist(model_admin, query=""):
        request = RequestFactory().get("/admin/actions/executiveaction/" + query)
        request.user = superuser
        cl = model_admin.get_changelist_instance(request)
        cl.formset = None
        return cl

    model_admin = Columns(ExecutiveAction, site)
    for query in ("", "?status__exact=in_progress", "?_popup=1&_to_field=id"):
        cl = changelist(model_admin, query)
        assert len(cl.result_list) == 2
        theirs, ours = _drawn_both_ways(cl)
        assert ours == theirs, query
        assert "Tom &amp; Jerry &lt;b&gt;" in ours and "(nothing)" in ours
    assert "data-popup-opener" in ours

    class Path(Columns):
        list_display = ("number", "lead_unit__name")

    plan = admin_list.result_list(changelist(Path(ExecutiveAction, site)))
    assert len(plan["results"][0]) == 3  # Django's: a cell each (the checkbox, two columns)
    theirs, ours = _drawn_both_ways(changelist(Path(ExecutiveAction, site)))
    assert ours == theirs
