"""The REST API (issue 19): tokens, problem details, reading through ``visible_to``, writing
through the write policy and the forms, stale versions, the workflow moves, throttling and
the docs page under the site's CSP."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from actions.choices import ActionStatus, ExtensionStatus, SecurityClassification, Visibility
from actions.demo.actions import AssignmentFactory, ExtensionRequestFactory, StatusUpdateFactory
from actions.models import ExecutiveAction, StatusUpdate
from execcoord.models import ApiToken
from tests.api_support import PROBLEM, action, client_for, fresh_throttle, restricted, token_for
from tests.workflow_support import S, action_in, attach

pytestmark = pytest.mark.django_db


# -- tokens ----------------------------------------------------------------------------------


def test_a_token_is_stored_as_a_hash_and_authenticates(alice):
    token, secret = token_for(alice)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.digest, stored.prefix, str(stored)}
    assert stored.digest == ApiToken.hash(secret) and secret.startswith(stored.prefix)
    response = client_for(secret=secret).get("/api/v1/taskers/")
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong", "inactive user"])
def test_a_revoked_expired_or_wrong_token_is_401(alice, state):
    token, secret = token_for(alice)
    if state == "revoked":
        token.revoke()
    elif state == "expired":
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        token.save()
    elif state == "wrong":
        secret = secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")
    else:
        alice.is_active = False
        alice.save()
    response = client_for(secret=secret).get("/api/v1/taskers/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_without_credentials_the_api_answers_401_not_the_sign_in_page(db):
    response = Client().get("/api/v1/taskers/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(client, alice):
    client.force_login(alice)
    page = client.get("/api-tokens/")
    assert page.status_code == 200 and b"You have no API tokens" in page.content
    made = client.post("/api-tokens/", {"name": "Power BI", "lifetime": "30"})
    token = ApiToken.objects.get(user=alice)
    secret = made.context["secret"]
    assert secret.encode() in made.content and ApiToken.hash(secret) == token.digest
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    assert secret.encode() not in client.get("/api-tokens/").content  # shown once
    assert client_for(secret=secret).get("/api/v1/tags/").status_code == 200
    client.post(f"/api-tokens/{token.pk}/revoke/")
    assert client_for(secret=secret).get("/api/v1/tags/").status_code == 401


def test_a_user_cannot_revoke_another_users_token(client, alice, charlie):
    token, _ = token_for(charlie)
    client.force_login(alice)
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_revokes_any_token_in_the_admin(client, administrator, charlie):
    token, secret = token_for(charlie)
    client.force_login(administrator)
    changelist = client.get("/admin/execcoord/apitoken/")
    assert changelist.status_code == 200 and token.prefix.encode() in changelist.content
    client.post(
        "/admin/execcoord/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert client_for(secret=secret).get("/api/v1/tags/").status_code == 401


def test_the_user_menu_links_the_tokens_page(client, alice):
    client.force_login(alice)
    assert b'href="/api-tokens/"' in client.get("/").content


# -- reading ---------------------------------------------------------------------------------


def test_a_tasker_reads_by_id_and_by_number_with_its_version(alice, action):
    api = client_for(alice)
    by_id = api.get(f"/api/v1/taskers/{action.pk}/").json()
    assert by_id["number"] == action.number and by_id["version"] == action.version
    by_number = api.get(f"/api/v1/taskers/number/{action.number.lower()}/")
    assert by_number.json() == by_id


def test_a_list_takes_the_list_pages_filters_and_pages_by_cursor(alice, units):
    for _ in range(3):
        action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    draft = action_in(S.DRAFT, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    api = client_for(alice)
    drafts = api.get("/api/v1/taskers/", {"status": "draft"}).json()
    assert [row["id"] for row in drafts["results"]] == [draft.pk]
    first = api.get("/api/v1/taskers/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_a_wrong_filter_is_a_problem_naming_the_field(alice):
    response = client_for(alice).get("/api/v1/taskers/", {"status": "bogus"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "errors"}
    assert "status" in body["errors"]


def test_sensitive_fields_are_hidden_like_on_the_pages(alice, bob):
    person = alice.person
    staff = client_for(alice).get(f"/api/v1/people/{person.pk}/").json()
    manager = client_for(bob).get(f"/api/v1/people/{person.pk}/").json()
    assert "clearance_level" not in staff
    assert manager["clearance_level"] == person.clearance_level
    # nor filtered on: a staff member's filter on it is not applied (their filterset has none)
    api = client_for(alice)
    everyone = api.get("/api/v1/people/").json()["results"]
    filtered = api.get("/api/v1/people/", {"clearance_level": "top_secret"}).json()["results"]
    assert everyone and filtered == everyone


def test_a_restricted_tasker_is_404_for_a_stranger_on_every_endpoint(charlie, restricted):
    extension = ExtensionRequestFactory(action=restricted, status=ExtensionStatus.PENDING)
    update = StatusUpdateFactory(action=restricted)
    api = client_for(charlie)
    pk = restricted.pk
    attempts = [
        ("get", f"/api/v1/taskers/{pk}/", None),
        ("get", f"/api/v1/taskers/number/{restricted.number}/", None),
        ("patch", f"/api/v1/taskers/{pk}/", {"title": "x", "version": restricted.version}),
        ("put", f"/api/v1/taskers/{pk}/", {"title": "x", "version": restricted.version}),
        ("delete", f"/api/v1/taskers/{pk}/", None),
        ("post", f"/api/v1/taskers/{pk}/transition/", {"target": "submitted"}),
        ("post", f"/api/v1/taskers/{pk}/assign/", {"version": restricted.version}),
        ("post", f"/api/v1/taskers/{pk}/extensions/", {"justification": "x"}),
        (
            "post",
            f"/api/v1/taskers/{pk}/extensions/{extension.pk}/decide/",
            {"decision": "approve"},
        ),
        ("post", f"/api/v1/taskers/{pk}/updates/", {"summary": "x"}),
        ("get", f"/api/v1/extension-requests/{extension.pk}/", None),
        ("get", f"/api/v1/status-updates/{update.pk}/", None),
        ("patch", f"/api/v1/status-updates/{update.pk}/", {"version": update.version}),
    ]
    for method, url, body in attempts:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response["Content-Type"] == PROBLEM
    # the lists neither show nor count it, and a filter naming it answers as for no record
    listed = api.get("/api/v1/taskers/", {"q": restricted.number}).json()
    assert listed["results"] == []
    assert api.get("/api/v1/status-updates/").json()["results"] == []
    hidden = api.get("/api/v1/status-updates/", {"action_id": pk})
    missing = api.get("/api/v1/status-updates/", {"action_id": 10**9})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["action_id"] == [
        m.replace(str(10**9), str(pk)) for m in missing.json()["errors"]["action_id"]
    ]
    restricted.refresh_from_db()
    assert restricted.status == S.IN_PROGRESS and restricted.title != "x"


def test_a_reference_to_a_hidden_tasker_is_left_out(bob, charlie, units, restricted):
    child = action_in(
        S.IN_PROGRESS, lead_unit=units["OFF-B1"], issuing_unit=units["BUR-B"], parent=restricted
    )
    seen_by_charlie = client_for(charlie).get(f"/api/v1/taskers/{child.pk}/").json()
    assert seen_by_charlie["parent"] is None
    assert client_for(bob).get(f"/api/v1/taskers/{child.pk}/").json()["parent"] == restricted.pk


# -- writing ---------------------------------------------------------------------------------


def test_a_viewers_token_cannot_write(viewer, action):
    api = client_for(viewer)
    assert api.get(f"/api/v1/taskers/{action.pk}/").status_code == 200
    attempts = [
        ("post", "/api/v1/taskers/", {"title": "x", "action_type": action.action_type_id}),
        ("patch", f"/api/v1/taskers/{action.pk}/", {"title": "x", "version": action.version}),
        ("delete", f"/api/v1/taskers/{action.pk}/", None),
        ("post", f"/api/v1/taskers/{action.pk}/transition/", {"target": "submitted"}),
        ("post", f"/api/v1/taskers/{action.pk}/updates/", {"summary": "x"}),
    ]
    for method, url, body in attempts:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.content)
        assert response["Content-Type"] == PROBLEM and response.json()["detail"]
    assert ExecutiveAction.objects.get(pk=action.pk).version == action.version


def test_a_create_uses_the_forms_defaults_rules_and_messages(alice, action):
    api = client_for(alice)
    missing = api.post("/api/v1/taskers/", {"description": "no title"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"]["title"] == ["This field is required."]
    made = api.post(
        "/api/v1/taskers/",
        {"title": "Via the API", "action_type": action.action_type_id, "status": "completed"},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    # status is a workflow fact: ignored like on the page; the issuing unit is the user's
    assert body["status"] == ActionStatus.DRAFT and body["number"]
    assert body["issuing_unit"] == alice.person.organization_unit_id
    assert ExecutiveAction.objects.get(pk=body["id"]).history.first().history_user == alice


def test_an_update_needs_the_version_and_a_stale_one_is_409_naming_the_fields(alice, bob, action):
    mine, theirs = client_for(alice), client_for(bob)
    url = f"/api/v1/taskers/{action.pk}/"
    assert mine.patch(url, {"title": "No version"}, format="json").json()["errors"] == {
        "version": ["This field is required."]
    }
    seen = mine.get(url).json()["version"]
    first = theirs.patch(url, {"title": "Bob's title", "version": seen}, format="json")
    assert first.status_code == 200 and first.json()["version"] == seen + 1
    late = mine.patch(url, {"notes": "Alice's note", "version": seen}, format="json")
    assert late.status_code == 409 and late["Content-Type"] == PROBLEM
    assert late.json()["changed"] == ["title"] and "bob" in late.json()["detail"]
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.title == "Bob's title" and stored.notes != "Alice's note"
    assert stored.history.first().history_user == bob


def test_a_due_date_change_needs_the_forms_reason(bob, action):
    api = client_for(bob)
    url = f"/api/v1/taskers/{action.pk}/"
    new_due = (action.due_date + datetime.timedelta(days=7)).isoformat()
    refused = api.patch(url, {"due_date": new_due, "version": action.version}, format="json")
    assert refused.json()["errors"] == {"due_date_change_reason": ["Say why the due date changes."]}
    moved = api.patch(
        url,
        {
            "due_date": new_due,
            "due_date_change_reason": "Waiting for OMB",
            "version": action.version,
        },
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["due_date"] == new_due
    assert action.due_date_changes.get().reason == "Waiting for OMB"


# -- the workflow moves ----------------------------------------------------------------------


def test_a_tasker_moves_through_its_workflow_by_the_services(alice, bob, units):
    draft = action_in(S.DRAFT, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"])
    attach(draft)  # the close-out checklist asks for the response
    staff, manager = client_for(alice), client_for(bob)
    url = f"/api/v1/taskers/{draft.pk}/transition/"
    assert manager.post(url, {"target": "not_started"}, format="json").json()["status"] == (
        "not_started"
    )
    assert staff.post(url, {"target": "in_progress"}, format="json").status_code == 200
    assert staff.post(url, {"target": "submitted"}, format="json").status_code == 200
    refused = staff.post(url, {"target": "completed"}, format="json")
    assert refused.status_code == 403 and "approve" in refused.json()["detail"]
    done = manager.post(url, {"target": "completed", "comment": "Good work"}, format="json")
    assert done.status_code == 200 and done.json()["completed_date"]
    again = manager.post(url, {"target": "completed"}, format="json")
    assert again.status_code == 409 and again.json()["detail"].startswith("Not changed.")
    reasons = list(
        ExecutiveAction.objects.get(pk=draft.pk).history.values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert ("Good work", "bob") in reasons


def test_a_transition_with_an_old_version_is_refused(alice, action):
    url = f"/api/v1/taskers/{action.pk}/transition/"
    stale = client_for(alice).post(
        url, {"target": "submitted", "version": action.version - 1 or 99}, format="json"
    )
    assert stale.status_code == 409
    assert ExecutiveAction.objects.get(pk=action.pk).status == S.IN_PROGRESS


def test_assign_sets_the_lead_and_supporting_units_with_the_version(bob, alice, units, action):
    api = client_for(bob)
    url = f"/api/v1/taskers/{action.pk}/assign/"
    body = {
        "version": action.version,
        "lead_unit": units["OFF-A1"].pk,
        "accountable_person": alice.person.pk,
        "supporting": [{"organization_unit": units["OFF-B1"].pk, "role": "coordinating"}],
    }
    done = api.post(url, body, format="json")
    assert done.status_code == 200, done.content
    row = action.assignments.get()
    assert row.organization_unit_id == units["OFF-B1"].pk
    assert row.history.first().history_user == bob
    again = api.post(url, body, format="json")  # the version the first call was made from
    assert again.status_code == 409 and again.json()["type"].endswith("stale")
    removed = api.post(
        url,
        {"version": done.json()["version"], "supporting": [{"id": row.pk, "delete": True}]},
        format="json",
    )
    assert removed.status_code == 200, removed.content
    assert not action.assignments.exists()


def test_assign_is_refused_to_the_lead_staff(alice, action):
    response = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/assign/", {"version": action.version}, format="json"
    )
    assert response.status_code == 403


def test_an_extension_is_requested_and_decided(alice, bob, action):
    wanted = (action.due_date + datetime.timedelta(days=14)).isoformat()
    asked = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/extensions/",
        {"requested_due_date": wanted, "justification": "Waiting on OMB"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    extension = asked.json()
    twice = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/extensions/",
        {"requested_due_date": wanted, "justification": "Again"},
        format="json",
    )
    assert twice.status_code == 409
    decide = f"/api/v1/taskers/{action.pk}/extensions/{extension['id']}/decide/"
    assert client_for(alice).post(decide, {"decision": "approve"}, format="json").status_code == (
        403
    )
    decided = client_for(bob).post(decide, {"decision": "approve", "comment": "OK"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == ExtensionStatus.APPROVED
    assert ExecutiveAction.objects.get(pk=action.pk).due_date.isoformat() == wanted
    late = client_for(bob).post(decide, {"decision": "deny"}, format="json")
    assert late.status_code == 409


def test_an_extension_request_takes_the_forms_messages(alice, action):
    response = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/extensions/", {"justification": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"requested_due_date", "justification"}


def test_a_status_update_is_posted_through_the_service(alice, action):
    posted = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/updates/",
        {"summary": "Draft cleared with counsel", "health": "at_risk", "percent_complete": 60},
        format="json",
    )
    assert posted.status_code == 201, posted.content
    update = StatusUpdate.objects.get(pk=posted.json()["id"])
    assert update.action_id == action.pk and update.history.first().history_user == alice
    stored = ExecutiveAction.objects.get(pk=action.pk)
    assert stored.percent_complete == 60 and stored.health == "at_risk"


def test_a_supporting_unit_answers_through_its_assignment(charlie, units, action):
    row = AssignmentFactory(action=action, organization_unit=units["OFF-B1"], person=None)
    api = client_for(charlie)
    answered = api.patch(
        f"/api/v1/assignments/{row.pk}/",
        {"status": "concur", "response": "We concur.", "role": "lead", "version": row.version},
        format="json",
    )
    assert answered.status_code == 200, answered.content
    row.refresh_from_db()
    assert row.status == "concur" and row.responded_by == charlie
    assert row.role != "lead" or answered.json()["role"] == row.role  # not theirs to set


# -- throttling, schema, docs ----------------------------------------------------------------


def test_a_token_is_throttled_on_its_own(settings, alice):
    settings.API_THROTTLE_RATE = "3/minute"
    _, first = token_for(alice, "first")
    _, second = token_for(alice, "second")
    api = client_for(secret=first)
    codes = [api.get("/api/v1/tags/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.get("/api/v1/tags/")
    assert refused["Content-Type"] == PROBLEM and int(refused["Retry-After"]) > 0
    assert client_for(secret=second).get("/api/v1/tags/").status_code == 200


def test_the_session_works_with_its_csrf_token(alice, action):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(f"/api/v1/taskers/{action.pk}/").status_code == 200
    url = f"/api/v1/taskers/{action.pk}/transition/"
    refused = browser.post(url, {"target": "submitted"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/api-tokens/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    done = browser.post(
        url, {"target": "submitted"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert done.status_code == 200


def test_the_schema_lists_every_registered_model_and_the_moves(alice):
    from execcoord import registry

    schema = client_for(alice).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for views in registry.all_registrations():
        slug = "taskers" if views.label == "actions.executiveaction" else views.slug
        assert f"/api/v1/{slug}/" in paths and f"/api/v1/{slug}/{{id}}/" in paths
    for move in ("transition", "assign", "extensions", "updates"):
        assert f"/api/v1/taskers/{{id}}/{move}/" in paths
    assert "patch" in paths["/api/v1/taskers/{id}/"] and "post" not in paths["/api/v1/tags/"]
    assert (
        "version"
        in schema["components"]["schemas"]["PatchedExecutiveActionUpdateRequest"]["properties"]
    )
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_works_under_the_sites_csp(client, alice):
    client.force_login(alice)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    html = page.content.decode()
    assert "<style" not in html and "<script>" not in html and "cdn" not in html.lower()
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()
