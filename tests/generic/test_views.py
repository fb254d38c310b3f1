"""Every generic page of every registered model (STYLE.md §6), as a superuser.

Role- and visibility-specific behaviour is covered by the access tests; here a restricted
action and a plain user check that the generic layer answers 404/403 on every path.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from execcoord import registry
from execcoord.utils import viewname
from tests.generic.model_data import MODELS, form_data

pytestmark = pytest.mark.django_db
LABELS = sorted(MODELS)
# the due-date history is written by the due-date workflow only, the coordination route by
# its own pages (the write policy)
READ_ONLY = ("actions.duedatechange", "actions.routestep", "actions.routestepevent")
WRITABLE = [label for label in LABELS if label not in READ_ONLY]


def url(model, action, *args, query=""):
    return reverse(viewname(model, action), args=args) + (f"?{query}" if query else "")


def make(label, **kwargs):
    return MODELS[label][0](**kwargs)


def views_of(label):
    return registry.get(label)


def test_every_registered_model_has_test_data():
    assert {v.label for v in registry.all_registrations()} == set(MODELS)


@pytest.mark.parametrize("label", LABELS)
def test_list_shows_records(admin_client, label):
    obj = make(label)
    response = admin_client.get(url(obj, "list"))
    assert response.status_code == 200
    assert obj.get_absolute_url() in response.content.decode()
    assert "1 result" in response.content.decode()


def test_list_anonymous_goes_to_sign_in(client):
    response = client.get(url(views_of("actions.executiveaction").model, "list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_without_permission_is_forbidden(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("plain", password="x" * 20))
    response = client.get(url(views_of("partners.account").model, "list"))
    assert response.status_code == 403


def _a_record_of(flt):
    """A record the relation filter can choose: the first one, or a new one."""
    from actions.demo import factory_for

    model = getattr(flt, "related_model", None) or flt.extra["queryset"].model
    return model._default_manager.order_by("pk").first() or factory_for(model)()


def _filter_params(filterset_class, obj):
    """One plausible value for every filter of the filterset."""
    import django_filters as f

    params = {}
    for name, flt in filterset_class.base_filters.items():
        if isinstance(flt, f.DateFromToRangeFilter):
            params[f"{name}_after"] = "2000-01-01"
        elif isinstance(flt, f.ModelMultipleChoiceFilter):
            params[name] = str(obj.pk if flt.field_name == "id" else _a_record_of(flt).pk)
        elif isinstance(flt, f.MultipleChoiceFilter):
            params[name] = str(flt.extra["choices"][0][0])
        elif isinstance(flt, f.BooleanFilter):
            params[name] = "true"
        elif isinstance(flt, f.NumberFilter):
            params[name] = "1"
        else:
            params[name] = "a"
    return params


@pytest.mark.parametrize("label", LABELS)
def test_every_filter_runs(admin_client, admin_user, rf, label):
    """Each filter alone on the filterset (valid, its query runs, its chip is named); then
    the list page once with every filter at the same time."""
    from django.http import QueryDict

    from execcoord.access import visible

    obj = make(label)
    views = views_of(label)
    params = _filter_params(views.filterset, obj)
    for name, value in params.items():
        data = QueryDict(mutable=True)
        data[name] = value
        request = rf.get(url(obj, "list"), data)
        request.user = admin_user
        filterset = views.filterset(
            data, queryset=visible(views.model, admin_user), request=request
        )
        assert filterset.is_valid(), (name, filterset.errors)
        list(filterset.qs[:5])
        assert filterset.chips(data), name
    response = admin_client.get(url(obj, "list"), params)
    assert response.status_code == 200


@pytest.mark.parametrize("label", LABELS)
def test_detail_shows_fields_and_related_panels(admin_client, label):
    obj = make(label)
    response = admin_client.get(obj.get_absolute_url())
    assert response.status_code == 200
    assert str(obj) in response.content.decode()
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("label", READ_ONLY)
def test_a_read_only_model_refuses_every_generic_write_even_to_a_superuser(admin_client, label):
    obj = make(label)
    model = type(obj)
    for page in (url(model, "add"), url(obj, "edit", obj.pk), url(obj, "delete", obj.pk)):
        assert admin_client.get(page).status_code == 403
        assert admin_client.post(page, {}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("label", WRITABLE)
def test_create_saves_and_redirects(admin_client, admin_user, label):
    views = views_of(label)
    template = make(label)
    data, files = form_data(views.form, template, admin_user, new=True)
    count = views.model.objects.count()
    template.delete()
    response = admin_client.post(url(views.model, "add"), {**data, **files})
    assert response.status_code == 302, _errors(response)
    assert views.model.objects.count() == count


def edit_data(label, user, value):
    """A new record of ``label`` and the POST data and files of its edit form as ``user``
    opens it, with the model's text field typed as ``value``."""
    obj = make(label)
    data, files = form_data(views_of(label).form, obj, user)
    data[MODELS[label][1]] = value
    return obj, data, files


