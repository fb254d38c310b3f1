"""Record URLs reversed once per route and script prefix."""

from django.urls import reverse, set_script_prefix

from actions.models import ExecutiveAction
from execcoord.utils import object_url, viewname


def test_object_url_is_reverse_for_any_key_and_follows_the_script_prefix():
    name = viewname(ExecutiveAction, "detail")
    for pk in (1, 918273, 42):
        assert object_url(ExecutiveAction, "detail", pk) == reverse(name, args=[pk])
    try:
        set_script_prefix("/agency/")
        assert object_url(ExecutiveAction, "edit", 7) == reverse(
            viewname(ExecutiveAction, "edit"), args=[7]
        )
        assert object_url(ExecutiveAction, "edit", 7).startswith("/agency/")
    finally:
        set_script_prefix("/")
