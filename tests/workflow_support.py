"""Helpers shared by the workflow tests: actions in a given status, ready for each move."""

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from actions.choices import ActionStatus, AttachmentKind
from actions.demo.actions import ExecutiveActionFactory
from actions.models import Attachment
from tests.form_support import form_fields

S = ActionStatus
TODAY = timezone.localdate()


def action_in(status, *, response=True, **kwargs):
    """An action in ``status`` with everything issuing and approving need (a response is
    attached once it has been issued, unless ``response`` is false)."""
    fields = {"status": status, "due_date": TODAY + datetime.timedelta(30)}
    if status != S.DRAFT:
        fields.update(
            issue_date=TODAY - datetime.timedelta(3), original_due_date=fields["due_date"]
        )
    if status == S.ON_HOLD:
        fields["held_from_status"] = S.IN_PROGRESS
    if status == S.COMPLETED:
        fields["completed_date"] = TODAY - datetime.timedelta(1)
    action = ExecutiveActionFactory(**(fields | kwargs))
    if response and status != S.DRAFT:
        attach(action, kind=AttachmentKind.RESPONSE)
    return action


def attach(action, *, kind=AttachmentKind.RESPONSE, name="response.pdf", user=None):
    attachment = Attachment(action=action, title=name, kind=kind, uploaded_by=user)
    attachment.file.save(name, ContentFile(b"%PDF-1.4\n% response\n"), save=False)
    attachment.save()
    return attachment


def expected(source, target):
    """Whether the table allows the move for an action built by ``action_in``."""
    from actions.services import TRANSITIONS

    if source == S.ON_HOLD and target == S.NOT_STARTED:
        return False  # held from In progress: resumes only there
    return (source, target) in TRANSITIONS


def snapshot(action):
    from actions.models import ExecutiveAction

    stored = ExecutiveAction.objects.get(pk=action.pk)
    return {f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields}


def officers_tasker(units, person, **fields):
    """An in-progress tasker of OFF-A1 with ``person`` accountable, issued on 2 Nov 2026 and
    due on 15 Jan 2027 (the dates the page tests read), whatever else ``fields`` says."""
    return ExecutiveActionFactory(
        **{
            "title": "Inventory the bureau's AI use cases",
            "status": S.IN_PROGRESS,
            "issue_date": datetime.date(2026, 11, 2),
            "original_due_date": datetime.date(2027, 1, 15),
            "due_date": datetime.date(2027, 1, 15),
            "lead_unit": units["OFF-A1"],
            "accountable_person": person,
            **fields,
        }
    )


def opened_page(client, action):
    """The tasker's page as a reader sees it once its closed panels are opened: the rows of
    each ``<details data-url=…>`` (the timeline, the related panels) fetched from its URL, as
    the page's script does, and put in its place."""
    import html
    import re

    page = client.get(action.get_absolute_url())
    assert page.status_code == 200

    def rows(match):
        response = client.get(html.unescape(match[1]))
        assert response.status_code == 200, match[1]
        return response.content.decode()

    lazy = r'<details class="ec-lazy-rows" data-url="([^"]+)">.*?</details>'
    return re.sub(lazy, rows, page.content.decode(), flags=re.S)


def extension_form(client, action, justification="Waiting on the regional data."):
    """The URL and the data of the tasker's extension request page, as ``client`` opens it,
    asking for two more weeks."""
    url = reverse("actions:executiveaction_extension", args=[action.pk])
    data = form_fields(client.get(url).content)
    data["requested_due_date"] = (action.due_date + datetime.timedelta(days=14)).isoformat()
    data["justification"] = justification
    return url, data
