"""The generic endpoint of a registered model: ``RecordViewSet``.

Reading: the role's view permission (403 without it), then ``visible(model, user)`` — a
hidden record is 404 on every route, and a list neither shows nor counts it. A list takes
the list page's filterset (django-filter's DRF backend; a wrong parameter is 400).

Writing (models an app made ``writable``): the generic edit view of the registration
(``ObjectViews.view_class("add"|"edit")``) builds the record and its form and saves it, as
on the page: the policy's model and record verdicts (403 with the reason), the form's
fields and messages (400), ``version`` required and compared (409 naming the fields changed
since), the save's own checks (a record the user would no longer see is not saved).
"""

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.datastructures import MultiValueDict
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from execcoord import api, policy
from execcoord.access import visible
from execcoord.api.problems import Conflict, Invalid, form_errors
from execcoord.api.serializers import hidden_refs, many_to_many_ids, serializer_for
from execcoord.forms import TOKEN_FIELD, changed_fields_since
from execcoord.models import StaleEdit
from execcoord.submissions import integrity_message
from execcoord.views.generic import conflict_message


class ViewPermission(permissions.BasePermission):
    """The role's view permission on the model (``ObjectViews.can(user, "view")``)."""

    message = "Your role does not allow you to view these records."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and view.registration.can(
            request.user, "view"
        )


class _Messages:
    """Stands in for ``django.contrib.messages`` storage on an API request: the page's save
    may add a note (a due date on a holiday); the API has no page to show it on."""

    def __init__(self):
        self.notes = []

    def add(self, level, message, extra_tags=""):
        self.notes.append(str(message))

    def update(self, response):
        return []

    def __iter__(self):
        return iter(())


def form_data(payload, form):
    """The form's data: the record's current values (``form`` unbound), then the request's
    fields over them. JSON values become what a browser sends: ``None`` empty, lists kept
    for many-to-many pickers, anything nested a string (the form refuses it)."""
    if not isinstance(payload, dict):
        raise Invalid({"non_field_errors": ["Send the record as a JSON object."]})
    data = MultiValueDict()
    for name in form.fields:
        if name in payload:
            value = payload[name]
        else:
            value = form[name].value()
        data.setlist(name, _as_form_values(value))
    return data


