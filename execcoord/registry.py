"""The registry: one declaration per model gives it every generic page (STYLE.md §2).

An app declares its models in ``<app>/views.py``::

    register(ObjectViews(model=Person, table=PersonTable, filterset=PersonFilterSet,
                         form=PersonForm, menu_group="Partners"))

and its ``urls.py`` is two lines::

    app_name = "partners"
    urlpatterns = urls_for_app("partners")

The registry then yields the URL patterns, the navigation, the searchable models and the
parameters of the generic tests. It imports no domain app, and no view: the generic view
classes are handed to it (:data:`default_views`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, path, reverse
from django.utils.text import slugify

from execcoord import policy
from execcoord.utils import Kept, import_project_modules, viewname

MENU_ORDER = ("Actions", "Partners", "Analysis")

_registry = {}

# The generic view of each page, ``{"list"|"detail"|...: view class}``: the views sit above
# the registry (they read it), so ``ExeccoordConfig.ready`` hands them over
# (``execcoord.views.generic.DEFAULT_VIEWS``) instead of the registry importing them.
default_views = {}

# The base of the filterset a model gets when its app declares no ``<Model>FilterSet``
# (``execcoord.filtersets.BaseFilterSet``, handed over by ``ExeccoordConfig.ready`` too).
default_filterset = None

# Likewise the base of the form a model gets when its app declares no ``<Model>Form``
# (``execcoord.forms.BaseModelForm``): every editable field, in the model's order.
default_form = None


@dataclass
class ObjectViews:
    """The declaration of one model's generic pages.

    Args:
        model: the model class (a ``BaseModel`` subclass).
        table: its ``BaseTable`` subclass.
        filterset: its ``BaseFilterSet`` subclass.
        form: its ``BaseModelForm`` subclass (create and edit).
        bulk_edit_form: optional form class for bulk edit; default built from the model's
            ``bulk_edit_fields`` (or its choice, boolean, date and foreign-key fields).
        detail_layout: optional list of panels (``execcoord.panels``) for the detail page,
            or ``fn(views) -> list`` called on each page (when the list depends on the
            relations, known once every app has registered); default: a fields panel plus
            one related panel per relation.
        detail_actions: buttons shown on the detail page (``execcoord.panels.Button``).
        fieldsets: optional ``(("Legend", ("field", ...)), ...)`` grouping the fields panel.
        menu_group: navigation group ("Actions", "Partners", "Analysis"); ``None`` hides
            the model from the menu.
        views: ``{"list"|"detail"|"add"|"edit"|"delete"|"history"|"bulk_edit"|
            "bulk_delete": ViewClass}`` to replace one generic view with a subclass.
        extra_urls: more URL patterns for the app, added beside the generated ones.
        searchable: include in global search (default: the model declares ``search_fields``).
        user_fields: foreign keys to the user model set to the request user on create
            (``uploaded_by``, ``requested_by``), kept out of the form.
        slug: the URL segment (default: the plural verbose name, slugified).
    """

    model: type
    table: type
    filterset: type
    form: type
    bulk_edit_form: type | None = None
    detail_layout: list | Callable | None = None
    detail_actions: list = field(default_factory=list)
    fieldsets: tuple | None = None
    menu_group: str | None = None
    views: dict = field(default_factory=dict)
    extra_urls: list = field(default_factory=list)
    searchable: bool | None = None
    user_fields: tuple = ()
    slug: str | None = None

    def __post_init__(self):
        if self.searchable is None:
            self.searchable = bool(getattr(self.model, "search_fields", ()))
        if self.slug is None:
            self.slug = slugify(str(self.model._meta.verbose_name_plural))

    @property
    def label(self):
        """``app_label.model_name``, the key of the registry."""
        return self.model._meta.label_lower

    @property
    def app_label(self):
        return self.model._meta.app_label

    @property
    def model_name(self):
        return self.model._meta.model_name

    def can(self, user, action, obj=None):
        """Whether ``user`` may ``action`` (view/add/change/delete) this model or ``obj``.

        ``view`` is the role's model permission (which records are seen is
        ``visible_to``'s); the writes are the one write policy's (``execcoord.policy``).
        """
        if action == "view":
            return policy.role_allows(user, "view", self.model)
        return bool(policy.may(user, action, self.model, obj))

    def view_class(self, action):
        """The view class serving ``action`` (a generic one unless overridden)."""
        return self.views.get(action) or default_views[action]

    def urlpatterns(self):
        """The URL patterns of this model's pages, named through ``utils.viewname``."""
        name, slug = self.model_name, self.slug
        routes = [
            ("list", f"{slug}/", f"{name}_list"),
            ("add", f"{slug}/add/", f"{name}_add"),
            ("bulk_edit", f"{slug}/bulk-edit/", f"{name}_bulk_edit"),
            ("bulk_delete", f"{slug}/bulk-delete/", f"{name}_bulk_delete"),
            ("detail", f"{slug}/<int:pk>/", name),
            ("edit", f"{slug}/<int:pk>/edit/", f"{name}_edit"),
            ("delete", f"{slug}/<int:pk>/delete/", f"{name}_delete"),
            ("history", f"{slug}/<int:pk>/history/", f"{name}_history"),
            ("link", f"{slug}/<int:pk>/link/<str:relation>/", f"{name}_link"),
            ("panel", f"{slug}/<int:pk>/panel/<str:relation>/", f"{name}_panel"),
        ]
        return [
            path(route, self.view_class(action).as_view(registration=self), name=url_name)
            for action, route, url_name in routes
        ]


