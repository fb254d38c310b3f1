from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from execcoord import policy, signals  # noqa: F401  (audit log)
        from execcoord.db import lookups  # noqa: F401  (safe integer __in)
        from execcoord.history import record_link_change
        from execcoord.models import SavedView

        policy.register(SavedView, policy.SavedViewPolicy())

        m2m_changed.connect(record_link_change, dispatch_uid="execcoord.record_link_change")
