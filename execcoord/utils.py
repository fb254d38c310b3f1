"""Small helpers of the shared machinery that know no domain model."""


def viewname(model, action):
    """The one place route names are built (NetBox ``get_viewname``).

    Args:
        model: a model class or instance.
        action: ``list``, ``detail``, ``add``, ``edit``, ``delete``, ``history``,
            ``bulk_edit``, ``bulk_delete``, ``export`` …

    Returns:
        ``"<app_label>:<model_name>"`` for detail, ``"<app_label>:<model_name>_<action>"``
        otherwise.
    """
    meta = model._meta
    if action == "detail":
        return f"{meta.app_label}:{meta.model_name}"
    return f"{meta.app_label}:{meta.model_name}_{action}"
