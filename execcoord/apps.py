from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"
    default = True  # of this module's configs (the admin's is named in INSTALLED_APPS)

    def ready(self):
        from django.db.models.signals import m2m_changed

        # signals: the audit log; db.lookups: the safe integer __in
        from execcoord import checks, policy, registry, signals  # noqa: F401
        from execcoord.db import lookups  # noqa: F401
        from execcoord.filtersets import BaseFilterSet
        from execcoord.forms import BaseModelForm
        from execcoord.history import record_link_change
        from execcoord.models import SavedView
        from execcoord.views.generic import DEFAULT_VIEWS

        policy.register(SavedView, policy.SavedViewPolicy())
        registry.default_views.update(DEFAULT_VIEWS)  # the registry imports no view
        registry.default_filterset = BaseFilterSet
        registry.default_form = BaseModelForm
        checks.register()  # the "Adding a model" checklist (CONTRIBUTING.md)

        m2m_changed.connect(record_link_change, dispatch_uid="execcoord.record_link_change")


class AdminConfig(admin_apps.AdminConfig):
    """Django admin with the project's site (``execcoord.admin_site.AdminSite``), named in
    ``INSTALLED_APPS``."""

    default = False
    default_site = "execcoord.admin_site.AdminSite"
