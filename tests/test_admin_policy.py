"""Django admin through the one write policy (issue 13): every admin and inline asks it, the
workflow facts of an action are read-only, the action's fields are grouped as on its form,
and an admin save is compare-and-swap against the app's pages and against another admin."""

import threading

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from actions.admin import AssignmentInline, ExecutiveActionAdmin
from actions.demo import factory_for
from actions.models import Assignment, ExecutiveAction
from actions.policy import ACTION_WORKFLOW_FIELDS
from execcoord import policy, registry
from execcoord.admin import BaseAdmin
from tests.form_support import put_value
from tests.generic import model_data
from tests.test_numbering import _in_thread

DOMAIN = sorted(
    (m for m in admin.site._registry if m._meta.app_label in {"partners", "analysis", "actions"}),
    key=lambda m: m._meta.label,
)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def admin_post_data(response):
    """The POST data that saves an admin change page as it was drawn (its inlines too)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        put_value(data, name, form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            put_value(data, management.add_prefix(name), management[name].value())
        for row in formset.forms:
            for name in row.fields:
                put_value(data, row.add_prefix(name), row[name].value())
    return data


def new_assignment_row(prefix, unit):
    """The POST data of one new row of the assignments inline: ``unit`` coordinating, due on
    1 Sep 2026."""
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-organization_unit": str(unit.pk),
        f"{prefix}-0-role": "coordinating",
        f"{prefix}-0-due_date": "2026-09-01",
        f"{prefix}-0-status": "pending",
    }


def staff_in_admin(user):
    """Let ``user`` into the admin, with no more model permissions than their role's."""
    user.is_staff = True
    user.save()
    return user


def latest_change(record):
    return record.history.order_by("-history_date").select_related("history_user").first()


# --- every admin asks the policy ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", DOMAIN, ids=lambda m: m._meta.label)
def test_every_admin_and_inline_asks_the_policy_to_add_change_and_delete(
    monkeypatch, superuser, model
):
    obj = factory_for(model)()
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, BaseAdmin)
    request = _request(superuser)
    monkeypatch.setattr(policy, "may", lambda *args, **kwargs: policy.deny("Refused."))
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    for inline_class in model_admin.inlines:
        inline = inline_class(model, admin.site)
        assert not inline.has_add_permission(request, obj), inline_class
        assert not inline.has_change_permission(request, obj), inline_class
        assert not inline.has_delete_permission(request, obj), inline_class


@pytest.mark.django_db
def test_a_staff_user_of_another_office_may_not_change_a_tasker_in_admin(client, tasker, charlie):
    assert charlie.has_perm("actions.change_executiveaction")  # the role allows it
    client.force_login(staff_in_admin(charlie))
    url = _url(ExecutiveAction, "change", tasker.pk)
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    data = {"title": "Taken over", "concurrency_token": str(tasker.version)}
    assert client.post(url, data).status_code == 403
    tasker.refresh_from_db()
    assert tasker.title == "Budget response"
    delete = client.post(_url(ExecutiveAction, "delete", tasker.pk), {"post": "yes"})
    assert delete.status_code == 403
    assert ExecutiveAction.objects.filter(pk=tasker.pk).exists()


# --- workflow facts are read-only ---------------------------------------------------------


@pytest.mark.django_db
def test_workflow_facts_are_read_only_in_the_action_admin(client, superuser, tasker, bob):
    model_admin = admin.site._registry[ExecutiveAction]
    request = _request(superuser)
    stored_facts = set(ACTION_WORKFLOW_FIELDS) | {"lead_unit", "accountable_person"}
    assert stored_facts <= set(model_admin.get_readonly_fields(request, tasker))
    new_facts = set(model_admin.get_readonly_fields(request, None))
    assert set(ACTION_WORKFLOW_FIELDS) <= new_facts and "lead_unit" not in new_facts
    client.force_login(superuser)
    url = _url(ExecutiveAction, "change", tasker.pk)
    data = admin_post_data(client.get(url))
    data.update(
        title="Renamed in admin",
        status="completed",
        issued_by=str(bob.person.pk),
        issue_date="2020-01-01",
        completed_date="2020-01-02",
        lead_unit=str(bob.person.organization_unit_id),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tasker.refresh_from_db()
    assert tasker.title == "Renamed in admin"
    assert (tasker.status, tasker.issued_by_id, tasker.completed_date) == (
        "in_progress",
        None,
        None,
    )
    assert tasker.issue_date == timezone.localdate() and tasker.lead_unit.code == "OFF-A1"


# --- the supporting units inline follows may_assign ---------------------------------------


def _assignment_inline(response):
    return next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Assignment
    )


