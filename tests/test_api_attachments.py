"""Attachments through the REST API (issue 19): the upload is the tasker page's upload (its
form, limits, messages and write-policy question), the download is the page's download view
(scoped by ``visible_to``, same headers and bytes), and a list of taskers reads in a constant
number of queries, no more than the list page's two more."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.choices import AttachmentKind, SecurityClassification, Visibility
from actions.demo.actions import TagFactory
from actions.demo.analysis import LegalAuthorityFactory
from actions.models import Attachment
from actions.workflow_views import AttachmentUploadForm
from tests.api_support import PROBLEM, action, client_for, fresh_throttle, restricted
from tests.workflow_support import S, action_in, attach

pytestmark = pytest.mark.django_db

MEMO = b"%PDF-1.4\n% the response memo\n"


def _upload(client, action, name="memo.pdf", data=MEMO, content_type="application/pdf", **fields):
    body = {"title": "Response memo", "kind": "response", **fields}
    if name is not None:
        body["file"] = SimpleUploadedFile(name, data, content_type)
    return client.post(f"/api/v1/taskers/{action.pk}/attachments/", body, format="multipart")


def _form_errors(name, data, content_type="application/pdf"):
    """The page's upload form's own messages for the same file."""
    form = AttachmentUploadForm(
        {"title": "Response memo", "kind": "response"},
        {"file": SimpleUploadedFile(name, data, content_type)},
        instance=Attachment(),
    )
    assert not form.is_valid()
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


# -- upload ----------------------------------------------------------------------------------


def test_upload_attaches_the_file_as_the_page_does(action, alice):
    response = _upload(client_for(alice), action)
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Attachment.objects.get(pk=body["id"])
    assert (stored.action, stored.title, stored.kind) == (
        action,
        "Response memo",
        AttachmentKind.RESPONSE,
    )
    assert (stored.uploaded_by, stored.size, stored.content_type) == (
        alice,
        len(MEMO),
        "application/pdf",
    )
    # the stored name is the page's: under the tasker's id, random, the extension kept
    assert stored.file.name.startswith(f"attachments/{action.pk}/")
    assert stored.file.name.endswith(".pdf") and "memo" not in stored.file.name
    assert (body["version"], body["size"], body["action"]) == (stored.version, 8 + 21, action.pk)
    assert body["download"] == f"http://testserver/api/v1/attachments/{stored.pk}/download/"
    assert "file" not in body


def test_an_upload_is_in_the_history_under_the_tokens_user(action, alice):
    response = _upload(client_for(alice), action)
    stored = Attachment.objects.get(pk=response.json()["id"])
    (row,) = stored.history.all()
    assert (row.history_type, row.history_user) == ("+", alice)


def test_a_file_over_the_limit_is_the_forms_message_as_a_problem(action, alice, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = b"x" * (1024 * 1024 + 1)
    response = _upload(client_for(alice), action, "big.pdf", big)
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json()["errors"] == _form_errors("big.pdf", big)
    assert response.json()["errors"] == {"file": ["The file is larger than 1 MB."]}
    assert not Attachment.objects.filter(action=action, title="Response memo").exists()


def test_a_refused_type_is_the_forms_message_as_a_problem(action, alice):
    response = _upload(client_for(alice), action, "payload.exe", b"MZ", "application/x-msdos")
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    errors = response.json()["errors"]
    assert errors == _form_errors("payload.exe", b"MZ", "application/x-msdos")
    assert errors["file"][0].startswith("Files of type “.exe” are not accepted; use one of:")
    assert not Attachment.objects.filter(action=action, title="Response memo").exists()


def test_a_missing_file_and_title_are_the_forms_messages(action, alice):
    response = _upload(client_for(alice), action, name=None, title="")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "title": ["This field is required."],
        "file": ["This field is required."],
    }


def test_a_json_body_is_not_an_upload(action, alice):
    response = client_for(alice).post(
        f"/api/v1/taskers/{action.pk}/attachments/", {"title": "x"}, format="json"
    )
    assert (response.status_code, response["Content-Type"]) == (415, PROBLEM)


def test_a_viewers_token_may_not_upload(action, viewer):
    response = _upload(client_for(viewer), action)
    assert (response.status_code, response["Content-Type"]) == (403, PROBLEM)
    assert not Attachment.objects.filter(action=action, title="Response memo").exists()


def test_staff_of_another_unit_may_not_upload_to_a_tasker_they_see(units, charlie):
    seen = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], visibility=Visibility.INTERNAL)
    assert client_for(charlie).get(f"/api/v1/taskers/{seen.pk}/").status_code == 200
    assert _upload(client_for(charlie), seen).status_code == 403


def test_a_tasker_the_user_may_not_see_is_404(restricted, charlie):
    response = _upload(client_for(charlie), restricted)
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert not Attachment.objects.filter(action=restricted, title="Response memo").exists()


# -- download --------------------------------------------------------------------------------


def test_the_owner_downloads_the_bytes_uploaded(action, alice):
    client = client_for(alice)
    link = _upload(client, action).json()["download"]
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MEMO
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Response memo.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_download_is_the_pages_download(action, alice, client):
    attachment = attach(action, name="note.txt")
    attachment.content_type = "text/html"  # a type a browser would run: served as bytes
    attachment.save()
    api = client_for(alice).get(f"/api/v1/attachments/{attachment.pk}/download/")
    client.force_login(alice)
    page = client.get(f"/actions/attachments/{attachment.pk}/download/")
    assert (api.status_code, page.status_code) == (200, 200)
    for header in ("Content-Type", "Content-Disposition", "Content-Security-Policy"):
        assert api[header] == page[header]
    assert api["Content-Type"] == "application/octet-stream"
    assert b"".join(api.streaming_content) == b"".join(page.streaming_content)


def test_the_detail_and_the_list_carry_the_download_link(action, alice):
    attachment = Attachment.objects.get(action=action)
    client = client_for(alice)
    link = f"http://testserver/api/v1/attachments/{attachment.pk}/download/"
    assert client.get(f"/api/v1/attachments/{attachment.pk}/").json()["download"] == link
    listed = client.get(f"/api/v1/attachments/?action_id={action.pk}").json()["results"]
    assert [row["download"] for row in listed] == [link]


def test_a_stranger_gets_404_for_a_restricted_taskers_file(restricted, alice, charlie):
    attachment = Attachment.objects.get(action=restricted)
    url = f"/api/v1/attachments/{attachment.pk}/download/"
    assert client_for(alice).get(url).status_code == 200
    response = client_for(charlie).get(url)
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert b"PDF" not in response.content


def test_a_download_without_a_token_is_401(action):
    attachment = Attachment.objects.get(action=action)
    response = client_for().get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert (response.status_code, response["Content-Type"]) == (401, PROBLEM)


def test_any_accept_header_gets_the_file(action, alice):
    attachment = Attachment.objects.get(action=action)
    response = client_for(alice).get(
        f"/api/v1/attachments/{attachment.pk}/download/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200


# -- the list's queries ----------------------------------------------------------------------


def _taskers(units, count, parent=None):
    tags = [TagFactory(name=f"tag-{n}") for n in range(2)]
    authority = LegalAuthorityFactory()
    made = []
    for _ in range(count):
        tasker = action_in(
            S.IN_PROGRESS, lead_unit=units["OFF-A1"], issuing_unit=units["BUR-A"], parent=parent
        )
        tasker.tags.set(tags)
        tasker.legal_authorities.set([authority])
        made.append(tasker)
    return made


def _queries(get):
    with CaptureQueriesContext(connection) as seen:
        response = get()
    assert response.status_code == 200
    return len(seen.captured_queries)


@pytest.mark.parametrize("rows", [3, 12])
def test_the_api_list_reads_in_constant_queries_near_the_pages(
    units, bob, client, rows, django_assert_max_num_queries
):
    parent = action_in(
        S.IN_PROGRESS,
        lead_unit=units["BUR-B"],
        issuing_unit=units["BUR-B"],
        visibility=Visibility.RESTRICTED,  # bob may not see it: its id is left out
    )
    _taskers(units, rows, parent=parent)
    client.force_login(bob)
    client.get("/actions/executive-actions/")  # the session's first visit writes to it
    page = _queries(lambda: client.get("/actions/executive-actions/"))
    api = client_for(bob)
    api.get("/api/v1/taskers/")  # the token's first use is written down once
    # the page's count, with 1 more or fewer depending on sessions, is its 7 to 9
    assert page <= 9
    with django_assert_max_num_queries(page + 2):
        body = api.get("/api/v1/taskers/?page_size=250").json()
    assert len(body["results"]) == rows
    assert all(row["parent"] is None and len(row["tags"]) == 2 for row in body["results"])


def test_the_api_lists_count_does_not_grow_with_rows(units, bob):
    api = client_for(bob)
    api.get("/api/v1/taskers/")  # the token's first use is written down once
    _taskers(units, 2)
    small = _queries(lambda: api.get("/api/v1/taskers/?page_size=250"))
    _taskers(units, 10)
    large = _queries(lambda: api.get("/api/v1/taskers/?page_size=250"))
    assert small == large
