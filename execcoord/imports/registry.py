"""The resources offered on the import page: each domain app registers its own from its
``resources.py``; this package imports no domain app."""

from execcoord.utils import import_project_modules

_resources = {}
_loaded = []


def register(slug):
    """Class decorator: offer a resource on the import/export page under ``slug``."""

    def decorator(resource_class):
        resource_class.slug = slug
        _resources[slug] = resource_class
        return resource_class

    return decorator


def load_resources():
    """Import ``<app>.resources`` of every project app (they register themselves), once:
    every page asks, for its menu's Import entry."""
    if _loaded:
        return
    import_project_modules("resources")
    _loaded.append(True)


def all_resources():
    load_resources()
    return list(_resources.values())


def get_resource(slug):
    load_resources()
    return _resources.get(slug)


def importable_by(user):
    return [r for r in all_resources() if r.can_import(user)]
