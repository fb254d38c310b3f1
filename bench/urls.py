"""The project's URLs plus the benchmark's floor: a trivial signed-in page.

Used only by ``bench/run.py`` (through ``override_settings(ROOT_URLCONF="bench.urls")``), so
the floor URL never exists in the running application.
"""

from django.http import HttpResponse
from django.urls import path

from execcoord.urls import urlpatterns as project_urlpatterns

FLOOR_BODY = "<!doctype html><title>floor</title><main><h1>Floor</h1></main>"


def floor(request):
    """A constant page; the sign-in check is the project's ``LoginRequiredMiddleware``."""
    return HttpResponse(FLOOR_BODY)


urlpatterns = [path("__bench__/floor/", floor), *project_urlpatterns]
