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


def test_kept_values_are_built_once_per_key_and_bounded():
    """``Kept``: a value is built on the first ask of its key and handed out after; past its
    size every kept value is dropped, so a long-lived process does not grow without end."""
    from execcoord.utils import Kept

    built = []

    def build(key):
        built.append(key)
        return f"value of {key}"

    kept = Kept(size=2)
    assert kept.get("a", lambda: build("a")) == "value of a"
    assert kept.get("a", lambda: build("a")) == "value of a"
    assert kept.get("b", lambda: build("b")) == "value of b"
    assert built == ["a", "b"] and len(kept) == 2
    kept.get("c", lambda: build("c"))  # past the size: start over
    assert len(kept) == 1
    kept.get("a", lambda: build("a"))
    assert built == ["a", "b", "c", "a"]
