"""Extension requests and the due-date history: the request page, the manager's decision, and a
``DueDateChange`` for every due-date change whatever the path."""

import datetime

from django.urls import reverse

from actions import services
from actions.business_days import add_business_days, is_business_day, non_business_day_reason
from actions.choices import ExtensionStatus
from actions.demo.actions import ExecutiveActionTypeFactory
from actions.models import DueDateChange, ExecutiveAction, ExtensionRequest
from execcoord import registry
from tests.generic import model_data
from tests.workflow_support import S, action_in


def test_extension_request_flow_moves_the_due_date_and_keeps_the_original(
    client, units, alice, bob
):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    original = action.due_date
    wanted = original + datetime.timedelta(days=14)
    client.force_login(alice)
    response = client.post(
        reverse("actions:executiveaction_extension", args=[action.pk]),
        {"requested_due_date": wanted.isoformat(), "justification": "Waiting on OMB data."},
    )
    assert response.status_code == 302
    request = ExtensionRequest.objects.get(action=action)
    assert (request.status, request.requested_by, request.current_due_date) == (
        ExtensionStatus.PENDING,
        alice,
        original,
    )
    # the requester cannot decide it
    decide = reverse("actions:extensionrequest_decide", args=[request.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(bob)
    client.post(decide, {"decision": "approve", "comment": "Fine."})
    action.refresh_from_db()
    assert (action.due_date, action.original_due_date) == (wanted, original)
    change = DueDateChange.objects.get(action=action)
    assert (change.old_due_date, change.new_due_date, change.changed_by) == (original, wanted, bob)
    assert change.extension_request == request and "Fine." in change.reason
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Due-date history" in page and "Extension approved" in page


def test_a_denied_extension_leaves_the_due_date(client, units, alice, bob):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    request = ExtensionRequest.objects.create(
        action=action,
        requested_by=alice,
        current_due_date=action.due_date,
        requested_due_date=action.due_date + datetime.timedelta(days=3),
        justification="More time.",
    )
    client.force_login(bob)
    client.post(
        reverse("actions:extensionrequest_decide", args=[request.pk]),
        {"decision": "deny", "comment": "Leadership needs it on time."},
    )
    request.refresh_from_db()
    assert request.status == ExtensionStatus.DENIED
    assert ExecutiveAction.objects.get(pk=action.pk).due_date == action.due_date
    assert not DueDateChange.objects.filter(action=action).exists()


def test_an_earlier_date_is_refused_with_a_message(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    response = client.post(
        reverse("actions:executiveaction_extension", args=[action.pk]),
        {"requested_due_date": "2000-01-03", "justification": "Oops."},
    )
    assert response.status_code == 200
    assert "must be after the current due date" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_the_new_action_form_neither_asks_nor_lays_out_a_reason(client, administrator, caplog):
    """A new action has no due date to change: the field is gone from the form and its
    layout alike, so drawing the form warns of no missing field."""
    client.force_login(administrator)
    response = client.get(reverse("actions:executiveaction_add"))
    form = response.context["form"]
    laid_out = {pointer.name for pointer in form.helper.layout.get_field_names()}
    assert "due_date_change_reason" not in form.fields
    assert {"due_date_change_reason", "close_children"}.isdisjoint(laid_out)
    assert "due_date" in laid_out
    assert "Could not resolve form field" not in caplog.text
    edit = client.get(reverse("actions:executiveaction_edit", args=[action_in(S.DRAFT).pk]))
    assert "due_date_change_reason" in edit.content.decode()


def form_data(action, user, changes):
    """The edit form's POST data for ``action`` as ``user`` opens it, with ``changes``."""
    data, _ = model_data.form_data(registry.get(ExecutiveAction).form, action, user)
    return {**data, **{k: str(v) for k, v in changes.items()}}


def test_the_edit_form_needs_a_reason_and_records_the_due_date_change(client, administrator):
    action = action_in(S.IN_PROGRESS)
    new = action.due_date + datetime.timedelta(days=7)
    client.force_login(administrator)
    url = reverse("actions:executiveaction_edit", args=[action.pk])
    response = client.post(url, form_data(action, administrator, {"due_date": new}))
    assert response.status_code == 200
    assert response.context["form"].errors["due_date_change_reason"]
    assert not DueDateChange.objects.filter(action=action).exists()
    client.post(
        url,
        form_data(action, administrator, {"due_date": new, "due_date_change_reason": "Re-tasked"}),
    )
    change = DueDateChange.objects.get(action=action)
    assert (change.new_due_date, change.reason, change.changed_by) == (
        new,
        "Re-tasked",
        administrator,
    )


def test_bulk_edit_records_a_due_date_change_per_action(client, administrator):
    first, second = action_in(S.IN_PROGRESS), action_in(S.NOT_STARTED)
    new = datetime.date.today() + datetime.timedelta(days=60)
    client.force_login(administrator)
    response = client.post(
        reverse("actions:executiveaction_bulk_edit"),
        {
            "pk": [first.pk, second.pk],
            **{f"version_{a.pk}": a.version for a in (first, second)},
            "_apply": "1",
            "due_date": new.isoformat(),
            "due_date_change_reason": "Leadership moved the deadline",
        },
    )
    assert response.status_code == 302
    changes = DueDateChange.objects.filter(action__in=[first, second])
    assert sorted(c.action_id for c in changes) == sorted([first.pk, second.pk])
    assert {c.reason for c in changes} == {"Leadership moved the deadline"}


def test_any_other_save_that_moves_the_due_date_is_recorded_too(administrator):
    action = action_in(S.IN_PROGRESS)
    old = action.due_date
    stored = ExecutiveAction.objects.get(pk=action.pk)
    stored.due_date = old + datetime.timedelta(days=2)
    stored._history_user = administrator
    stored._change_reason = "Imported from the old tracker"
    stored.save()
    change = DueDateChange.objects.get(action=action)
    assert (change.old_due_date, change.reason, change.changed_by) == (
        old,
        "Imported from the old tracker",
        administrator,
    )
    stored.title = "Renamed"
    stored.save()
    assert DueDateChange.objects.filter(action=action).count() == 1


def test_change_due_date_writes_exactly_one_record(db):
    action = action_in(S.IN_PROGRESS)
    services.change_due_date(action, action.due_date + datetime.timedelta(days=1), None, "why")
    assert DueDateChange.objects.filter(action=action).count() == 1


# --- business days --------------------------------------------------------------------------


def test_business_days_skip_weekends_and_federal_holidays():
    wednesday = datetime.date(2026, 11, 25)  # Thanksgiving is Thursday 26 November 2026
    assert not is_business_day(datetime.date(2026, 11, 26))
    assert add_business_days(wednesday, 1) == datetime.date(2026, 11, 27)
    assert add_business_days(wednesday, 2) == datetime.date(2026, 11, 30)
    assert non_business_day_reason(datetime.date(2026, 11, 28)) == "a Saturday"
    assert "Thanksgiving" in non_business_day_reason(datetime.date(2026, 11, 26))


def test_a_new_action_and_a_sub_tasker_get_a_business_day_suspense(
    client, units, administrator, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, 0), tick=False)
    action_type = ExecutiveActionTypeFactory(default_days_to_due=2)
    client.force_login(administrator)
    data = {
        "title": "Holiday tasker",
        "action_type": action_type.pk,
        "status": S.DRAFT,
        "priority": "medium",
        "health": "not_assessed",
        "visibility": "internal",
        "security_classification": "unclassified",
        "percent_complete": "0",
    }
    response = client.post(reverse("actions:executiveaction_add"), data)
    assert response.status_code == 302
    parent = ExecutiveAction.objects.get(title="Holiday tasker")
    assert parent.due_date == datetime.date(2026, 11, 30)
    short = ExecutiveActionTypeFactory(default_days_to_due=10)
    client.post(
        reverse("actions:executiveaction_add"),
        data | {"title": "Child", "action_type": short.pk, "parent": parent.pk},
    )
    # ten business days would pass the parent's suspense: the parent's date caps it
    assert ExecutiveAction.objects.get(title="Child").due_date == parent.due_date


def test_a_due_date_on_a_weekend_is_flagged(client, administrator):
    action = action_in(S.IN_PROGRESS, due_date=datetime.date(2026, 12, 26))
    client.force_login(administrator)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Due on a Saturday" in page
    data = form_data(
        action,
        administrator,
        {"due_date": datetime.date(2026, 12, 27), "due_date_change_reason": "x"},
    )
    response = client.post(
        reverse("actions:executiveaction_edit", args=[action.pk]), data, follow=True
    )
    assert "falls on a Sunday" in response.content.decode()
