from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """The taskers: executive actions, their types and satellites, workflow, dashboards."""

    name = "actions"
    verbose_name = "Actions"

    def ready(self):
        from django.core import checks

        from actions import policy  # noqa: F401  (registers the taskers' write policies)
        from actions.checks import satellites_are_scoped

        checks.register(satellites_are_scoped)

        from actions.notifications import notify_user
        from execcoord import notices

        notices.register(notify_user)