def _as_form_values(value):
    if value is None:
        return [""]
    if isinstance(value, (list, tuple)):
        return [_scalar(item) for item in value] or []
    return [_scalar(value)]


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (str, int, float)):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read (and, when writable, create, change, delete) one registered model.

    Attributes:
        registration: the model's ``ObjectViews``.
        writable: whether the API writes this model (``execcoord.api.writable``).
    """

    registration = None
    writable = False
    permission_classes = [permissions.IsAuthenticated, ViewPermission]
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[0-9]+"
    lookup_field = "pk"
    lookup_url_kwarg = "id"

    @property
    def filterset_class(self):
        return self.registration.filterset

    def get_queryset(self):
        model = self.registration.model
        user = self.request.user if self.request else None
        if getattr(self, "swagger_fake_view", False) or user is None:
            return model._default_manager.none()
        return visible(model, user)  # many-to-many ids: ``represent``, in one query

    def get_serializer_class(self):
        update = self.action in ("update", "partial_update")
        return serializer_for(self.registration, update=update)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["schema"] = getattr(self, "swagger_fake_view", False)
        return context

    def represent(self, instances, many=False, status_code=status.HTTP_200_OK):
        """The response body of ``instances`` (one record unless ``many``)."""
        rows = list(instances) if many else [instances]
        context = self.get_serializer_context()
        model, user = self.registration.model, self.request.user
        context["many_ids"] = many_to_many_ids(model, user, rows)
        context["hidden_refs"] = hidden_refs(model, user, rows)
        serializer_class = serializer_for(self.registration)
        serializer = serializer_class(rows if many else rows[0], many=many, context=context)
        return serializer.data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.represent(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self.represent(self.get_object()))

    def get_object(self):
        """The visible record named by the URL (filters do not apply), else 404."""
        queryset = self.get_queryset()
        obj = queryset.filter(pk=self.kwargs[self.lookup_url_kwarg]).first()
        if obj is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, obj)
        return obj

    # -- writes --------------------------------------------------------------------------

    def edit_view(self, pk=None):
        """The page's create (``pk`` None) or edit view, set up for this request."""
        views = self.registration
        view = views.view_class("edit" if pk is not None else "add")(registration=views)
        kwargs = {"pk": pk} if pk is not None else {}
        django_request = self.request._request
        django_request._messages = _Messages()
        view.setup(django_request, **kwargs)
        view.model = views.model
        view.queryset = visible(views.model, self.request.user)
        return view

    def require_writable(self, verb, obj=None):
        if not self.writable:
            raise exceptions.MethodNotAllowed(self.request.method)
        policy.may(self.request.user, verb, self.registration.model, obj).require()

    def save_record(self, payload, pk=None, *, partial=True):
        """Create (``pk`` None) or change a record through the page's form and save.

        Returns the saved record; raises the API's errors (400, 403, 404, 409).
        """
        user = self.request.user
        self.require_writable("change" if pk is not None else "add")
        try:
            with transaction.atomic():
                view = self.edit_view(pk)
                obj = view.get_edit_object(for_update=pk is not None)
                if pk is not None:
                    policy.may(user, "change", type(obj), obj).require()
                    seen = self.seen_version(payload, obj)
                blank = view.get_form(obj)
                data = form_data(payload, blank)
                if pk is not None:
                    data[TOKEN_FIELD] = str(seen)
                form = view.get_form(obj, data)
                if form.is_valid():
                    saved = view.save_form(form, None)
                    if saved is not None:
                        return saved
                transaction.set_rollback(True)
                # the record as sent is refused by the policy (a satellite of a tasker the
                # user may not change): 403 with the reason, where the page shows a form error
                verb = "change" if pk is not None else "add"
                policy.may(user, verb, type(form.instance), form.instance).require()
        except StaleEdit as stale:
            raise self.stale(stale.instance, payload.get("version")) from stale
        except IntegrityError as clash:
            raise Conflict(integrity_message(self.registration.model, clash)) from clash
        raise Invalid(form_errors(form))

    def seen_version(self, payload, obj):
        """The ``version`` the change was made from: required; an older one is 409."""
        version = payload.get("version") if isinstance(payload, dict) else None
        if version is None or isinstance(version, bool):
            raise Invalid({"version": ["This field is required."]})
        if str(version) != str(obj.version):
            raise self.stale(obj, version)
        return version

    def stale(self, obj, seen):
        obj.refresh_from_db()
        changed = changed_fields_since(obj, seen) if str(seen).isdecimal() else []
        return Conflict(
            conflict_message(obj, changed).split(" Your values")[0],
            kind="stale",
            changed=changed,
            version=obj.version,
        )


class WritableRecordViewSet(RecordViewSet):
    """A writable model's endpoint (``execcoord.api.writable``): create, change (``PUT`` and
    ``PATCH`` alike change the fields sent), delete."""

    writable = True

    def create(self, request, *args, **kwargs):
        saved = self.save_record(request.data)
        return Response(self.represent(saved), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        pk = self.get_object().pk  # 404 for a hidden record before any other answer
        saved = self.save_record(request.data, pk)
        return Response(self.represent(saved))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require_writable("delete", obj)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as protected:
            raise Conflict(f"“{obj}” is kept: other records depend on it.") from protected
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnyMediaRenderer(JSONRenderer):
    """Lets a download answer whatever ``Accept`` names (the file is of its own type); its
    errors are still problems in JSON."""

    media_type = "*/*"


class DownloadMixin:
    """``GET …/{id}/download/``: the record's file, answered by the page's download view
    (``execcoord.api.downloads``), after the same 404 as every route for a hidden record."""

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as a download (`Content-Disposition: attachment`).",
            )
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyMediaRenderer])
    def download(self, request, id=None):
        """The record's file (its page's download: type, name and headers alike)."""
        record = self.get_object()
        return api.download_view(self.registration.label)(request._request, pk=record.pk)


_viewset_classes = {}


def viewset_class(views, base=None):
    """The viewset class serving a registration (``base``: an app's subclass); one class a
    registration and base, made on first use."""
    if base is None:
        base = WritableRecordViewSet if api.is_writable(views.label) else RecordViewSet
    key = (views.label, base)
    if key not in _viewset_classes:
        name = f"{views.model.__name__}ViewSet"
        attrs = {"registration": views, "__doc__": base.__doc__}
        bases = (DownloadMixin, base) if api.download_view(views.label) else (base,)
        _viewset_classes[key] = type(name, bases, attrs)
    return _viewset_classes[key]
