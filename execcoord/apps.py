from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"

    def ready(self):
        from execcoord import signals  # noqa: F401  (connects the sign-in audit log)
