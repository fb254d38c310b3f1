"""How a detail page shows what people typed."""

import pytest

from actions.choices import Visibility
from tests.factories.actions import ExecutiveActionFactory


@pytest.mark.django_db
def test_long_text_keeps_its_paragraphs_and_is_escaped(client, alice, units):
    action = ExecutiveActionFactory(
        visibility=Visibility.INTERNAL,
        lead_unit=units["OFF-A1"],
        description="First paragraph.\n\nSecond <script>alert(1)</script> paragraph.",
    )
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<p>First paragraph.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "&lt;p&gt;" not in page  # the paragraphs are markup, not text
