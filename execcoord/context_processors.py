"""Template context shared by every page."""

from django.conf import settings

from execcoord import registry


def navigation(request):
    """The menu (grouped by app, from the registry) and the settings the layout needs."""
    user = getattr(request, "user", None)
    menu = registry.navigation(user) if user is not None and user.is_authenticated else []
    return {"DUE_SOON_DAYS": settings.DUE_SOON_DAYS, "nav_menu": menu}
