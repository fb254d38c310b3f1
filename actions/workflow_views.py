"""The workflow pages of an action beyond the generic ones: status moves, assignment,
extension requests and decisions, attachments (upload and checked download), the coordination
board's reminders and answers; and the generic views the actions app adjusts.

Views are thin: each finds the action through ``visible_to`` (a hidden one is a 404), checks
the object-level right (403 when seen but not allowed), and calls ``actions.services`` or
``actions.workflow``.
"""

import mimetypes
import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import inlineformset_factory
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View

from execcoord.forms import restrict_form_fields
from execcoord.views.generic import BulkEditView, ObjectEditView
from partners.access import get_user_scope

from . import policy, services, workflow
from .business_days import non_business_day_reason
from .choices import ActionStatus, AssignmentStatus
from .forms import prefer_lead_unit_people
from .models import Assignment, Attachment, ExecutiveAction, ExtensionRequest


def visible_action(request, pk, *, for_update=False):
    """The action ``pk`` if ``request.user`` may see it, else 404."""
    queryset = ExecutiveAction.objects.visible_to(request.user)
    return get_object_or_404(queryset, pk=pk)


@login_required
def action_by_number(request, number, rest=None):
    """``/actions/executive-actions/EA-2026-00505/`` (and ``…/edit/``, ``…/history/`` …):
    the page of the visible action with that number, at its canonical address (404 for a
    number the user may not see)."""
    queryset = ExecutiveAction.objects.visible_to(request.user)
    action = get_object_or_404(queryset, number=number.upper())
    url = action.get_absolute_url() + (rest or "")
    query = request.META.get("QUERY_STRING")
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _back(request, action):
    return HttpResponseRedirect(action.get_absolute_url())


def _require(verdict):
    """403 with the policy's reason when ``verdict`` refuses."""
    if not verdict:
        raise PermissionDenied(getattr(verdict, "reason", ""))


@method_decorator(login_required, name="dispatch")
class ActionTransitionView(View):
    """POST: move the action to ``target`` through ``services.transition``.

    404 when the action is hidden; 403 when the user may not make this move (or change
    actions at all); a move the table or the action's data refuses comes back as a message
    saying why, with the record unchanged.
    """

    http_method_names = ["post"]

    def post(self, request, pk, target):
        action = visible_action(request, pk)
        _require(request.user.has_perm("actions.change_executiveaction"))
        row = services.TRANSITIONS.get((action.status, target))
        if row is not None:
            _require(policy.may_move(request.user, action, row))
        close_children = request.POST.get("close_children") == "on"
        try:
            services.transition(
                action,
                target,
                request.user,
                comment=request.POST.get("comment", "").strip(),
                close_children=close_children,
                strict=True,
            )
        except services.TransitionError as refused:
            messages.error(request, f"Not changed. {refused}")
        except ValueError:
            messages.error(request, "Not changed: there is no such status.")
        else:
            messages.success(request, f"“{action.number}” is now {action.get_status_display()}.")
        return _back(request, action)


class LeadForm(forms.ModelForm):
    class Meta:
        model = ExecutiveAction
        fields = ("lead_unit", "accountable_person")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user)
        prefer_lead_unit_people(self)


