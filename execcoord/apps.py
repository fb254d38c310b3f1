from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from execcoord import lookups, signals  # noqa: F401  (pk__in_array; sign-in audit log)
        from execcoord.history import record_link_change

        m2m_changed.connect(record_link_change, dispatch_uid="execcoord.record_link_change")
