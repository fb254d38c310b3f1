from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """The taskers: executive actions, their types and satellites, workflow, dashboards."""

    name = "actions"
    verbose_name = "Actions"
