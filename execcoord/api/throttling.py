"""Throttling of the API: one bucket a token (a session's bucket is its user's), in the
default cache (Redis in production, where every app server shares it)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from execcoord.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """``settings.API_THROTTLE_RATE`` requests a token (``"1200/minute"``), read on each
    request so a deployment or a test may change it."""

    scope = "token"

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", "1200/minute")

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