def _bootstrap(form):
    """Bootstrap classes on a plain form's widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class SupportingForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    class Meta:
        model = Assignment
        fields = ("organization_unit", "person", "role", "due_date", "status")
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


SupportingFormSet = inlineformset_factory(
    ExecutiveAction, Assignment, form=SupportingForm, extra=2, can_delete=True
)


@method_decorator(login_required, name="dispatch")
class AssignmentView(View):
    """Set the lead unit and accountable person, and add, change or remove supporting units.

    New assignees get one e-mail each (``workflow.save_assignment``).
    """

    template_name = "actions/assignment.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_assign(request.user, self.action))
        return super().dispatch(request, pk)

    def forms(self, data=None):
        lead = LeadForm(data, instance=self.action, user=self.request.user, prefix="lead")
        formset = SupportingFormSet(data, instance=self.action, prefix="supporting")
        for form in formset.forms:
            restrict_form_fields(form, self.request.user)
        return lead, formset

    def get(self, request, pk):
        lead, formset = self.forms()
        return self.render(lead, formset)

    def post(self, request, pk):
        lead, formset = self.forms(request.POST)
        if lead.is_valid() and formset.is_valid():
            try:
                sent = workflow.save_assignment(
                    self.action,
                    request.user,
                    lead_unit=lead.cleaned_data["lead_unit"],
                    accountable_person=lead.cleaned_data["accountable_person"],
                    formset=formset,
                    request=request,
                )
            except ValidationError as invalid:
                lead.add_error(None, invalid)
            else:
                note = f" Notified: {', '.join(sent)}." if sent else ""
                messages.success(request, f"Assignment saved.{note}")
                return _back(request, self.action)
        return self.render(lead, formset, status=200)

    def render(self, lead, formset, status=200):
        context = {"object": self.action, "lead": lead, "formset": formset}
        return render(self.request, self.template_name, context, status=status)


class ExtensionRequestForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    class Meta:
        model = ExtensionRequest
        fields = ("requested_due_date", "justification")
        widgets = {"requested_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


@method_decorator(login_required, name="dispatch")
class ExtensionRequestView(View):
    """An assignee asks for a later due date, with a justification."""

    template_name = "actions/extension_request.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_edit(request.user, self.action))
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render(ExtensionRequestForm())

    def post(self, request, pk):
        instance = ExtensionRequest(
            action=self.action,
            requested_by=request.user,
            current_due_date=self.action.due_date,
        )
        form = ExtensionRequestForm(request.POST, instance=instance)
        if self.action.due_date is None:
            form.add_error(None, "This action has no due date to extend.")
        elif form.is_valid():
            try:
                # the constraints span fields the form does not show (the current due date)
                form.instance.full_clean()
            except ValidationError as invalid:
                for message in invalid.messages:
                    form.add_error(None, message)
                return self.render(form)
            form.instance._history_user = request.user
            form.save()
            messages.success(request, "Extension requested; a manager of the unit decides.")
            reason = non_business_day_reason(form.instance.requested_due_date)
            if reason:
                messages.warning(request, f"The date you asked for falls on {reason}.")
            return _back(request, self.action)
        return self.render(form)

    def render(self, form):
        return render(self.request, self.template_name, {"object": self.action, "form": form})


@method_decorator(login_required, name="dispatch")
class ExtensionDecideView(View):
    """POST: a manager approves or denies a pending request, with a comment."""

    http_method_names = ["post"]

    def post(self, request, pk):
        extension = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)
        action = extension.action
        _require(policy.may_supervise(request.user, action))
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide_extension(
                extension, request.user, approve=approve, comment=request.POST.get("comment", "")
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            verb = "approved; the due date moved" if approve else "denied"
            messages.success(request, f"Extension {verb}.")
        return _back(request, action)


class AttachmentUploadForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ("title", "kind", "file")


@method_decorator(login_required, name="dispatch")
class AttachmentUploadView(View):
    """POST: attach a file to the action (size and type checked by ``Attachment.clean``)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        action = visible_action(request, pk)
        _require(policy.may_edit(request.user, action))
        _require(request.user.has_perm("actions.add_attachment"))
        instance = Attachment(action=action, uploaded_by=request.user)
        form = AttachmentUploadForm(request.POST, request.FILES, instance=instance)
        if form.is_valid():
            upload = request.FILES["file"]
            form.instance.content_type = getattr(upload, "content_type", "") or ""
            form.instance._history_user = request.user
            form.save()
            messages.success(request, f"Attached “{form.instance.title}”.")
        else:
            problems = [f"{' '.join(errors)}" for errors in form.errors.values()]
            messages.error(request, "The file was not attached. " + " ".join(problems))
        return _back(request, action)


# Types a browser could run or render as a page: always served as plain bytes.
_ACTIVE_TYPES = ("html", "xml", "javascript", "svg", "ecmascript")


