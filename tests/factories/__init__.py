"""Factories per app, and ``factory_for(model)`` so generic tests can build any model."""

from factory.django import DjangoModelFactory

from tests.factories import actions, analysis, partners

_MODULES = (partners, analysis, actions)


def _collect():
    found = {}
    for module in _MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, DjangoModelFactory)
                and value._meta.model is not None
                and value.__name__ == f"{value._meta.model.__name__}Factory"
            ):
                found[value._meta.model] = value
    return found


FACTORIES = _collect()


def factory_for(model):
    """The factory named ``<Model>Factory`` for ``model`` (KeyError if there is none)."""
    return FACTORIES[model]
