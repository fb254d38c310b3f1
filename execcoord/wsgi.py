"""WSGI entry point (gunicorn execcoord.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execcoord.settings")
application = get_wsgi_application()

from execcoord.collector import BetweenRequests, freeze_startup_objects  # noqa: E402

# a server process (gunicorn, runserver, the benchmark): garbage collection out of the way
freeze_startup_objects()
BetweenRequests().install()