@login_required
def attachment_download(request, pk):
    """The file, only for users who may see its action (404 otherwise), always as a
    download: ``Content-Disposition: attachment`` and ``nosniff``."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    ext = os.path.splitext(attachment.file.name)[1]
    content_type = attachment.content_type or mimetypes.guess_type(attachment.file.name)[0]
    if not content_type or any(word in content_type.lower() for word in _ACTIVE_TYPES):
        content_type = "application/octet-stream"
    filename = (
        attachment.title if attachment.title.lower().endswith(ext) else attachment.title + ext
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@method_decorator(login_required, name="dispatch")
class RemindView(View):
    """POST: e-mail the supporting units that have not answered (once a day each)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        action = visible_action(request, pk)
        _require(policy.may_edit(request.user, action))
        sent, skipped = workflow.remind_supporting_units(action, request.user, request)
        if sent:
            messages.success(request, f"Reminded: {', '.join(sent)}.")
        if skipped:
            messages.info(
                request,
                f"Not reminded (already reminded today, or no address): {', '.join(skipped)}.",
            )
        if not sent and not skipped:
            messages.info(request, "Every supporting unit has answered.")
        return _back(request, action)


@method_decorator(login_required, name="dispatch")
class RespondView(View):
    """POST: a supporting unit records its answer (status and comment) from the board."""

    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = get_object_or_404(
            Assignment.objects.visible_to(request.user).select_related("action"), pk=pk
        )
        _require(policy.may_respond(request.user, assignment))
        try:
            workflow.record_response(
                assignment,
                request.user,
                status=request.POST.get("status", ""),
                comment=request.POST.get("comment", ""),
            )
        except ValueError as refused:
            messages.error(request, f"Answer not recorded: {refused}")
        else:
            messages.success(request, "Answer recorded.")
        return _back(request, assignment.action)


@method_decorator(login_required, name="dispatch")
class DispositionView(View):
    """POST: a manager records how a non-concurrence was resolved."""

    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = get_object_or_404(
            Assignment.objects.visible_to(request.user).select_related("action"), pk=pk
        )
        _require(policy.may_supervise(request.user, assignment.action))
        if assignment.status != AssignmentStatus.NON_CONCUR:
            messages.error(request, "Only a non-concurrence needs a disposition.")
        else:
            try:
                workflow.record_disposition(
                    assignment, request.user, request.POST.get("disposition", "")
                )
            except ValueError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, "Disposition recorded.")
        return _back(request, assignment.action)


# --- the generic views, adjusted --------------------------------------------------------------


class ExecutiveActionEditView(ObjectEditView):
    """Create and edit actions: a new one is issued by the user's unit by default; a refused
    status move or due-date change is shown on the form with nothing saved; a due date on a
    weekend or federal holiday is pointed out."""

    # what a sub-tasker takes from its parent (``?parent=``), so a CUI tasker's sub-tasker is
    # not Unclassified and a restricted one's not Internal; the form still lets each change
    INHERITED_FIELDS = (
        "action_type",
        "category",
        "priority",
        "visibility",
        "security_classification",
    )
    INHERITED_LINKS = ("legal_authorities", "partners")

    def alter_object(self, obj, request):
        scope = get_user_scope(request.user)
        if scope.person_id and obj.issued_by_id is None:
            obj.issued_by_id = scope.person_id
        if scope.unit_id and obj.issuing_unit_id is None:
            obj.issuing_unit_id = scope.unit_id
        parent = self.parent_from_query()
        if parent is not None:
            for name in self.INHERITED_FIELDS:
                attname = obj._meta.get_field(name).attname
                setattr(obj, attname, getattr(parent, attname))
        return obj

    def parent_from_query(self):
        """The visible parent named by ``?parent=`` of a new sub-tasker, or ``None`` (a
        hidden one is refused as a 404 when the form reads the same parameter)."""
        if "pk" in self.kwargs:
            return None
        if not hasattr(self, "_parent"):
            pk = self.request.GET.get("parent", "")
            queryset = ExecutiveAction.objects.visible_to(self.request.user)
            self._parent = queryset.filter(pk=pk).first() if pk.isdigit() else None
        return self._parent

    def get_form(self, obj, data=None, files=None):
        form = super().get_form(obj, data, files)
        parent = self.parent_from_query()
        if parent is not None and data is None:
            for name in self.INHERITED_LINKS:
                if name in form.fields:
                    form.initial[name] = list(getattr(parent, name).all())
        return form

    def get_return_url(self, obj=None):
        """A new action opens on its own page (to issue it, assign it, split it), unless the
        link that led here named where to go back."""
        creating = "pk" not in self.kwargs
        if obj is not None and obj.pk and creating and not self.request.GET.get("return_url"):
            return obj.get_absolute_url()
        return super().get_return_url(obj)

    def save_form(self, form, link):
        try:
            with transaction.atomic():
                saved = super().save_form(form, link)
        except services.TransitionError as refused:
            form.add_error("status", str(refused))
            return None
        except ValidationError as invalid:
            form.add_error(None, invalid)
            return None
        if saved is not None:
            warning = form.due_date_warning()
            if warning:
                messages.warning(self.request, warning)
        return saved


