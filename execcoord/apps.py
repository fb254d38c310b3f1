from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from execcoord import lookups, policy, registry, signals  # noqa: F401  (pk__in_array; audit log)
        from execcoord.history import record_link_change
        from execcoord.models import SavedView
        from execcoord.views.generic import DEFAULT_VIEWS

        policy.register(SavedView, policy.SavedViewPolicy())
        registry.default_views.update(DEFAULT_VIEWS)  # the registry imports no view

        m2m_changed.connect(record_link_change, dispatch_uid="execcoord.record_link_change")
