"""Template context shared by every page."""

from django.conf import settings


def navigation(request):
    """Settings the layout needs on every page."""
    return {"DUE_SOON_DAYS": settings.DUE_SOON_DAYS}
