"""Sign-in audit log: every success and failure with user, address and UTC time (issue 6),
by password or by single sign-on (issue 19: ``method=sso``, and a failure's reason).

Change logging, this audit and ``execcoord.db.trees.tree_moved`` (a unit move recounts the
dashboards' tally of the units whose subtree changed) are the only uses of signals in the
project. A sign-in path that knows more than the credentials say (single sign-on, a refused
password sign-in) leaves it on the request as ``request.sign_in_audit`` (``method``,
``user``, ``reason``).
"""

import logging
from datetime import UTC, datetime

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("execcoord.auth")
SSO_BACKEND = "execcoord.sso.OIDCBackend"


def _address(request):
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    method = "sso" if getattr(user, "backend", "") == SSO_BACKEND else "password"
    logger.info(
        "sign-in success user=%s address=%s at=%s method=%s",
        user.get_username(),
        _address(request),
        datetime.now(UTC).isoformat(),
        method,
    )


@receiver(user_login_failed)
def log_sign_in_failure(sender, credentials, request=None, **kwargs):
    audit = getattr(request, "sign_in_audit", None) or {}
    method = audit.get("method", "password")
    user = credentials.get("username") or audit.get("user") or "-"
    reason = audit.get("reason")
    logger.warning(
        "sign-in failure user=%s address=%s at=%s method=%s%s",
        user,
        _address(request),
        datetime.now(UTC).isoformat(),
        method,
        f" reason={reason}" if reason else "",
    )