class ExecutiveActionBulkEditView(BulkEditView):
    """Bulk edit of actions: the chosen fields are set on each record, then a due date moves
    through ``services.change_due_date`` and a status through ``services.transition`` (the
    status machine, the role rules and the close-out checklist), record by record; one
    refusal and nothing is saved."""

    workflow_fields = ("status",)

    def apply(self, objs, changes):
        changes = dict(changes)
        target = changes.pop("status", None)
        due = changes.pop("due_date", None)
        reason = changes.pop("due_date_change_reason", "").strip()
        user = self.request.user
        with transaction.atomic():
            failures = super().apply(objs, changes)
            for obj in [] if failures else objs:
                try:
                    with transaction.atomic():
                        if due and due != obj.due_date:
                            services.change_due_date(obj, due, user, reason)
                        if target and target != obj.status:
                            services.transition(obj, target, user)
                except services.TransitionError as refused:
                    failures.append((obj, [str(refused)]))
                except ValidationError as invalid:
                    failures.append((obj, invalid.messages))
            if failures:
                transaction.set_rollback(True)
        return failures


class StatusUpdateEditView(ObjectEditView):
    """Posting a status update goes through ``services.post_status_update``, so the action's
    health and percent complete follow it (and roll up to the parents).

    A new update is the poster's (``reported_by`` their person) and starts from the tasker's
    current health; on a tasker with sub-taskers the form says that its percent complete is
    rolled up, and the message after saving says the typed value was kept on the update only.
    """

    def alter_object(self, obj, request):
        if obj.reported_by_id is None:
            obj.reported_by_id = get_user_scope(request.user).person_id
        return obj

    def get_form(self, obj, data=None, files=None):
        form = super().get_form(obj, data, files)
        action = form.initial.get("action") or (obj.action if obj.action_id else None)
        if isinstance(action, ExecutiveAction):
            if obj.pk is None and data is None:
                form.initial["health"] = action.health
            if "percent_complete" in form.fields and action.children.exists():
                form.fields["percent_complete"].help_text = (
                    f"{action.number}'s percent complete is rolled up from its sub-taskers "
                    f"(now {action.percent_complete}%); a value here is kept on this update only."
                )
        return form

    def save_form(self, form, link):
        update = form.save(commit=False)
        action = (
            ExecutiveAction.objects.visible_to(self.request.user)
            .filter(pk=update.action_id)
            .first()
        )
        if action is None:
            raise Http404("No such action.")
        if not policy.may_edit(self.request.user, action):
            form.add_error("action", "You cannot post updates on this action.")
            return None
        try:
            services.post_status_update(update, self.request.user)
        except ValidationError as invalid:
            form.add_error(None, invalid)
            return None
        if update.percent_not_applied:
            action.refresh_from_db(fields=["percent_complete"])
            messages.info(
                self.request,
                f"{action.number}'s percent complete is rolled up from its sub-taskers and "
                f"stays at {action.percent_complete}%; the {update.percent_complete}% you "
                "typed is kept on this update.",
            )
        return update


__all__ = [
    "ActionStatus",
    "ActionTransitionView",
    "AssignmentView",
    "AttachmentUploadView",
    "DispositionView",
    "ExecutiveActionBulkEditView",
    "ExecutiveActionEditView",
    "ExtensionDecideView",
    "ExtensionRequestView",
    "RemindView",
    "RespondView",
    "StatusUpdateEditView",
    "attachment_download",
]
