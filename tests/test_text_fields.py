"""Single-line text refuses control characters; multi-line text keeps its line breaks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.demo.actions import ExecutiveActionFactory
from execcoord.utils import single_line

pytestmark = pytest.mark.django_db


def test_a_title_with_a_line_break_is_refused_and_a_description_keeps_its_lines(units):
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    action.title = "Budget\r\nBcc: someone@example.com"
    action.description = "First line\nSecond line\twith a tab"
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert set(refused.value.message_dict) == {"title"}
    assert "one line" in refused.value.message_dict["title"][0]


def test_a_nul_in_multi_line_text_is_refused(units):
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    action.description = "before\x00after"
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert set(refused.value.message_dict) == {"description"}


def test_the_edit_form_shows_the_refusal_and_keeps_what_was_typed(client, administrator, units):
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"], title="Plain title")
    client.force_login(administrator)
    url = reverse("actions:executiveaction_edit", args=[action.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in {**form.initial, **{f.name: f.value() for f in form}}.items()
        if value is not None
    }
    data = {
        k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if not isinstance(v, list)
    }
    data["title"] = "Two\nlines"
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "one line" in page
    assert "Two\nlines" in page  # what was typed is kept
    action.refresh_from_db()
    assert action.title == "Plain title"


def test_single_line_folds_line_breaks_and_controls():
    assert single_line(" Budget\r\n review\x00 2026 ") == "Budget review 2026"
