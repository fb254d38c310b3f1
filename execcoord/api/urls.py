"""``/api/``: the endpoints of every registered model under ``v1/``, the schema, the docs.

Built from the registry once every app has registered (``registry.all_registrations``);
each project app's ``api.py`` is imported by name first, as ``views.py`` is for the pages,
so the shared layer imports no domain app.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from execcoord import api, registry
from execcoord.api.problems import problem
from execcoord.api.views import viewset_class


def load_app_apis():
    """Import the ``api`` module of every project app that has one."""
    registry.load_all()
    for config in apps.get_app_configs():
        if config.name != "execcoord" and module_has_submodule(config.module, "api"):
            if config.name in {views.app_label for views in registry.all_registrations()}:
                import_module(f"{config.name}.api")


def build_router():
    load_app_apis()
    router = DefaultRouter(trailing_slash=True)
    router.include_root_view = False
    router.include_format_suffixes = False  # JSON only
    for views in registry.all_registrations():
        base, slug = api.viewset_for(views.label)
        router.register(slug or views.slug, viewset_class(views, base), basename=views.label)
    return router


@login_not_required
def not_found(request, *args, **kwargs):
    """Any other address under ``/api/``: a 404 problem, not the site's page."""
    response = problem(404, "There is no such address in the API.")
    response.accepted_renderer = _renderer()
    response.accepted_media_type = "application/problem+json"
    response.renderer_context = {}
    return response.render()


def _renderer():
    from rest_framework.renderers import JSONRenderer

    return JSONRenderer()


def _public(patterns):
    """The API answers 401 itself (tokens sign no one in): not the sign-in redirect of
    ``LoginRequiredMiddleware``."""
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            login_not_required(pattern.callback)
    return patterns


schema_view = login_not_required(SpectacularAPIView.as_view())
# the docs page is for people: signed out, it leads to the sign-in page (DRF's views are
# otherwise exempt from LoginRequiredMiddleware and would answer 401)
docs_view = login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("v1/", include(_public(build_router().urls))),
    path("schema/", schema_view, name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    re_path(r"^.*$", not_found),
]
