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


class Kept:
    """Values built once per key and kept for the process: what a page draws that depends on
    a key (a set of permissions, a URL prefix, a list of models) and on nothing else of the
    request (the menu, the admin's list of models, its sidebar). At most ``size`` are kept;
    past it, all are dropped and built again as asked.
    """

    def __init__(self, size=512):
        self.size = size
        self._values = {}

    def get(self, key, build):
        """The value kept for ``key``, made by ``build()`` the first time."""
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= self.size:
                self._values.clear()
            value = self._values[key] = build()
        return value

    def clear(self):
        self._values.clear()

    def __len__(self):
        return len(self._values)


def cached_reverse(name, *args):
    """``reverse(name, args=args)``, resolved once per name, arguments and script prefix
    (for URLs a page draws many times over: record links, picker endpoints)."""
    return _reverse(get_script_prefix(), name, args)


@functools.lru_cache(maxsize=512)
def _reverse(prefix, name, args):
    return reverse(name, args=list(args))


# Characters no single line of text holds: C0 controls (tab, line breaks and NUL among them)
# and DEL. Multi-line text may hold tab and line breaks, nothing else of these.
SINGLE_LINE_FORBIDDEN = frozenset(chr(c) for c in [*range(0x20), 0x7F])
MULTI_LINE_FORBIDDEN = SINGLE_LINE_FORBIDDEN - {"\t", "\n", "\r"}


def has_control_characters(text, multiline=False):
    """Whether ``text`` holds a character its kind of field cannot: any control character
    in a single line (a title, a name), any but tab and line breaks in multi-line text."""
    forbidden = MULTI_LINE_FORBIDDEN if multiline else SINGLE_LINE_FORBIDDEN
    return not forbidden.isdisjoint(text)


def text_param(params, name, max_length):
    """The text parameter ``name`` of ``params`` (a ``QueryDict``), stripped, or ``None``
    when it is longer than ``max_length`` or holds a control character (a NUL cannot even
    be sent to PostgreSQL): the caller then ignores it and says why."""
    value = params.get(name, "").strip()
    if len(value) > max_length or has_control_characters(value):
        return None
    return value


def single_line(text):
    """``text`` on one line: every run of whitespace and control characters one space (an
    e-mail subject with a line break is refused by the mail library)."""
    cleaned = "".join(" " if ch in SINGLE_LINE_FORBIDDEN else ch for ch in text or "")
    return " ".join(cleaned.split())


def user_name(user):
    """How a person is named on a page: the full name of the sign-in, else its username
    ("" for no user). Who did something is shown to every signed-in user, as the history
    and timeline always have."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def import_project_modules(name):
    """Import the module ``name`` (``"views"``, ``"resources"``) of every project app that
    has one, where the app registers what it offers: project apps are the installed apps
    living in the project folder (not Django's or a library's), ``execcoord`` excepted."""
    from importlib import import_module
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.utils.module_loading import module_has_submodule

    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if config.name == "execcoord" or base not in Path(config.path).resolve().parents:
            continue
        if module_has_submodule(config.module, name):
            import_module(f"{config.name}.{name}")


def is_user_model(model):
    """Whether ``model`` is the sign-in model: a user in a cell or field ("Requested by") is
    named to every signed-in user (by :func:`user_name`), as the history names its authors;
    there is no user page to link to."""
    from django.conf import settings

    return model._meta.label == settings.AUTH_USER_MODEL
