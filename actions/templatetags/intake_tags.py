"""``{% can_intake as flag %}``: whether "Take in e-mail" belongs in the user's menu."""

from django import template

from actions.policy import may_intake

register = template.Library()


@register.simple_tag(takes_context=True)
def can_intake(context):
    user = getattr(context.get("request"), "user", None)
    return bool(user and user.is_authenticated and may_intake(user))
