from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"

    def ready(self):
        from execcoord import lookups, signals  # noqa: F401  (pk__in_array; sign-in audit log)
