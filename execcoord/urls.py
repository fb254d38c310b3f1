"""Project URLs: sign-in, admin, the machinery's pages and every domain app's generic pages."""

from django.contrib import admin
from django.urls import include, path

from execcoord.views import misc

urlpatterns = [
    # My work (the home page), the dashboard and the calendar feed belong to actions; the
    # include is by name so this module does not import a domain app.
    path("", include("actions.dashboard_urls")),
    path("search/", misc.search, name="search"),
    path("autocomplete/<str:label>/", misc.autocomplete, name="autocomplete"),
    path("saved-views/add/", misc.saved_view_create, name="savedview_add"),
    path("saved-views/<int:pk>/delete/", misc.saved_view_delete, name="savedview_delete"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("partners/", include("partners.urls")),
    path("analysis/", include("analysis.urls")),
    path("actions/", include("actions.urls")),
]