@pytest.mark.parametrize("label", WRITABLE)
def test_edit_saves_and_records_history(admin_client, admin_user, label):
    _, field, _ = MODELS[label]
    obj, data, files = edit_data(label, admin_user, "Edited by the generic test")
    response = admin_client.post(url(obj, "edit", obj.pk), {**data, **files})
    assert response.status_code == 302, _errors(response)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Edited by the generic test"
    history = admin_client.get(url(obj, "history", obj.pk)).content.decode()
    assert "Edited by the generic test" in history
    assert admin_user.username in history


@pytest.mark.parametrize("label", WRITABLE)
def test_invalid_edit_shows_errors_and_keeps_typed_values(admin_client, admin_user, label):
    _, field, required = MODELS[label]
    obj, data, files = edit_data(label, admin_user, "Typed value to keep")
    data[required] = ""
    response = admin_client.post(url(obj, "edit", obj.pk), {**data, **files})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    if field != required:
        assert "Typed value to keep" in response.content.decode()


@pytest.mark.parametrize("label", WRITABLE)
def test_delete_confirms_then_deletes(admin_client, label):
    obj = make(label)
    response = admin_client.get(url(obj, "delete", obj.pk))
    assert response.status_code == 200
    response = admin_client.post(url(obj, "delete", obj.pk))
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_delete_lists_dependents(admin_client):
    assignment = make("actions.assignment")
    page = admin_client.get(url(assignment.action, "delete", assignment.action.pk))
    assert "Assignment:" in page.content.decode()


def test_protected_delete_is_refused_with_names(admin_client):
    action = make("actions.executiveaction")
    action_type = action.action_type
    page = admin_client.get(url(action_type, "delete", action_type.pk)).content.decode()
    assert "cannot be deleted" in page and action.title in page
    response = admin_client.post(url(action_type, "delete", action_type.pk))
    assert response.status_code == 302
    assert type(action_type).objects.filter(pk=action_type.pk).exists()


def test_bulk_edit_saves_each_record_through_the_form(admin_client):
    a, b = make("actions.executiveaction"), make("actions.executiveaction")
    model = type(a)
    response = admin_client.post(url(model, "bulk_edit"), {"pk": [a.pk, b.pk]})
    assert response.status_code == 200
    response = admin_client.post(
        url(model, "bulk_edit"),
        {
            "pk": [a.pk, b.pk],
            **{f"version_{o.pk}": o.version for o in (a, b)},
            "priority": "high",
            "_apply": "1",
        },
    )
    assert response.status_code == 302
    assert set(model.objects.values_list("priority", flat=True)) == {"high"}
    assert a.history.count() == 2


def test_bulk_edit_refuses_a_forbidden_transition(admin_client):
    a = make("actions.executiveaction")
    response = admin_client.post(
        url(type(a), "bulk_edit"),
        {"pk": [a.pk], f"version_{a.pk}": a.version, "status": "completed", "_apply": "1"},
    )
    assert response.status_code == 200
    assert "cannot move" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "draft"


@pytest.mark.parametrize("label", ["actions.tag", "partners.account"])
def test_bulk_delete(admin_client, label):
    objs = [make(label), make(label)]
    model = type(objs[0])
    pks = [o.pk for o in objs]
    assert admin_client.post(url(model, "bulk_delete"), {"pk": pks}).status_code == 200
    response = admin_client.post(url(model, "bulk_delete"), {"pk": pks, "_confirm": "1"})
    assert response.status_code == 302
    assert not model.objects.filter(pk__in=pks).exists()


