"""Sign-in audit log: every success and failure with user, address and UTC time (issue 6).

Change logging and this audit are the only uses of signals in the project.
"""

import logging
from datetime import UTC, datetime

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("execcoord.auth")


def _address(request):
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    logger.info(
        "sign-in success user=%s address=%s at=%s",
        user.get_username(),
        _address(request),
        datetime.now(UTC).isoformat(),
    )


@receiver(user_login_failed)
def log_sign_in_failure(sender, credentials, request=None, **kwargs):
    logger.warning(
        "sign-in failure user=%s address=%s at=%s",
        credentials.get("username", "-"),
        _address(request),
        datetime.now(UTC).isoformat(),
    )
