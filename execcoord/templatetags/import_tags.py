"""``{% can_import as flag %}``: whether the Import entry belongs in the user's menu."""

from django import template

from execcoord import imports

register = template.Library()


@register.simple_tag(takes_context=True)
def can_import(context):
    user = getattr(context.get("request"), "user", None)
    return bool(user and user.is_authenticated and imports.importable_by(user))
