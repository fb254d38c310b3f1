from django.apps import AppConfig


class ExeccoordConfig(AppConfig):
    """The shared machinery: generic views, registry, search, saved views."""

    name = "execcoord"
    verbose_name = "Executive Coordination"