def register(views):
    """Add one model's declaration to the registry and return it.

    Args:
        views: an :class:`ObjectViews`.
    """
    _registry[views.label] = views
    return views


def app_registrar(tables, filtersets, forms, menu_group):
    """A ``register_model(model, **options)`` for one app that follows the naming convention.

    Each model gets the app's ``<Model>Table``, ``<Model>FilterSet`` and ``<Model>Form``
    (and that form's ``fieldsets`` when it declares them) and the app's menu group; the
    keyword arguments add or replace any other :class:`ObjectViews` option. A model whose
    filters are all generated needs no ``<Model>FilterSet`` of its own: it gets one, with the
    filters shown open that the app's ``filtersets.MAIN_FILTERS`` names for it; one whose
    form has every editable field and no fieldsets needs no ``<Model>Form`` either.

    Args:
        tables, filtersets, forms: the app's modules.
        menu_group: the navigation group of the app's models.
    """

    def register_model(model, **options):
        name = model.__name__
        form = (
            options.get("form")
            or getattr(forms, f"{name}Form", None)
            or generated_form(model, forms.__name__)
        )
        declared = {
            "table": getattr(tables, f"{name}Table"),
            "filterset": getattr(filtersets, f"{name}FilterSet", None)
            or generated_filterset(
                model, filtersets.__name__, getattr(filtersets, "MAIN_FILTERS", {}).get(name, ())
            ),
            "form": form,
            "fieldsets": getattr(form, "fieldsets", None),
            "menu_group": menu_group,
        }
        return register(ObjectViews(model=model, **{**declared, **options}))

    return register_model


def generated_filterset(model, module, main_filters=()):
    """``class <Model>FilterSet(BaseFilterSet)`` with nothing but its ``Meta.model`` (and the
    ``main_filters`` shown open, if any): every filter generated from the fields."""
    meta = type("Meta", (), {"model": model})
    attrs = {"Meta": meta, "__module__": module}
    if main_filters:
        attrs["main_filters"] = tuple(main_filters)
    return type(f"{model.__name__}FilterSet", (default_filterset,), attrs)


def generated_form(model, module):
    """``class <Model>Form(BaseModelForm)`` with every editable field of the model."""
    meta = type("Meta", (), {"model": model, "exclude": ()})
    attrs = {"Meta": meta, "__module__": module}
    return type(f"{model.__name__}Form", (default_form,), attrs)


def get(model_or_label):
    """The registration of a model class, instance or ``app_label.model_name``; or None."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    load_all()
    return _registry.get(label.lower())


def all_registrations():
    """Every registration, in registration order."""
    load_all()
    return list(_registry.values())


def urls_for_app(app_label):
    """The URL patterns of every model the app registered, then its ``extra_urls``.

    Args:
        app_label: the app whose ``views.py`` holds the registrations.
    """
    import_module(f"{app_label}.views")
    patterns = []
    for views in _registry.values():
        if views.app_label == app_label:
            patterns = [*views.extra_urls, *patterns, *views.urlpatterns()]
    return patterns


def load_all():
    """Import the ``views`` module of every project app so its registrations exist
    (``execcoord`` itself registers nothing)."""
    global _loaded
    if _loaded:
        return  # imports happen once; every registry lookup calls this (issue 7: ~3 ms each)
    import_project_modules("views")
    _loaded = True


_loaded = False


def navigation(user):
    """The menu for ``user``: ``[(group, [(label, url), ...]), ...]`` in MENU_ORDER.

    Only models the user may view are listed; staff get an Admin group. The menu is a
    function of what ``has_perm`` reads (active, superuser, the permissions) and of staff
    status, so it is built once per such set and URL prefix and kept for the process: every
    page draws it, and building it asked some thirty permissions and URLs.
    """
    key = (policy.permission_key(user), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return _MENUS.get(key, lambda: _navigation(user))


_MENUS = Kept()


def _navigation(user):
    groups = {}
    for views in all_registrations():
        if views.menu_group and views.can(user, "view"):
            label = str(views.model._meta.verbose_name_plural).capitalize()
            url = reverse(viewname(views.model, "list"))
            groups.setdefault(views.menu_group, []).append((label, url))
    ordered = [(g, groups[g]) for g in MENU_ORDER if g in groups]
    ordered += [(g, items) for g, items in groups.items() if g not in MENU_ORDER]
    if user.is_staff:
        ordered.append(("Admin", [("Administration", reverse("admin:index"))]))
    return tuple((group, tuple(items)) for group, items in ordered)  # shared: read-only
