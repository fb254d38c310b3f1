"""The machinery's own pages: home, global search, autocomplete, saved views."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from execcoord import policy, registry
from execcoord.access import has_active_flag, visible
from execcoord.models import SavedView
from execcoord.search import global_search, search_queryset
from execcoord.utils import text_param, viewname

AUTOCOMPLETE_LIMIT = 20
SEARCH_MAX_LENGTH = 200


def home(request):
    """The signed-in landing page: a link to every list the user may open."""
    return render(request, "home.html", {"menu": registry.navigation(request.user)})


def search(request):
    """Global search across the registered searchable models, grouped by type."""
    q = text_param(request.GET, "q", SEARCH_MAX_LENGTH)
    if q is None:
        messages.error(
            request,
            f"The search text was not searched: it may be at most {SEARCH_MAX_LENGTH} "
            "characters long and hold no control characters.",
        )
        q = ""
    groups = global_search(request.user, q)
    for group in groups:
        list_url = reverse(viewname(group["views"].model, "list"))
        group["list_url"] = f"{list_url}?{urlencode({'q': q})}"
        group["title"] = str(group["views"].model._meta.verbose_name_plural).capitalize()
    context = {
        "q": q,
        "groups": groups,
        "total": sum(g["count"] for g in groups),
        "total_exact": all(g["exact"] for g in groups),
    }
    return render(request, "search.html", context)


def autocomplete(request, label):
    """JSON for the pickers: ``{"results": [{"id", "text"}]}``, at most 20 visible records.

    Active records only when the model has ``is_active``; the model's view permission and
    ``visible_to`` decide what is offered (admin ``AutocompleteJsonView``).
    """
    views = registry.get(label)
    if views is None:
        raise Http404("Unknown model.")
    if not views.can(request.user, "view"):
        raise PermissionDenied
    queryset = visible(views.model, request.user)
    if has_active_flag(views.model):
        queryset = queryset.filter(is_active=True)
    q = text_param(request.GET, "q", SEARCH_MAX_LENGTH)
    if q is None:  # nothing can match it
        return JsonResponse({"results": []})
    queryset = search_queryset(queryset, q)
    ordering = views.model._meta.ordering or []
    preferred = _preferred(views.model, request.GET.get("prefer", ""))
    if preferred is not None:
        # the records the form's other choice points to come first (the lead unit's people
        # for the accountable person), then everyone else
        queryset = queryset.annotate(
            ec_first=Case(When(preferred, then=Value(0)), default=Value(1))
        )
        ordering = ["ec_first", *ordering]
    rows = queryset.order_by(*ordering, "pk")[:AUTOCOMPLETE_LIMIT]
    return JsonResponse({"results": [{"id": o.pk, "text": str(o)} for o in rows]})


def _preferred(model, value):
    """The model's ``autocomplete_preferred(value)`` condition for a ``prefer`` id, if any."""
    hook = getattr(model, "autocomplete_preferred", None)
    if hook is None or not value.isdecimal():
        return None
    return hook(int(value))


def _back(request, default):
    url = request.POST.get("return_url", "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@require_POST
def saved_view_create(request):
    """Store the current list query under a name, private or shared. The write policy
    decides (``policy.SavedViewPolicy``): the role's permission to save views, and to share
    them with a unit or everyone."""
    label = request.POST.get("model", "")
    views = registry.get(label)
    if views is None or not views.can(request.user, "view"):
        raise Http404("Unknown list.")
    policy.may(request.user, "add", SavedView).require()
    list_url = reverse(viewname(views.model, "list"))
    name = text_param(request.POST, "name", 255)
    sharing = request.POST.get("sharing", SavedView.Sharing.PRIVATE)
    if not name or sharing not in SavedView.Sharing.values:
        messages.error(
            request,
            "Give the view a name (one line, at most 255 characters) and choose who can use it.",
        )
        return HttpResponseRedirect(_back(request, list_url))
    unit_id = policy.user_unit_id(request.user) if sharing == SavedView.Sharing.UNIT else None
    query = text_param(request.POST, "query", 4000)
    if query is None:
        messages.error(request, "This list's filters are too long to save as a view.")
        return HttpResponseRedirect(_back(request, list_url))
    query = query.lstrip("?")
    saved = SavedView(
        name=name,
        model=views.label,
        query=query,
        owner=request.user,
        sharing=sharing,
        unit_id=unit_id,
    )
    verdict = policy.may(request.user, "add", SavedView, saved)
    if not verdict:
        messages.error(request, f"The view was not saved. {verdict.reason}")
        return HttpResponseRedirect(_back(request, list_url))
    if sharing == SavedView.Sharing.UNIT and not unit_id:
        messages.error(request, "You have no organization unit to share with.")
        return HttpResponseRedirect(_back(request, list_url))
    saved.save()
    messages.success(request, f"Saved the view “{name}”.")
    return HttpResponseRedirect(f"{list_url}?{query}" if query else list_url)


@require_POST
def saved_view_delete(request, pk):
    """Delete one of the user's own saved views (the write policy's ``delete``)."""
    saved = get_object_or_404(SavedView, pk=pk, owner=request.user)
    policy.may(request.user, "delete", SavedView, saved).require()
    saved.delete()
    messages.success(request, f"Deleted the view “{saved.name}”.")
    views = registry.get(saved.model)
    default = reverse(viewname(views.model, "list")) if views else reverse("home")
    return HttpResponseRedirect(_back(request, default))
