"""Request rules the settings alone cannot express: session idle time (issue 6), paths."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.shortcuts import redirect
from django.utils.functional import LazyObject

from execcoord.utils import has_control_characters


class ResolvedUserMiddleware:
    """``request.user`` as the user itself, not Django's lazy wrapper around it.

    Every page but the sign-in pages requires a signed-in user, so reading the user here
    costs nothing a page would not pay; after it, each ``request.user.x`` is a plain
    attribute read instead of a call through the wrapper's proxy, and a tasker page makes
    several hundred (4 % of its time, issue 20). Without a session there is nothing to read
    (the anonymous user, no query).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, LazyObject):
            user.is_authenticated  # noqa: B018 - reads the user behind the wrapper
            request.user = user._wrapped
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """End a signed-in session after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    ``SESSION_COOKIE_AGE`` caps a session's whole life (12 hours); this caps idle time
    (30 minutes). A deactivated user's session already ends: Django's auth middleware
    treats an inactive user as anonymous on the next request.
    """

    key = "_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.key, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            # Write at most once a minute, so every request does not save the session.
            if now - last_seen >= 60 or self.key not in request.session:
                request.session[self.key] = now
        return self.get_response(request)


class ControlCharacterPathMiddleware:
    """A path holding a control character names no page: 400 before any view looks it up.

    ``/calendar/%00.ics`` reached the feed's token lookup, and PostgreSQL refuses a NUL in a
    query with an exception (a 500). No route of the app has such a character in it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path):
            raise BadRequest("The address holds a control character.")
        return self.get_response(request)
