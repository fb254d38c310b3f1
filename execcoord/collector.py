"""Garbage collection out of the requests' way, for a server process (``execcoord.wsgi``
installs it; the test suite does not)."""

import gc

from django.core.signals import request_started


def freeze_startup_objects():
    """Move everything loaded so far out of the garbage collector's sight.

    Django, the apps, models and URL patterns are tens of thousands of long-lived objects
    that every full collection walks again; a page view allocates enough to trigger one
    every few requests, which showed as 60-80 ms spikes at the 95th percentile (issue 7).
    ``gc.freeze()`` (Python 3.7+) keeps them out of collections; objects made later are
    collected as usual.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (load the URLconf before freezing)
    gc.collect()
    gc.freeze()


class BetweenRequests:
    """Full garbage collections between requests rather than in the middle of one.

    A page builds tens of thousands of objects (querysets, forms, rows, template contexts),
    some of them in reference cycles (a form and its bound fields, a table and its rows)
    that only the garbage collector frees. The young collections promote the page's objects
    while the page is being made, and Python then runs a full collection over them in the
    middle of some request: 20-50 ms on a 120 ms list page, one request in four, which was
    the list pages' 95th percentile (issue 20).

    So the automatic full collection is made rare (the young collections run as before; a
    full one still runs after a thousand middle ones, should one long request pile that
    much up), and a full collection runs as each request starts, when the previous request
    is over and only its garbage is new: a few milliseconds. What survives it is long-lived
    (compiled templates and SQL, caches, connections) and is frozen, as
    :func:`freeze_startup_objects` froze the startup's objects, so no collection walks it
    again. Every :attr:`REVIEW_EVERY` requests the frozen objects are collected too, so the
    few long-lived ones that have died since (a replaced cache entry) are freed.
    """

    REVIEW_EVERY = 1000  # requests

    def __init__(self):
        self.served = -1  # the first request_started is the first request's

    def install(self):
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, 1000)
        request_started.connect(self, weak=False, dispatch_uid="execcoord-gc-between-requests")

    def __call__(self, **kwargs):
        self.served += 1
        if self.served == 0:
            return
        if self.served % self.REVIEW_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
