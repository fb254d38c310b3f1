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

        # the completion tally counts per unit subtree: a move of the unit tree recounts the
        # units whose subtree it changed, in the move's transaction
        from actions import tallies
        from execcoord.db.trees import tree_moved
        from partners.models import OrganizationUnit

        tree_moved.connect(
            tallies.units_moved, sender=OrganizationUnit, dispatch_uid="actions.tallies"
        )
