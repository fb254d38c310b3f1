"""WSGI entry point (gunicorn execcoord.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execcoord.settings")
application = get_wsgi_application()
