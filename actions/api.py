"""The taskers' part of the REST API (issue 19): ``/api/v1/taskers/`` with the workflow moves
as actions that call the same services as the pages (``actions/workflow_views.py``), and the
satellites the API writes.

- ``GET  /taskers/number/{number}/``: a visible tasker by its number;
- ``POST /taskers/{id}/transition/``: ``services.transition`` (the page's status buttons);
- ``POST /taskers/{id}/assign/``: ``assigning.assign`` (the Assign page), version required;
- ``POST /taskers/{id}/extensions/``: ``services.request_extension``;
- ``POST /taskers/{id}/extensions/{extension_id}/decide/``: ``services.decide_extension``;
- ``POST /taskers/{id}/updates/``: a status update through the status-update page's save
  (``services.post_status_update``);
- ``POST /taskers/{id}/attachments/``: attach a file (multipart), through the attachment
  upload's own form and save (``AttachmentUploadView``); ``GET /attachments/{id}/download/``
  is the page's ``attachment_download`` (``api.downloads``);
- ``POST /taskers/{id}/route/``: add a step to the coordination route (``routing.add_step``);
- ``POST /route-steps/{id}/act/``: answer, sign or approve the current step
  (``routing.act_on_step``), ``/return/`` (``routing.return_step``) and ``/disposition/``
  (``routing.record_disposition``), each with the step's version, as the route panel posts.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from execcoord import api, registry
from execcoord.api.problems import Conflict, Invalid, form_errors
from execcoord.api.serializers import serializer_for
from execcoord.api.views import RecordViewSet, WritableRecordViewSet, form_data, viewset_class
from execcoord.forms import TOKEN_FIELD, restrict_form_fields
from execcoord.models import StaleEdit
from execcoord.policy import has_perm
from execcoord.policy import may as policy_may
from execcoord.submissions import integrity_message
from partners.models import OrganizationUnit, Person

from . import assigning, policy, routing, services
from .choices import ActionStatus, AttachmentKind, RouteOutcome, RouteStepKind
from .models import (
    Assignment,
    Attachment,
    DecisionLogEntry,
    Dependency,
    ExecutiveAction,
    ExtensionRequest,
    RouteStep,
    StatusUpdate,
)
from .workflow_views import (
    AttachmentUploadView,
    ExtensionRequestForm,
    SupportingFormSet,
    attachment_download,
)

# before any serializer of an attachment is made: it carries the ``download`` link
api.downloads(Attachment, attachment_download)


def _require(verdict):
    if not verdict:
        raise PermissionDenied(getattr(verdict, "reason", ""))


def _body(request):
    if not isinstance(request.data, dict):
        raise Invalid({"non_field_errors": ["Send a JSON object."]})
    return request.data


def _text(body, name):
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid({name: ["Enter text."]})
    if "\x00" in value:
        raise Invalid({name: ["Remove the control characters (such as NUL)."]})
    return value.strip()


class TransitionRequest(serializers.Serializer):
    target = serializers.ChoiceField(choices=ActionStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True)
    close_children = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="If given, refused (409) when the tasker moved on."
    )


class SupportingRow(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="A stored row to change or remove.")
    version = serializers.IntegerField(required=False, help_text="The stored row's version.")
    organization_unit = serializers.IntegerField(required=False)
    person = serializers.IntegerField(required=False, allow_null=True)
    role = serializers.CharField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    allow_later_due_date = serializers.BooleanField(required=False)
    status = serializers.CharField(required=False)
    delete = serializers.BooleanField(required=False)


class AssignRequest(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    lead_unit = serializers.IntegerField(required=False, allow_null=True)
    accountable_person = serializers.IntegerField(required=False, allow_null=True)
    supporting = SupportingRow(many=True, required=False)


class ExtensionRequestBody(serializers.Serializer):
    requested_due_date = serializers.DateField()
    justification = serializers.CharField()


class DecideRequest(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("deny", "deny")])
    comment = serializers.CharField(required=False, allow_blank=True)


class AttachmentUpload(serializers.Serializer):
    """The attachment upload's form (``AttachmentUploadForm``), for the schema: the form
    validates the request."""

    title = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField(
        help_text="No larger than the server's ATTACHMENT_MAX_BYTES, of a type its "
        "ATTACHMENT_ALLOWED_EXTENSIONS names (the Attachments panel says both)."
    )


class RouteStepAdd(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=RouteStepKind.choices)
    organization_unit = serializers.IntegerField(required=False, allow_null=True)
    person = serializers.IntegerField(required=False, allow_null=True)


class StepAnswer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    outcome = serializers.ChoiceField(choices=RouteOutcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True)
    signer_role = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data):
        if data["outcome"] == RouteOutcome.NON_CONCUR and not data.get("comment", "").strip():
            raise serializers.ValidationError({"comment": ["A non-concurrence needs its reason."]})
        return data


class StepReturn(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    to_position = serializers.IntegerField(min_value=1)
    reason = serializers.CharField()


class StepDisposition(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    text = serializers.CharField()


def _serializer(model):
    return serializer_for(registry.get(model))


def _lazy_extension_serializer():
    return _serializer(ExtensionRequest)


def _lazy_update_serializer():
    return _serializer(StatusUpdate)


def _lazy_attachment_serializer():
    return _serializer(Attachment)


def _lazy_step_serializer():
    return _serializer(RouteStep)


class TaskerViewSet(WritableRecordViewSet):
    """Taskers: read, create, change and delete like the pages, and their workflow moves."""

    def tasker(self):
        """The visible tasker of the URL (404 otherwise)."""
        return self.get_object()

    def extension_data(self, extension):
        return _serializer(ExtensionRequest)(extension, context=self.get_serializer_context()).data

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=r"^[A-Za-z0-9-]+$")
        ]
    )
    @action(detail=False, methods=["get"], url_path=r"number/(?P<number>[A-Za-z0-9-]+)")
    def by_number(self, request, number):
        """A visible tasker by its number (``EA-2026-00042``)."""
        found = self.get_queryset().filter(number=number.upper()[:50]).first()
        if found is None:
            raise exceptions.NotFound()
        return Response(self.represent(found))

    @extend_schema(request=TransitionRequest)
    @action(detail=True, methods=["post"])
    def transition(self, request, id=None):
        """Move the tasker to ``target`` (the status buttons of its page)."""
        action_ = self.tasker()
        body = _body(request)
        _require(has_perm(request.user, "actions.change_executiveaction"))
        target = body.get("target")
        if not isinstance(target, str) or target not in ActionStatus.values:
            raise Invalid({"target": ["There is no such status."]})
        version = body.get("version")
        if version is not None and str(version) != str(action_.version):
            raise self.stale(action_, version)
        row = policy.TRANSITIONS.get((action_.status, target))
        if row is not None:
            _require(policy.may_move(request.user, action_, row))
        close_children = body.get("close_children") is True
        try:
            services.transition(
                action_,
                target,
                request.user,
                comment=_text(body, "comment"),
                close_children=close_children,
                strict=True,
            )
        except services.TransitionError as refused:
            raise Conflict(f"Not changed. {refused}") from refused
        return Response(self.represent(action_))

    @extend_schema(request=AssignRequest)
    @action(detail=True, methods=["post"])
    def assign(self, request, id=None):
        """Set the lead unit and accountable person; add, change or remove supporting units
        (the Assign page). ``version`` is the tasker's; a stored row changed or removed
        names its own ``version``."""
        action_ = self.tasker()
        _require(policy.may_assign(request.user, action_))
        body = _body(request)
        version = body.get("version")
        if version is None or isinstance(version, bool):
            raise Invalid({"version": ["This field is required."]})
        if str(version) != str(action_.version):  # checked again under the lock by assign()
            raise self.stale(action_, version)
        lead, formset = self.assign_forms(action_, body)
        notices = None
        try:
            with transaction.atomic():
                if lead.is_valid() & formset.is_valid():
                    notices = assigning.assign(
                        action_,
                        request.user,
                        lead_unit=lead.cleaned_data["lead_unit"],
                        accountable_person=lead.cleaned_data["accountable_person"],
                        formset=formset,
                        seen_version=version,
                    )
                else:
                    transaction.set_rollback(True)
        except StaleEdit as stale:
            raise self.stale(action_, version) from stale
        except assigning.AssignmentRefused as refused:
            raise Conflict(
                "Nothing was saved: a unit is already assigned.", errors=_row_errors(formset)
            ) from refused
        except ValidationError as invalid:
            raise Invalid({"non_field_errors": invalid.messages}) from invalid
        except IntegrityError as clash:
            raise Conflict(integrity_message(Assignment, clash)) from clash
        if notices is None:
            errors = form_errors(lead)
            errors.update(_row_errors(formset))
            errors.update({"supporting": [str(e) for e in formset.non_form_errors()]})
            raise Invalid({k: v for k, v in errors.items() if v})
        action_.refresh_from_db()
        return Response(self.represent(action_))

    def assign_forms(self, action_, body):
        """The Assign page's lead form and supporting-units formset, bound to the stored
        values with the request's over them."""
        from .workflow_views import LeadForm

        user = self.request.user
        blank_lead = LeadForm(instance=action_, user=user, prefix="lead")
        blank_rows = SupportingFormSet(instance=action_, prefix="supporting")
        data = MultiValueDict()
        for name in ("lead_unit", "accountable_person"):
            value = body[name] if name in body else blank_lead[name].value()
            data.setlist(f"lead-{name}", [_plain(value)])
        data.setlist(f"lead-{TOKEN_FIELD}", [_plain(body.get("version"))])
        rows = body.get("supporting") or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise Invalid({"supporting": ["Send a list of objects."]})
        by_id = {r.get("id"): r for r in rows if r.get("id") is not None}
        index = 0
        for form in blank_rows.initial_forms:
            change = by_id.pop(form.instance.pk, {})
            for name in form.fields:
                value = change.get(name, form[name].value())
                if name == TOKEN_FIELD:
                    value = change.get("version", form.instance.version)
                data.setlist(f"supporting-{index}-{name}", [_plain(value)])
            data.setlist(f"supporting-{index}-id", [str(form.instance.pk)])
            data.setlist(f"supporting-{index}-action", [str(action_.pk)])
            if change.get("delete") is True:
                data.setlist(f"supporting-{index}-DELETE", ["on"])
            index += 1
        if by_id:
            raise Invalid({"supporting": ["A row names an id that is not on this tasker."]})
        initial = index
        empty = blank_rows.empty_form  # a new row starts from the page's blank row
        for row in rows:
            if row.get("id") is not None:
                continue
            for name in empty.fields:
                if name in ("id", "DELETE", TOKEN_FIELD):
                    continue
                value = row[name] if name in row else empty[name].value()
                data.setlist(f"supporting-{index}-{name}", [_plain(value)])
            data.setlist(f"supporting-{index}-action", [str(action_.pk)])
            index += 1
        data.setlist("supporting-TOTAL_FORMS", [str(index)])
        data.setlist("supporting-INITIAL_FORMS", [str(initial)])
        lead = LeadForm(data, instance=action_, user=user, prefix="lead")
        formset = SupportingFormSet(data, instance=action_, prefix="supporting")
        for form in formset.forms:
            restrict_form_fields(form, user)
        return lead, formset

    @extend_schema(request=ExtensionRequestBody, responses={201: _lazy_extension_serializer()})
    @action(detail=True, methods=["post"])
    def extensions(self, request, id=None):
        """Ask for a later due date (``services.request_extension``)."""
        action_ = self.tasker()
        _require(policy.may_edit(request.user, action_))
        instance = ExtensionRequest(
            action=action_, requested_by=request.user, current_due_date=action_.due_date
        )
        _require(policy_may(request.user, "add", ExtensionRequest, instance))
        body = _body(request)
        form = ExtensionRequestForm(form_data(body, ExtensionRequestForm()), instance=instance)
        if action_.due_date is None:
            raise Conflict("This action has no due date to extend.")
        if not form.is_valid():
            raise Invalid(form_errors(form))
        try:
            extension = services.request_extension(
                action_,
                request.user,
                requested_due_date=form.cleaned_data["requested_due_date"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as invalid:
            raise Conflict(" ".join(invalid.messages)) from invalid
        except IntegrityError as clash:
            raise Conflict(integrity_message(ExtensionRequest, clash, instance)) from clash
        return Response(self.extension_data(extension), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DecideRequest,
        responses={200: _lazy_extension_serializer()},
        parameters=[OpenApiParameter("extension_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<extension_id>[0-9]+)/decide",
    )
    def decide(self, request, id=None, extension_id=None):
        """Approve or deny a pending extension request (``services.decide_extension``)."""
        action_ = self.tasker()
        extension = (
            ExtensionRequest.objects.visible_to(request.user)
            .filter(pk=extension_id, action_id=action_.pk)
            .first()
        )
        if extension is None:
            raise exceptions.NotFound()
        _require(policy.may_supervise(request.user, action_))
        body = _body(request)
        decision = body.get("decision")
        if decision not in ("approve", "deny"):
            raise Invalid({"decision": ["Choose approve or deny."]})
        try:
            with transaction.atomic():
                services.decide_extension(
                    extension,
                    request.user,
                    approve=decision == "approve",
                    comment=_text(body, "comment"),
                )
        except ValidationError as refused:
            raise Conflict(" ".join(refused.messages)) from refused
        extension.refresh_from_db()
        return Response(self.extension_data(extension))

    @extend_schema(request=_lazy_update_serializer(), responses={201: _lazy_update_serializer()})
    @action(detail=True, methods=["post"])
    def updates(self, request, id=None):
        """Post a status update (the status-update page's save: health and percent complete
        follow it)."""
        action_ = self.tasker()
        body = dict(_body(request))
        body["action"] = action_.pk
        updates = viewset_class(registry.get(StatusUpdate))(request=request, action="create")
        updates.format_kwarg = None
        saved = updates.save_record(body)
        return Response(updates.represent(saved), status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AttachmentUpload},
        responses={201: _lazy_attachment_serializer()},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, id=None):
        """Attach a file (``multipart/form-data``: ``title``, ``kind``, ``file``): the
        attachment upload of the tasker's page, its limits and messages."""
        action_ = self.tasker()
        form = AttachmentUploadView.bound_form(request.user, action_, request.POST, request.FILES)
        if not form.is_valid():
            raise Invalid(form_errors(form))
        with transaction.atomic():
            saved = AttachmentUploadView.save(form, request.user)
        return Response(_attachment_data(self, saved), status=status.HTTP_201_CREATED)

    @extend_schema(request=RouteStepAdd, responses={201: _lazy_step_serializer()})
    @action(detail=True, methods=["post"])
    def route(self, request, id=None):
        """Add a step to the coordination route (the route panel's "Add a step"): the lead
        office, the secretariat and managers (``policy.may_manage_route``)."""
        action_ = self.tasker()
        _require(policy.may_manage_route(request.user, action_))
        body = RouteStepAdd(data=_body(request))
        if not body.is_valid():
            raise Invalid(body.errors)
        data = body.validated_data
        unit = _visible_or_invalid(OrganizationUnit, request.user, data, "organization_unit")
        person = _visible_or_invalid(Person, request.user, data, "person")
        spec = routing.StepSpec(data["position"], data["kind"], unit, person)
        step = _route_move(lambda: routing.add_step(action_, spec, request.user))
        return Response(_step_data(self, step), status=status.HTTP_201_CREATED)


class RouteStepViewSet(RecordViewSet):
    """Route steps (read), and the moves of the current step as the route panel posts them:
    only the step's office or the secretariat on its behalf answers or returns
    (``policy.may_act_on_step``); the lead office records a disposition
    (``policy.may_manage_route``). Every move names the step's ``version``."""

    registration = None  # set below, from the registry

    def moved(self, request, may, answer, move):
        """Run ``move(step, user, body)`` on the step asked for, once ``may(user, step)``
        allows it and the body is a valid ``answer``; respond with the step as it is now."""
        step = self.get_object()
        _require(may(request.user, step))
        body = _valid(answer, request)
        step = _route_move(lambda: move(step, request.user, body))
        step.refresh_from_db()
        return Response(self.represent(step))

    @extend_schema(request=StepAnswer)
    @action(detail=True, methods=["post"])
    def act(self, request, id=None):
        """Concur, concur with comment, non-concur (comment required), sign or approve."""
        return self.moved(request, policy.may_act_on_step, StepAnswer, _answer_step)

    @extend_schema(request=StepReturn)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, id=None):
        """Return the response to an earlier step, with a reason."""
        return self.moved(request, policy.may_act_on_step, StepReturn, _return_step)

    @extend_schema(request=StepDisposition)
    @action(detail=True, methods=["post"])
    def disposition(self, request, id=None):
        """The lead office's disposition of a non-concurrence."""
        return self.moved(request, _may_manage_route, StepDisposition, _record_disposition)


# the moves of a route step, from the step, the user and the valid body of the request


def _answer_step(step, user, body):
    return routing.act_on_step(
        step,
        user,
        body["outcome"],
        comment=body.get("comment", ""),
        signer_role=body.get("signer_role", ""),
        version=body["version"],
    )


def _return_step(step, user, body):
    return routing.return_step(
        step, user, body["to_position"], body["reason"], version=body["version"]
    )


def _record_disposition(step, user, body):
    return routing.record_disposition(step, user, body["text"], version=body["version"])


def _may_manage_route(user, step):
    return policy.may_manage_route(user, step.action)


def _valid(serializer_class, request):
    body = serializer_class(data=_body(request))
    if not body.is_valid():
        raise Invalid(body.errors)
    return body.validated_data


def _visible_or_invalid(model, user, data, name):
    pk = data.get(name)
    if pk is None:
        return None
    found = model.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Invalid(
            {name: ["Select a valid choice. That choice is not one of the available choices."]}
        )
    return found


def _route_move(move):
    """Run a route service; a stale step is a 409, a refused move says why."""
    try:
        with transaction.atomic():
            return move()
    except StaleEdit as stale:
        raise Conflict(
            "Not recorded: this step changed since you read it.", kind="stale"
        ) from stale
    except routing.RouteError as refused:
        raise Conflict(f"Not recorded. {refused}") from refused
    except ValidationError as invalid:
        raise Invalid({"non_field_errors": invalid.messages}) from invalid


def _attachment_data(viewset, attachment):
    return _serializer(Attachment)(attachment, context=viewset.get_serializer_context()).data


def _step_data(viewset, step):
    return _serializer(RouteStep)(step, context=viewset.get_serializer_context()).data


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _row_errors(formset):
    errors = {}
    for number, form in enumerate(formset.forms):
        for name, messages in form.errors.items():
            key = f"supporting[{number}].{'non_field_errors' if name == '__all__' else name}"
            errors[key] = [str(m) for m in messages]
    return errors


RouteStepViewSet.registration = registry.get(RouteStep)
api.register(ExecutiveAction, TaskerViewSet, slug="taskers")
api.register(RouteStep, RouteStepViewSet)
api.writable(ExecutiveAction, Assignment, StatusUpdate, DecisionLogEntry, Dependency)
