"""Attachments: upload limits with clear messages, and downloads only through the checked view,
always as a download."""

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.choices import AttachmentKind, Visibility
from actions.models import Attachment
from tests.workflow_support import S, action_in, attach


def _upload(client, action, name, data, content_type="application/pdf", kind="response"):
    return client.post(
        reverse("actions:executiveaction_attach", args=[action.pk]),
        {
            "title": "Response memo",
            "kind": kind,
            "file": SimpleUploadedFile(name, data, content_type),
        },
    )


def _messages(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_upload_records_size_type_and_uploader(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    _upload(client, action, "memo.pdf", b"%PDF-1.4 twelve")
    attachment = Attachment.objects.get(action=action, title="Response memo")
    assert (attachment.size, attachment.content_type, attachment.uploaded_by) == (
        15,
        "application/pdf",
        alice,
    )
    assert attachment.kind == AttachmentKind.RESPONSE
    assert attachment.file.name.startswith(f"attachments/{action.pk}/")


def test_an_attachment_over_the_size_limit_is_rejected_with_a_clear_message(
    client, units, alice, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    response = _upload(client, action, "big.pdf", b"x" * (1024 * 1024 + 1))
    assert "The file was not attached. The file is larger than 1 MB." in _messages(response)
    assert not Attachment.objects.filter(action=action, title="Response memo").exists()


def test_an_attachment_of_a_refused_type_is_rejected_with_a_clear_message(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    client.force_login(alice)
    response = _upload(client, action, "payload.exe", b"MZ", "application/octet-stream")
    assert "Files of type “.exe” are not accepted; use one of:" in _messages(response)
    assert not Attachment.objects.filter(action=action, title="Response memo").exists()


def test_download_is_a_forced_download_with_nosniff(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    attachment = attach(action, name="note.txt")
    attachment.content_type = "text/html"
    attachment.save()
    client.force_login(alice)
    response = client.get(reverse("actions:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_of_a_hidden_actions_file_is_404(client, units, charlie):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], visibility=Visibility.RESTRICTED)
    attachment = Attachment.objects.get(action=action)
    client.force_login(charlie)
    assert (
        client.get(reverse("actions:attachment_download", args=[attachment.pk])).status_code == 404
    )


def test_media_files_are_not_served_directly(client, units, alice):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"])
    attachment = Attachment.objects.get(action=action)
    client.force_login(alice)
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_staff_of_another_unit_cannot_upload(client, units, charlie):
    action = action_in(S.IN_PROGRESS, lead_unit=units["OFF-A1"], visibility=Visibility.INTERNAL)
    client.force_login(charlie)
    assert _upload(client, action, "memo.pdf", b"%PDF").status_code == 403
