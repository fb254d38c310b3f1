"""The pages' access rules hold through the API (issue 19), on the tables of the pages' own
tests: the write-policy matrix (``tests/test_write_policy.py``: every writable model × add,
change, delete × every role, held to the same ``EXPECTED`` table) and visibility (every
role's lists and details of every registered model equal ``visible_to``)."""

import pytest
from django.core.cache import cache
from django.db import transaction

import actions.api  # noqa: F401 (the API's writable models, for the parameters below)
from actions.choices import SecurityClassification, Visibility
from actions.demo import actions as fa
from actions.models import ExecutiveAction
from execcoord import api, registry
from execcoord.access import visible
from tests.api_support import client_for
from tests.test_write_policy import EXPECTED, ROLES, World, add_overrides

pytestmark = pytest.mark.django_db

VERB_METHODS = {"add": "post", "change": "patch", "delete": "delete"}


def _slug(views):
    return "taskers" if views.label == "actions.executiveaction" else views.slug


@pytest.fixture
def world(settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    world = World()
    t = world.tasker
    units = world.units
    # taskers each role sees or not: restricted to OFF-B1, confidential, classified SECRET
    world.hidden = [
        fa.ExecutiveActionFactory(
            title="Restricted to Bureau B",
            visibility=Visibility.RESTRICTED,
            lead_unit=units["OFF-B1"],
            issuing_unit=units["BUR-B"],
            accountable_person=None,
        ),
        fa.ExecutiveActionFactory(
            title="Confidential",
            visibility=Visibility.CONFIDENTIAL,
            lead_unit=units["OFF-A1"],
            issuing_unit=units["SEC"],
            accountable_person=None,
        ),
        fa.ExecutiveActionFactory(
            title="Classified",
            security_classification=SecurityClassification.SECRET,
            lead_unit=units["OFF-A1"],
            issuing_unit=units["SEC"],
            accountable_person=None,
        ),
    ]
    for hidden in world.hidden:
        fa.StatusUpdateFactory(action=hidden)
        fa.AssignmentFactory(action=hidden, organization_unit=units["OFF-C"], person=None)
    world.clients = {role: client_for(user) for role, user in world.users.items()}
    world.admin_view = {
        label: client_for(world.users["administrator"])
        .get(f"/api/v1/{_slug(registry.get(label))}/{record.pk}/")
        .json()
        for label, record in world.records.items()
    }
    assert t.pk
    return world


def _all_ids(client, url):
    ids, page = [], url
    while page:
        body = client.get(page).json()
        ids += [row["id"] for row in body["results"]]
        page = body["next"]
    return ids


def test_every_roles_lists_and_details_are_what_visible_to_gives(world):
    mismatches = []
    for views in registry.all_registrations():
        url = f"/api/v1/{_slug(views)}/"
        everything = list(views.model._default_manager.values_list("pk", flat=True))
        for role, user in world.users.items():
            client = world.clients[role]
            if not views.can(user, "view"):
                if client.get(url).status_code != 403:
                    mismatches.append((views.label, role, "list not 403"))
                continue
            seen = set(visible(views.model, user).values_list("pk", flat=True))
            listed = _all_ids(client, f"{url}?page_size=250")
            if sorted(listed) != sorted(seen) or len(listed) != len(set(listed)):
                mismatches.append((views.label, role, "list", sorted(listed), sorted(seen)))
            for pk in everything:
                code = client.get(f"{url}{pk}/").status_code
                if code != (200 if pk in seen else 404):
                    mismatches.append((views.label, role, pk, code))
    assert not mismatches, mismatches
    # each of the fixture's hidden taskers is hidden from someone: the check had work to do
    for hidden in world.hidden:
        assert any(
            not ExecutiveAction.objects.visible_to(user).filter(pk=hidden.pk).exists()
            for user in world.users.values()
        )


def _payload(world, label, verb):
    record = world.records[label]
    if verb == "change":
        return {"version": type(record).objects.get(pk=record.pk).version}
    body = {
        k: v
        for k, v in world.admin_view[label].items()
        if k not in ("id", "version", "number", "created_at", "updated_at")
    }
    return body | {
        k: int(v) if str(v).isdecimal() else v for k, v in add_overrides(world, label).items()
    }


def _attempt(world, label, verb, role):
    """What the API did: ``(status code, whether the database changed)``."""
    views = registry.get(label)
    model, record = views.model, world.records[label]
    url = f"/api/v1/{_slug(views)}/"
    client = world.clients[role]
    with transaction.atomic():
        before = (model._default_manager.count(), _version(model, record.pk))
        if verb == "add":
            response = client.post(url, _payload(world, label, verb), format="json")
        elif verb == "change":
            response = client.patch(
                f"{url}{record.pk}/", _payload(world, label, verb), format="json"
            )
        else:
            response = client.delete(f"{url}{record.pk}/")
        after = (model._default_manager.count(), _version(model, record.pk))
        transaction.set_rollback(True)
    return response, before != after


def _version(model, pk):
    row = model._default_manager.filter(pk=pk).values_list("version", flat=True).first()
    return row


WRITABLE = sorted(label for label in EXPECTED if api.is_writable(label))


@pytest.mark.parametrize("label", WRITABLE)
def test_the_write_policy_matrix_holds_through_the_api(world, label):
    registry.load_all()
    mismatches = []
    for verb in VERB_METHODS:
        for role in ROLES:
            allowed = role in EXPECTED[label][verb]
            response, changed = _attempt(world, label, verb, role)
            ok = response.status_code in (200, 201, 204)
            if allowed != ok or allowed != changed:
                mismatches.append(
                    (verb, role, allowed, response.status_code, changed, response.content[:300])
                )
            if not ok and response.status_code not in (403, 404):
                mismatches.append((verb, role, "refused as", response.status_code))
    assert not mismatches, "\n".join(map(str, mismatches))


def test_read_only_models_take_no_writes(world):
    for views in registry.all_registrations():
        if api.is_writable(views.label):
            continue
        url = f"/api/v1/{_slug(views)}/"
        record = world.records[views.label]
        client = world.clients["administrator"]
        assert client.post(url, {}, format="json").status_code == 405
        assert client.delete(f"{url}{record.pk}/").status_code == 405


def test_the_api_upload_of_an_attachment_holds_to_the_matrix(world):
    """The upload endpoint (``taskers/{id}/attachments/``) is one more way to add an
    attachment: every role may exactly what the matrix says of adding one to the twin
    tasker, as the page and the admin."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actions.models import Attachment

    mismatches = []
    writers = EXPECTED["actions.attachment"]["add"]
    assert writers and set(ROLES) - set(writers)  # both answers are tried
    for role in ROLES:
        allowed = role in writers
        with transaction.atomic():
            before = Attachment.objects.count()
            response = world.clients[role].post(
                f"/api/v1/taskers/{world.twin.pk}/attachments/",
                {
                    "title": "Memo",
                    "kind": "response",
                    "file": SimpleUploadedFile("memo.pdf", b"%PDF-1.4\n", "application/pdf"),
                },
                format="multipart",
            )
            changed = Attachment.objects.count() > before
            transaction.set_rollback(True)
        ok = response.status_code == 201
        if allowed != ok or allowed != changed:
            mismatches.append((role, allowed, response.status_code, response.content[:200]))
        if not ok and response.status_code not in (403, 404):
            mismatches.append((role, "refused as", response.status_code))
    assert not mismatches, "\n".join(map(str, mismatches))
