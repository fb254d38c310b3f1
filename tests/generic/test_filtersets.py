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


@pytest.mark.django_db
def test_the_drawn_filter_form_is_kept_only_while_no_picker_names_a_record(rf, units, alice, bob):
    from django.core.cache import cache
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from actions.models import ExecutiveAction

    views = registry.get(ExecutiveAction)

    def filterset(query, user):
        request = rf.get(f"/?{query}")
        request.user = user
        return views.filterset(
            QueryDict(query), queryset=ExecutiveAction.objects.all(), request=request
        )

    plain = filterset("status=in_progress&q=budget", alice)
    assert (
        plain.render_cache_key() == filterset("q=budget&status=in_progress", bob).render_cache_key()
    )
    assert plain.render_cache_key() != filterset("status=draft", alice).render_cache_key()
    unit = units["OFF-A1"]
    assert filterset(f"lead_unit_id={unit.pk}", alice).render_cache_key() is None

    # what is kept under the key is the form as drawn for anyone
    cache.clear()
    drawn = render_to_string("generic/_filter_form.html", {"filterset": plain})
    assert drawn == render_to_string(
        "generic/_filter_form.html", {"filterset": filterset("q=budget&status=in_progress", bob)}
    )


@pytest.mark.django_db
def test_list_pages_draw_the_same_filters_from_the_cache(client, units, alice):
    from django.core.cache import cache

    cache.clear()
    client.force_login(alice)
    url = "/actions/executive-actions/?status=in_progress&q=budget"
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    start, end = 'id="list-filters"', "</aside>"
    assert (
        first[first.index(start) : first.index(end)]
        == second[second.index(start) : second.index(end)]
    )
    assert 'value="budget"' in second


@pytest.mark.django_db
def test_the_action_list_opens_on_open_work_until_the_form_says_otherwise(client, administrator):
    from actions.choices import ActionStatus
    from actions.demo.actions import ExecutiveActionFactory

    live = ExecutiveActionFactory(status=ActionStatus.IN_PROGRESS, title="Live tasker")
    done = ExecutiveActionFactory(status=ActionStatus.COMPLETED, title="Finished tasker")
    client.force_login(administrator)
    url = "/actions/executive-actions/"

    def rows(query=""):
        response = client.get(f"{url}{query}")
        return {row.record.pk for row in response.context["table"].page.object_list}, response

    # a first visit, and a sort or page link, which name no filter: open work only
    for query in ("", "?sort=-due_date", "?page=1"):
        shown, response = rows(query)
        assert shown == {live.pk}, query
        assert response.context["filterset"].form["open"].value() == "true"  # and says so
        assert '<option value="true" selected>Yes</option>' in response.content.decode()
    # "Any" of a filter with a default is the value "any" (a form sends only filled-in
    # fields, and an absent filter takes its default)
    assert rows("?open=any")[0] == {live.pk, done.pk}
    assert '<option value="any" selected>Any</option>' in rows("?open=any")[1].content.decode()
    assert rows("?open=false")[0] == {done.pk}
    # a link that names another filter (a dashboard number, a search) is taken as it is
    assert rows(f"?status={ActionStatus.COMPLETED}")[0] == {done.pk}
    # the export follows the list
    export = client.get(f"{url}?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert live.number in body and done.number not in body


@pytest.mark.django_db
def test_filters_in_use_are_drawn_open_and_link_filters_travel_hidden(rf, administrator):
    from django.http import QueryDict

    from actions.models import ExecutiveAction

    views = registry.get(ExecutiveAction)

    def filterset(query):
        request = rf.get(f"/?{query}")
        request.user = administrator
        return views.filterset(
            QueryDict(query), queryset=ExecutiveAction.objects.all(), request=request
        )

    def drawn_open(query):
        return {field.name for field in filterset(query).main_fields()}

    def under_more(query):
        return {field.name for field in filterset(query).more_fields()}

    assert "start_date" not in drawn_open("") and "start_date" in under_more("")
    assert "start_date" in drawn_open("start_date_after=2026-01-01")  # one end of a range
    assert "start_date" not in under_more("start_date_after=2026-01-01")
    # a dashboard's drill-through is not a field: it rides along as a hidden value
    used = filterset("overdue_days_min=3&lead_unit_subtree=4,9")
    assert "overdue_days_min" not in {f.name for f in [*used.main_fields(), *used.more_fields()]}
    assert used.link_values() == [("lead_unit_subtree", "4,9"), ("overdue_days_min", "3")]


@pytest.mark.django_db
def test_the_filter_form_is_styled_and_built_only_when_drawn(client, rf, administrator):
    from django.core.cache import cache
    from django.http import QueryDict

    from actions.models import ExecutiveAction

    cache.clear()
    client.force_login(administrator)
    page = client.get("/actions/executive-actions/?status=draft").content.decode()
    assert 'class="form-select form-select-sm"' in page
    assert 'class="form-control form-control-sm"' in page
    client.get("/actions/executive-actions/")
    again = client.get("/actions/executive-actions/")
    # a first visit: the drawn form came from the cache and the defaults filtered the
    # rows, so the form was never built
    assert not hasattr(again.context["filterset"], "_form")
    assert 'class="form-select form-select-sm"' in again.content.decode()

    request = rf.get("/")
    request.user = administrator
    filterset = registry.get(ExecutiveAction).filterset(
        QueryDict("q=x"), queryset=ExecutiveAction.objects.all(), request=request
    )
    assert filterset.form is filterset.form  # built once


@pytest.mark.django_db
def test_a_relation_filter_the_request_does_not_use_leaves_its_value_alone(rf, superuser):
    """A list filtered on one thing has a score of relation filters it does not use: each
    returns the rows untouched without reading its (empty) value, whose emptiness
    django-filter would find out by running a query; the one that is used filters."""
    from actions.models import ExecutiveAction
    from execcoord.filtersets import ScopedModelMultipleChoiceFilter

    class Unreadable:
        def __bool__(self):
            raise AssertionError("the value of an unused filter was read")

        def __iter__(self):
            raise AssertionError("the value of an unused filter was read")

    views = registry.get("actions.executiveaction")
    request = rf.get("/", {"lead_unit_id": "1"})
    request.user = superuser
    rows = ExecutiveAction.objects.all()
    filterset = views.filterset(request.GET, queryset=rows, request=request)
    unused = [
        f
        for name, f in filterset.filters.items()
        if isinstance(f, ScopedModelMultipleChoiceFilter) and name != "lead_unit_id"
    ]
    assert len(unused) > 10
    for flt in unused:
        assert flt.filter(rows, Unreadable()) is rows
    used = filterset.filters["lead_unit_id"].filter(rows, [1])
    assert used is not rows
