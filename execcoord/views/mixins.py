"""Permission and row-scope mixin, return-URL mixin (STYLE.md §2, NetBox's view internals)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from execcoord.access import read_key, visible
from execcoord.db.union import Shaped, load_together
from execcoord.utils import viewname


class ObjectPermissionMixin:
    """Checks the model permission, then scopes every lookup to ``visible_to(user)``.

    Order in ``dispatch``: anonymous → sign-in page; missing model permission → 403; then
    ``self.queryset`` becomes the rows the user may see, so a hidden record is a 404 on every
    later path (detail, edit, delete, bulk selection, export).

    Attributes:
        registration: the model's ``ObjectViews`` (set by the registry's ``as_view``).
        permission_action: ``view``, ``add``, ``change`` or ``delete``.
    """

    registration = None
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.model = self.registration.model
        if not self.registration.can(request.user, self.get_permission_action()):
            raise PermissionDenied
        self._scoped = None  # ``queryset``: built when first used
        return super().dispatch(request, *args, **kwargs)

    @property
    def queryset(self):
        """The rows the user may see, built on first use (a detail page that loads its
        record through :meth:`get_object` never builds it)."""
        if getattr(self, "_scoped", None) is None:
            self._scoped = visible(self.model, self.request.user)
        return self._scoped

    @queryset.setter
    def queryset(self, value):
        self._scoped = value

    def get_permission_action(self):
        """The model permission this request needs (override for add-vs-edit)."""
        return self.permission_action

    def get_object(self, queryset=None):
        """The record named by the URL's ``pk``, from the scoped queryset (else 404).

        Without ``queryset``, the query is compiled once per model and reader and sent again
        with the next ``pk`` (``execcoord.db.union.Shaped``)."""
        pk = self.kwargs["pk"]
        if queryset is not None or not isinstance(pk, int):
            return get_object_or_404(queryset if queryset is not None else self.queryset, pk=pk)
        user, model = self.request.user, self.model
        shape = ("object", model._meta.label_lower, read_key(model, user))
        found = load_together(
            {"object": Shaped(shape, lambda pk: visible(model, user).filter(pk=pk), pk)}
        )["object"]
        if not found:
            raise Http404(f"No {model._meta.object_name} matches the given query.")
        return found[0]

    def check_object_permission(self, obj, action):
        """403 when the user sees ``obj`` but may not ``action`` it (object-level hook)."""
        if not self.registration.can(self.request.user, action, obj):
            raise PermissionDenied

    def base_context(self, **extra):
        """Context every generic template uses: the registration, names, URLs and rights."""
        user, views = self.request.user, self.registration
        meta = self.model._meta
        context = {
            "views": views,
            "meta": meta,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(viewname(self.model, "list")),
            "add_url": reverse(viewname(self.model, "add")),
            "can_add": views.can(user, "add"),
            "can_change": views.can(user, "change"),
            "can_delete": views.can(user, "delete"),
            "return_url": self.get_return_url(),
        }
        context.update(extra)
        return context


class ReturnURLMixin:
    """Where to go after a form: a safe ``return_url`` parameter, else a sensible default."""

    def get_return_url(self, obj=None):
        """The ``return_url`` from the request if it is on this site, else ``obj``'s page or
        the list.

        Args:
            obj: the record just saved, if any.
        """
        url = self.requested_return_url()
        if url:
            return url
        if obj is not None and obj.pk:
            return obj.get_absolute_url()
        return reverse(viewname(self.registration.model, "list"))

    def requested_return_url(self):
        """The ``return_url`` the link or form named, if it is on this site; else ``None``."""
        request = self.request
        url = request.POST.get("return_url") or request.GET.get("return_url")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return None
