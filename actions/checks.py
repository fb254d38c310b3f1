"""System checks of the actions app: a new satellite of a tasker cannot ship open."""

from django.core import checks

from execcoord import policy, registry


def satellites_are_scoped(app_configs=None, **kwargs):
    """Every registered model with a foreign key to ``ExecutiveAction`` has a scoped write
    policy (``execcoord.policy.register``), so its rights come from its tasker and not from
    the role alone (actions.E001)."""
    from actions.models import ExecutiveAction

    errors = []
    for views in registry.all_registrations():
        model = views.model
        links = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.related_model is ExecutiveAction
        ]
        if links and not policy.policy_for(model).scoped:
            errors.append(
                checks.Error(
                    f"{model._meta.label} links to executive actions ({', '.join(links)}) but "
                    "its write policy is not scoped to the tasker.",
                    hint="Register an actions.policy.ActionPartPolicy for it.",
                    obj=model,
                    id="actions.E001",
                )
            )
    return errors
