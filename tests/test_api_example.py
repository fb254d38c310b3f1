"""The README's API script, ``docs/api_example.py``, run end to end against a live server with
a manager's token, so the example cannot drift from the API: a tasker is created, assigned,
issued, updated, extended, submitted, returned, given its response through the API (upload
and download) and completed."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings

from actions.choices import ActionStatus, AttachmentKind
from actions.demo.actions import ExecutiveActionTypeFactory
from actions.models import Attachment, ExecutiveAction
from tests.api_support import token_for

SCRIPT = Path(settings.BASE_DIR) / "docs" / "api_example.py"


def _script():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines; ``main`` runs only as ``__main__``
    return module


@pytest.mark.django_db(transaction=True)
def test_the_readme_script_takes_a_tasker_to_completed(live_server, bob):
    ExecutiveActionTypeFactory(name="Briefing", requires_legal_authority=False)
    _, secret = token_for(bob, "example")
    script = _script()
    said = []
    found = script.main(script.Api(live_server.url, secret, say=said.append))

    tasker = ExecutiveAction.objects.get(pk=found["id"])
    assert (found["status"], tasker.status) == (ActionStatus.COMPLETED, ActionStatus.COMPLETED)
    assert tasker.issued_by == bob.person and tasker.lead_unit == bob.person.organization_unit
    response = Attachment.objects.get(action=tasker)
    assert (response.kind, response.title, response.uploaded_by) == (
        AttachmentKind.RESPONSE,
        "Response memo",
        bob,
    )
    with response.file.open("rb") as stored:
        assert stored.read() == script.RESPONSE_MEMO
    assert response.history.earliest().history_user == bob
    assert any(line.startswith("Read back ") and "completed" in line for line in said)