@pytest.mark.parametrize("label", LABELS)
def test_csv_export_has_exactly_the_filtered_rows(admin_client, label):
    objs = [make(label) for _ in range(3)]
    model = type(objs[0])
    response = admin_client.get(
        url(model, "list"), {"export": "csv", "id": f"{objs[0].pk},{objs[2].pk}"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 3  # header + the two selected records


@pytest.mark.parametrize("label", ["actions.executiveaction", "partners.person"])
def test_xlsx_export_has_exactly_the_filtered_rows(admin_client, label):
    objs = [make(label) for _ in range(3)]
    model = type(objs[0])
    response = admin_client.get(url(model, "list"), {"export": "xlsx", "id": str(objs[1].pk)})
    body = b"".join(response.streaming_content)  # streamed from a temporary file
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.max_row == 2


def test_history_lists_changes_newest_first(admin_client, admin_user):
    action = make("actions.executiveaction", title="First title")
    action.title = "Second title"
    action.save()
    page = admin_client.get(url(action, "history", action.pk)).content.decode()
    assert "First title" in page and "Second title" in page


def test_stale_edit_is_refused_with_changed_fields(admin_client, admin_user):
    views = views_of("partners.account")
    account = make("partners.account")
    data, _ = form_data(views.form, account, admin_user)
    account.city = "Changed meanwhile"
    account.save()
    data["name"] = "My typed name"
    response = admin_client.post(url(account, "edit", account.pk), data)
    page = response.content.decode()
    assert response.status_code == 409
    assert "changed" in page and "City" in page and "My typed name" in page
    account.refresh_from_db()
    assert account.name != "My typed name"
    data["concurrency_token"] = str(account.version)
    assert admin_client.post(url(account, "edit", account.pk), data).status_code == 302


def test_action_linked_to_authority_appears_on_authority_page(admin_client):
    authority = make("analysis.legalauthority")
    action = make("actions.executiveaction", legal_authorities=[authority])
    page = admin_client.get(authority.get_absolute_url()).content.decode()
    assert action.title in page and action.get_absolute_url() in page


def test_add_with_link_to_links_the_new_record(admin_client, admin_user):
    action = make("actions.executiveaction")
    views = views_of("analysis.legalauthority")
    template = make("analysis.legalauthority")
    data, _ = form_data(views.form, template, admin_user)
    template.delete()
    target = f"actions.executiveaction:{action.pk}"
    response = admin_client.post(url(views.model, "add", query=f"link_to={target}"), data)
    assert response.status_code == 302
    assert action.legal_authorities.count() == 1


def test_link_existing_adds_the_many_to_many(admin_client):
    action = make("actions.executiveaction")
    authority = make("analysis.legalauthority")
    response = admin_client.post(
        url(action, "link", action.pk, "legal_authorities"), {"targets": [authority.pk]}
    )
    assert response.status_code == 302
    assert list(action.legal_authorities.all()) == [authority]


def test_search_finds_action_by_number_title_and_description_words(admin_client):
    action = make(
        "actions.executiveaction",
        title="Modernize zebrafish permits",
        description="Coordinate the quetzal workshop.",
    )
    for q in (action.number, "zebrafish", "quetzal"):
        page = admin_client.get(reverse("search"), {"q": q}).content.decode()
        assert action.get_absolute_url() in page, q


def test_autocomplete_returns_active_visible_records(admin_client):
    active = make("partners.organizationunit", name="Active office")
    make("partners.organizationunit", name="Closed office", is_active=False)
    response = admin_client.get(
        reverse("autocomplete", args=["partners.organizationunit"]), {"q": "office"}
    )
    assert [r["id"] for r in response.json()["results"]] == [active.pk]


def test_saved_view_is_stored_listed_and_deleted(admin_client):
    model = views_of("actions.executiveaction").model
    response = admin_client.post(
        reverse("savedview_add"),
        {
            "model": "actions.executiveaction",
            "name": "High ones",
            "sharing": "private",
            "query": "priority=high",
        },
    )
    assert response.status_code == 302
    page = admin_client.get(url(model, "list")).content.decode()
    assert "High ones" in page and "?priority=high" in page
    from execcoord.models import SavedView

    saved = SavedView.objects.get()
    admin_client.post(reverse("savedview_delete", args=[saved.pk]))
    assert not SavedView.objects.exists()


def _restricted_setup(django_user_model):
    """A signed-in staff user with the view/change permissions and a confidential action."""
    user = django_user_model.objects.create_user("staffer", password="x" * 20)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_executiveaction",
                "add_executiveaction",
                "change_executiveaction",
                "delete_executiveaction",
                "view_assignment",
            ]
        )
    )
    hidden = make("actions.executiveaction", visibility="confidential")
    return user, hidden


