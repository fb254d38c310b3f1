"""Project URLs: sign-in, admin, the machinery's pages and every domain app's generic pages."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from execcoord import sso
from execcoord.views import exports, imports, misc, tokens

urlpatterns = [
    # My work (the home page), the dashboard and the calendar feed belong to actions; the
    # include is by name so this module does not import a domain app.
    path("", include("actions.dashboard_urls")),
    path("search/", misc.search, name="search"),
    path("autocomplete/<str:label>/", misc.autocomplete, name="autocomplete"),
    path("saved-views/add/", misc.saved_view_create, name="savedview_add"),
    path("saved-views/<int:pk>/delete/", misc.saved_view_delete, name="savedview_delete"),
    path("import/", imports.import_page, name="import"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/cancel/", imports.import_cancel, name="import_cancel"),
    path("import/runs/<int:pk>/", imports.import_run, name="import_run"),
    path(
        "import/<slug:slug>/template.<str:fmt>",
        imports.download_template,
        name="import_template",
    ),
    path("import/<slug:slug>/export.<str:fmt>", imports.export, name="import_export"),
    # sign-in and sign-out with single sign-on (execcoord/sso.py), before Django's own
    path("accounts/login/", sso.SignInView.as_view(), name="login"),
    path("accounts/logout/", sso.SignOutView.as_view(), name="logout"),
    path(
        "oidc/authenticate/",
        login_not_required(sso.AuthenticateView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(sso.CallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("exports/", exports.prepared_exports, name="prepared_exports"),
    path(
        "exports/<int:pk>/download/",
        exports.prepared_export_download,
        name="prepared_export_download",
    ),
    path("api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path("api/", include("execcoord.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("partners/", include("partners.urls")),
    path("analysis/", include("analysis.urls")),
    path("actions/", include("actions.urls")),
]

handler500 = "execcoord.views.errors.server_error"
