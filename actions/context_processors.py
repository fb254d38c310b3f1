"""The bell of the top bar: the signed-in user's unread notifications (one count query)."""

from django.utils.functional import SimpleLazyObject

from actions.notifications import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