def test_hidden_action_is_404_on_every_page(client, django_user_model):
    user, hidden = _restricted_setup(django_user_model)
    client.force_login(user)
    for action in ("detail", "edit", "delete", "history"):
        assert client.get(url(hidden, action, hidden.pk)).status_code == 404, action
    page = client.get(url(hidden, "list")).content.decode()
    assert hidden.title not in page
    assert client.get(url(hidden, "add", query=f"parent={hidden.pk}")).status_code == 404
    export = client.get(url(hidden, "list"), {"export": "csv"})
    assert hidden.title not in b"".join(export.streaming_content).decode()
    search = client.get(reverse("search"), {"q": hidden.title}).content.decode()
    assert hidden.get_absolute_url() not in search


def test_add_subtasker_prefills_visible_parent(admin_client):
    parent = make("actions.executiveaction")
    page = admin_client.get(url(parent, "add", query=f"parent={parent.pk}")).content.decode()
    assert f'<option value="{parent.pk}" selected>' in page


QUERY_BOUND = 30


@pytest.mark.parametrize("label", LABELS)
def test_list_queries_do_not_grow_with_rows(admin_client, label, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factory = MODELS[label][0]
    factory.create_batch(5)
    model = factory._meta.model
    with CaptureQueriesContext(connection) as five:
        admin_client.get(url(model, "list"), {"per_page": 100})
    factory.create_batch(55)
    with django_assert_max_num_queries(max(len(five), 1)):
        response = admin_client.get(url(model, "list"), {"per_page": 100})
    assert response.status_code == 200
    assert len(five) <= QUERY_BOUND


def _errors(response):
    form = response.context["form"] if response.context and "form" in response.context else None
    return form.errors if form is not None else response.status_code


def test_home_and_search_render(admin_client):
    assert admin_client.get(reverse("home")).status_code == 200
    assert admin_client.get(reverse("search"), {"q": "x"}).status_code == 200


def test_overdue_row_is_highlighted(admin_client):
    action = make(
        "actions.executiveaction",
        status="in_progress",
        due_date=timezone.localdate() - timezone.timedelta(days=3),
    )
    page = admin_client.get(url(action, "list")).content.decode()
    assert "table-danger" in page


@pytest.mark.parametrize("label", LABELS)
def test_a_later_page_holds_the_same_rows_as_one_long_page(admin_client, label):
    """Pages past the first are read by a deferred join (``DeferredJoinData``): the same
    rows in the same order as slicing one long page, for every list, in the same number
    of queries as the first page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factory = MODELS[label][0]
    factory.create_batch(30)
    model = factory._meta.model
    list_url = url(model, "list")
    query = {"open": "any"} if label == "actions.executiveaction" else {}

    def pks(response):
        return [row.record.pk for row in response.context["table"].page.object_list]

    for sort in (None, "-pk"):
        sorted_query = {**query, **({"sort": sort} if sort else {})}
        whole = pks(admin_client.get(list_url, {**sorted_query, "per_page": 100}))
        with CaptureQueriesContext(connection) as first:
            admin_client.get(list_url, {**sorted_query, "per_page": 25})
        with CaptureQueriesContext(connection) as second:
            later = admin_client.get(list_url, {**sorted_query, "per_page": 25, "page": 2})
        if len(whole) <= 25:
            pytest.skip(f"{label}: its factory makes only {len(whole)} distinct records")
        assert pks(later) == whole[25:50], sort
        assert len(second) == len(first)
    assert " IN (SELECT " in " ".join(q["sql"] for q in second.captured_queries)
