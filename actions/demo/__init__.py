"""The demo agency's building blocks: factories per app and agency-like text.

``seed_demo`` builds the demo agency with them and the tests build their records with them.
They need factory-boy and Faker, which the ``demo`` extra installs (``pip install
"execcoord[demo]"``; the ``test`` extra includes them); a production install leaves them out.
``factory_for(model)`` lets generic tests build any registered model.
"""

from factory.django import DjangoModelFactory

from actions.demo import actions, analysis, partners

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
