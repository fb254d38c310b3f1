"""Telling a user that their own background work has finished (a prepared export, a large
import), without the shared layer knowing how people are told.

The domain app that keeps the notifications registers the teller in its ``AppConfig.ready``
(``actions`` does: ``actions.notifications.notify_user``, a row of its ``EVENTS`` table per
kind: in the list under the bell, and e-mailed as the person chose). Without one, nobody is
told and the work's own page still shows its outcome.
"""

EXPORT_READY = "export_ready"
IMPORT_FINISHED = "import_finished"

_teller = None


def register(func):
    """Set ``func(user, kind, message, url)``, called by :func:`tell`."""
    global _teller
    _teller = func


def tell(user, kind, message, url):
    """Tell ``user`` (only them) ``message`` of ``kind``, with a link to ``url`` (a path).

    Call it in the transaction that records the outcome: the notice commits or rolls back
    with it.
    """
    if _teller is not None:
        _teller(user, kind, message, url)
