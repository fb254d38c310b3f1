"""Small helpers of the shared machinery that know no domain model."""

import functools

from django.urls import get_script_prefix, reverse


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


_PK_SENTINEL = 918273645


def object_url(model, action, pk):
    """``reverse(viewname(model, action), args=[pk])``, without resolving the URL each time.

    A list page links every row to its record and every cell to a related one: a hundred
    ``reverse()`` calls a page. The URL is reversed once per route (and script prefix)
    with a stand-in key, and the record's key replaces it.
    """
    return cached_reverse(viewname(model, action), _PK_SENTINEL).replace(
        str(_PK_SENTINEL), str(pk), 1
    )


def cached_reverse(name, *args):
    """``reverse(name, args=args)``, resolved once per name, arguments and script prefix
    (for URLs a page draws many times over: record links, picker endpoints)."""
    return _reverse(get_script_prefix(), name, args)


@functools.lru_cache(maxsize=512)
def _reverse(prefix, name, args):
    return reverse(name, args=list(args))


def user_name(user):
    """How a person is named on a page: the full name of the sign-in, else its username
    ("" for no user). Who did something is shown to every signed-in user, as the history
    and timeline always have."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def is_user_model(model):
    """Whether ``model`` is the sign-in model: a user in a cell or field ("Requested by") is
    named to every signed-in user (by :func:`user_name`), as the history names its authors;
    there is no user page to link to."""
    from django.conf import settings

    return model._meta.label == settings.AUTH_USER_MODEL
