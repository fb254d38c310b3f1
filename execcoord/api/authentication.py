"""Who calls the API: a personal token (``Authorization: Bearer <token>``) or the browser
session (with its CSRF token, DRF's ``SessionAuthentication``)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from execcoord.models import ApiToken

# last_used_at is written at most this often a token (not once a request)
TOUCH_EVERY = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (or ``Token <token>``). A wrong, revoked or expired
    token, or one of a deactivated user, is 401."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header holds no token.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeError as bad:
            raise exceptions.AuthenticationFailed("The token is not valid.") from bad
        token = ApiToken.authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not valid: wrong, expired or revoked."
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
