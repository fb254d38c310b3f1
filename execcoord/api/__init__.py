"""The REST API (issue 19): ``/api/v1/``, generated from the registry like the pages.

Every registered model (``execcoord.registry``) gets a read endpoint — list with its list
page's filterset, cursor pagination, detail by id — scoped by ``visible_to``, without the
fields its ``sensitive_fields`` hide from the reader. A domain app makes models writable, or
replaces a model's endpoint with a subclass that adds its workflow moves, from its own
``api.py`` (loaded by name, as the registry loads ``views.py``)::

    from execcoord import api
    api.register(ExecutiveAction, TaskerViewSet, slug="taskers")
    api.writable(Assignment, StatusUpdate)
    api.downloads(Attachment, attachment_download)

Writes go through the model's registered form and the generic edit view's save, so the write
policy, the field rules, the validation messages and the services are the pages' own. A
model whose page serves a file names that page's view (``downloads``): the record's endpoint
gets ``…/{id}/download/``, answered by that very view, and its representation a ``download``
link.
"""

_viewsets = {}  # label -> (viewset class, slug)
_writable = set()  # labels
_downloads = {}  # label -> the page's download view


def register(model, viewset, slug=None):
    """Serve ``model`` with ``viewset`` (a subclass of ``execcoord.api.views.RecordViewSet``)
    at ``/api/v1/<slug>/`` (default: the registration's slug)."""
    _viewsets[model._meta.label_lower] = (viewset, slug)
    return viewset


def writable(*models):
    """Let the API create, change and delete records of ``models`` (each write still asks
    the write policy)."""
    _writable.update(model._meta.label_lower for model in models)


def is_writable(label):
    return label in _writable


def viewset_for(label):
    """``(viewset class or None, slug or None)`` a domain app registered for ``label``."""
    return _viewsets.get(label, (None, None))


def downloads(model, view):
    """Serve the file of a ``model`` record at ``/api/v1/<slug>/{id}/download/`` through the
    page's download view ``view(request, pk)`` (which checks visibility itself)."""
    _downloads[model._meta.label_lower] = view


def download_view(label):
    """The page's download view of ``label``'s files, or ``None``."""
    return _downloads.get(label)