@pytest.mark.django_db
def test_supporting_units_are_edited_in_admin_only_by_those_who_assign(
    client, tasker, alice, bob, units
):
    url = _url(ExecutiveAction, "change", tasker.pk)
    client.force_login(staff_in_admin(bob))  # manages the lead unit: assigns it
    inline = _assignment_inline(client.get(url))
    assert (inline.has_add_permission, inline.has_change_permission) == (True, True)
    client.force_login(staff_in_admin(alice))  # works on it, does not assign it
    page = client.get(url)
    assert page.context["has_change_permission"] is True
    inline = _assignment_inline(page)
    assert (inline.has_add_permission, inline.has_change_permission) == (False, False)
    assert inline.has_delete_permission is False
    data = admin_post_data(page)
    prefix = inline.formset.prefix
    data.update(new_assignment_row(prefix, units["OFF-B1"]))
    client.post(url, data)
    assert not Assignment.objects.filter(action=tasker).exists()


@pytest.mark.django_db
def test_each_inline_row_is_asked_of_the_policy_when_it_is_saved(
    monkeypatch, client, tasker, alice, units
):
    """Even if the inline's permissions let a row through, its formset asks the policy."""
    monkeypatch.setattr(AssignmentInline, "has_add_permission", lambda *args: True)
    monkeypatch.setattr(AssignmentInline, "has_change_permission", lambda *args: True)
    client.force_login(staff_in_admin(alice))
    url = _url(ExecutiveAction, "change", tasker.pk)
    page = client.get(url)
    data = admin_post_data(page)
    prefix = _assignment_inline(page).formset.prefix
    data.update(new_assignment_row(prefix, units["OFF-B1"]))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only the issuer of this action and managers of its units assign it." in (
        response.content.decode()
    )
    assert not Assignment.objects.filter(action=tasker).exists()


# --- one list of fields -------------------------------------------------------------------


def _admins_with_form_fieldsets():
    from django.contrib import admin as django_admin

    for model, model_admin in django_admin.site._registry.items():
        views = registry.get(model)
        if views is not None and getattr(views.form, "fieldsets", None):
            yield pytest.param(model_admin, views.form, id=model._meta.label_lower)


@pytest.mark.parametrize(("model_admin", "form"), list(_admins_with_form_fieldsets()))
def test_every_admin_groups_fields_as_the_model_form_does(rf, model_admin, form):
    """One list of a record's field groups: the form's. The admin adds only its read-only
    displays, placed beside a form field or in the last, collapsed "Record" group."""
    assert model_admin.fieldsets is None  # nothing restated
    admin_sets = model_admin.get_fieldsets(rf.get("/"))
    assert [legend for legend, _ in admin_sets][: len(form.fieldsets)] == [
        legend for legend, _ in form.fieldsets
    ]
    admin_only = set(model_admin.readonly_fields)
    page_only = set(getattr(form, "page_only_fields", ()))  # inputs of the staff pages only
    for (legend, spec), (_, options) in zip(form.fieldsets, admin_sets, strict=False):
        names = spec["fields"] if isinstance(spec, dict) else spec
        names = [n for n in names if n not in page_only]
        assert [n for n in options["fields"] if n in names] == names, legend
        assert set(options["fields"]) - set(names) <= admin_only, legend
    extra = admin_sets[len(form.fieldsets) :]
    assert [legend for legend, _ in extra] in ([], ["Record"])
    placed = {name for _, options in admin_sets for name in options["fields"]}
    assert admin_only <= placed  # every read-only display is shown somewhere


