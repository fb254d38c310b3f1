"""The project's URLs and one page that fails, for the error-page tests."""

from django.urls import path

from execcoord.urls import handler500, urlpatterns  # noqa: F401 (handler500 is read from here)


def fail(request):
    raise RuntimeError("the page broke")


urlpatterns = [path("boom/", fail), *urlpatterns]