def test_the_action_admin_places_its_displays_beside_the_form_fields(rf):
    fields = dict(ExecutiveActionAdmin(ExecutiveAction, None).get_fieldsets(rf.get("/")))
    assert fields["Record"]["fields"] == ("version", "created_at", "updated_at")
    assert fields["Record"]["classes"] == ("collapse",)


# --- admin and app saves are compare-and-swap ---------------------------------------------


def _app_form(action, user, changes):
    data, _ = model_data.form_data(registry.get(ExecutiveAction).form, action, user)
    return {**data, **{name: str(value) for name, value in changes.items()}}


@pytest.mark.django_db
def test_an_app_form_opened_before_an_admin_save_is_refused(client, superuser, tasker, bob):
    opened = _app_form(tasker, bob, {"title": "Bob's edit"})
    admin_client = Client()
    admin_client.force_login(superuser)
    url = _url(ExecutiveAction, "change", tasker.pk)
    data = admin_post_data(admin_client.get(url))
    data["title"] = "Admin's edit"
    assert admin_client.post(url, data).status_code == 302
    client.force_login(bob)
    response = client.post(reverse("actions:executiveaction_edit", args=[tasker.pk]), opened)
    assert response.status_code == 409
    tasker.refresh_from_db()
    when = timezone.localtime(latest_change(tasker).history_date)
    assert f"This record was changed by root at {when:%d %b %Y %H:%M}" in response.content.decode()
    assert tasker.title == "Admin's edit"


@pytest.mark.django_db
def test_an_admin_form_opened_before_an_app_save_is_refused(client, superuser, tasker, bob):
    admin_client = Client()
    admin_client.force_login(superuser)
    url = _url(ExecutiveAction, "change", tasker.pk)
    opened = admin_post_data(admin_client.get(url))
    client.force_login(bob)
    saved = client.post(
        reverse("actions:executiveaction_edit", args=[tasker.pk]),
        _app_form(tasker, bob, {"title": "Bob's edit"}),
    )
    assert saved.status_code == 302
    opened["title"] = "Admin's edit"
    response = admin_client.post(url, opened)
    assert response.status_code == 200
    assert (
        "Someone else saved this record after you opened it (changed: title)"
        in response.content.decode()
    )
    tasker.refresh_from_db()
    assert tasker.title == "Bob's edit"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_admin_saves_of_one_version_one_wins(monkeypatch, superuser, tasker):
    """The second save waits for the first's row lock, then finds a newer version than the
    one its page was opened at and is refused with a message."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): two connections saving at once")
    url = _url(ExecutiveAction, "change", tasker.pk)
    opener = Client()
    opener.force_login(superuser)
    opened = admin_post_data(opener.get(url))
    version = tasker.version
    first_saving, release_first = threading.Event(), threading.Event()
    save_model = ExecutiveActionAdmin.save_model

    def slow_first_save(self, request, obj, form, change):
        save_model(self, request, obj, form, change)
        if obj.title == "First":
            first_saving.set()
            release_first.wait(timeout=10)

    monkeypatch.setattr(ExecutiveActionAdmin, "save_model", slow_first_save)
    responses = {}

    def save(title):
        browser = Client()
        browser.force_login(superuser)
        responses[title] = browser.post(url, {**opened, "title": title})

    first = _in_thread(lambda: save("First"))
    assert first_saving.wait(timeout=10)
    second = _in_thread(lambda: save("Second"))
    second[0].join(timeout=0.5)
    assert second[0].is_alive(), "the second save should wait for the first's row lock"
    release_first.set()
    for thread, errors in (first, second):
        thread.join(timeout=20)
        assert not errors, errors
    assert responses["First"].status_code == 302
    assert responses["Second"].status_code == 200
    assert "Someone else saved this record after you opened it" in (
        responses["Second"].content.decode()
    )
    tasker.refresh_from_db()
    assert (tasker.title, tasker.version) == ("First", version + 1)
