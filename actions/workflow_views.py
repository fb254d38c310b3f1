"""The workflow pages of an action beyond the generic ones: status moves, assignment,
extension requests and decisions, attachments (upload and checked download), the coordination
board's reminders and answers; and the generic views the actions app adjusts.

Views are thin: each finds the action through ``visible_to`` (a hidden one is a 404), checks
the object-level right (403 when seen but not allowed), and calls ``actions.services``,
``actions.assigning`` or ``actions.coordination``.
"""

import logging
import mimetypes
import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import inlineformset_factory
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from execcoord import policy as write_policy
from execcoord.forms import (
    TOKEN_FIELD,
    changed_fields_since,
    concurrency_token,
    restrict_form_fields,
)
from execcoord.history import StaleRows
from execcoord.models import StaleEdit
from execcoord.submissions import (
    OneTimeKeyMixin,
    claim_form_key,
    clash_message,
    integrity_message,
    record_form_key,
    saved_by,
)
from execcoord.views.generic import BulkEditView, ObjectEditView, ObjectHistoryView
from execcoord.widgets import AutocompleteSelect
from partners.access import get_user_scope
from partners.models import OrganizationUnit, Person

from . import assigning, coordination, policy, routing, services, templates, timeline
from .business_days import business_days_between, non_business_day_reason, shift_business_days
from .choices import ActionStatus, AssignmentStatus, RouteStepKind
from .forms import AssignmentForm, prefer_lead_unit_people
from .models import Assignment, Attachment, ExecutiveAction, ExtensionRequest, RouteStep

logger = logging.getLogger(__name__)


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
class PostView(View):
    """A move posted from a tasker's page by a signed-in user: POST only."""

    http_method_names = ["post"]


class ActionTransitionView(PostView):
    """POST: move the action to ``target`` through ``services.transition``.

    404 when the action is hidden; 403 when the user may not make this move (or change
    actions at all); a move the table or the action's data refuses comes back as a message
    saying why, with the record unchanged.
    """

    def post(self, request, pk, target):
        action = visible_action(request, pk)
        _require(write_policy.has_perm(request.user, "actions.change_executiveaction"))
        row = policy.TRANSITIONS.get((action.status, target))
        if row is not None:
            _require(policy.may_move(request.user, action, row))
        close_children = request.POST.get("close_children") == "on"
        try:
            with transaction.atomic():
                repeated = claim_form_key(request)
                if repeated is not None:
                    return repeated
                services.transition(
                    action,
                    target,
                    request.user,
                    comment=request.POST.get("comment", "").strip(),
                    close_children=close_children,
                    strict=True,
                )
                record_form_key(request, None, action.get_absolute_url())
        except services.TransitionError as refused:
            messages.error(request, f"Not changed. {refused}")
        except ValueError:
            messages.error(request, "Not changed: there is no such status.")
        else:
            messages.success(request, f"“{action.number}” is now {action.get_status_display()}.")
        return _back(request, action)


class LeadForm(OneTimeKeyMixin, forms.ModelForm):
    """The lead of the Assign page. It carries the tasker's version the page was opened at
    (``concurrency_token``: the whole page is refused when anyone assigned the tasker since)
    and the page's one-time key (a double click saves once)."""

    concurrency_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ExecutiveAction
        fields = ("lead_unit", "accountable_person")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[TOKEN_FIELD].initial = concurrency_token(self.instance)
        restrict_form_fields(self, user)
        _bootstrap(self)
        prefer_lead_unit_people(self)

    def seen_version(self):
        """The tasker's version this page was opened at (``""`` when the page sent none:
        stale)."""
        return self.data.get(self.add_prefix(TOKEN_FIELD), "")


def _bootstrap(form):
    """Bootstrap classes on a plain form's widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput) or widget.is_hidden:
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def _mark_invalid(form):
    """``is-invalid`` and ``aria-invalid`` on the fields of ``form`` that have errors."""
    for name in form.errors:
        field = form.fields.get(name)
        if field is None or field.widget.is_hidden:
            continue
        attrs = field.widget.attrs
        attrs["aria-invalid"] = "true"
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def _add_errors(form, invalid):
    """Put a ``ValidationError`` on ``form``: on its field where the form has it, else on
    the form as a whole."""
    if hasattr(invalid, "error_dict"):
        for name, errors in invalid.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, invalid.messages)


class SupportingForm(forms.ModelForm):
    """One supporting unit of the Assign page; a stored one carries the version its row
    showed, so an answer recorded meanwhile is not overwritten."""

    concurrency_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[TOKEN_FIELD].initial = concurrency_token(self.instance)
        _bootstrap(self)

    class Meta:
        model = Assignment
        # the assignment form's fields but the action (the page's) and the answer (given
        # on the assignment's own page)
        fields = tuple(n for n in AssignmentForm.Meta.fields if n not in ("action", "response"))
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "allow_later_due_date": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
        labels = {"allow_later_due_date": "Later than the action"}

    def seen_version(self):
        """The row's version when the page showed it."""
        return self.data.get(self.add_prefix(TOKEN_FIELD), "")


class BaseSupportingFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_field = form.fields.get(self.model._meta.pk.name)
        if pk_field is not None:
            pk_field.error_messages["invalid_choice"] = (
                "This supporting unit was removed by someone else since this page was "
                "opened; leave the row out or reload the page."
            )


SupportingFormSet = inlineformset_factory(
    ExecutiveAction,
    Assignment,
    form=SupportingForm,
    formset=BaseSupportingFormSet,
    extra=2,
    can_delete=True,
)


@method_decorator(login_required, name="dispatch")
class AssignmentView(View):
    """Set the lead unit and accountable person, and add, change or remove supporting units,
    as often as needed (``assigning.assign``, asked of the policy by ``may_assign``).

    The page is refused as stale (409, the entries kept) when anyone assigned the tasker
    since it was opened, naming who and when; a unit assigned meanwhile is an error on its
    row; the same page sent twice saves once. New assignees get one e-mail each, after the
    save commits.
    """

    template_name = "actions/assignment.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_assign(request.user, self.action))
        return super().dispatch(request, pk)

    def forms(self, data=None):
        user = self.request.user
        lead = LeadForm(data, instance=self.action, user=user, prefix="lead")
        formset = SupportingFormSet(data, instance=self.action, prefix="supporting")
        for form in formset.forms:
            restrict_form_fields(form, user)
        return lead, formset

    def get(self, request, pk):
        lead, formset = self.forms()
        return self.render(lead, formset)

    def post(self, request, pk):
        lead, formset = self.forms(request.POST)
        status, notices = 200, None
        try:
            with transaction.atomic():
                repeated = claim_form_key(request, lead)
                if repeated is not None:
                    return repeated
                if lead.is_valid() & formset.is_valid():  # both: every error shows
                    notices = assigning.assign(
                        self.action,
                        request.user,
                        lead_unit=lead.cleaned_data["lead_unit"],
                        accountable_person=lead.cleaned_data["accountable_person"],
                        formset=formset,
                        seen_version=lead.seen_version(),
                    )
                    record_form_key(request, lead, self.action.get_absolute_url())
                else:
                    transaction.set_rollback(True)  # the key too: the corrected page may go
        except StaleEdit as stale:
            lead, formset = self.refuse_stale(stale.instance)
            status = 409
        except assigning.AssignmentRefused:
            lead.add_error(None, "Nothing was saved: a unit marked below is already assigned.")
        except ValidationError as invalid:
            _add_errors(lead, invalid)
        except IntegrityError as clash:  # a unit assigned by another path at the same moment
            lead.add_error(None, self.clash(formset, clash))
        if notices is not None:
            note = " The people concerned are notified." if notices else ""
            messages.success(request, f"Assignment saved.{note}")
            return _back(request, self.action)
        return self.render(lead, formset, status=status)

    def refuse_stale(self, changed):
        """The page again with the user's entries, now at the current versions (saving it
        again applies them), and a message naming who changed what since it was opened."""
        seen = self.request.POST.get("lead-" + TOKEN_FIELD, "")
        self.action.refresh_from_db()
        versions = dict(
            Assignment.objects.filter(action_id=self.action.pk).values_list("pk", "version")
        )
        data = self.request.POST.copy()
        data["lead-" + TOKEN_FIELD] = str(self.action.version)
        rows = data.get("supporting-TOTAL_FORMS", "")
        for index in range(min(int(rows), 1000) if rows.isdecimal() else 0):
            pk = data.get(f"supporting-{index}-id", "")
            if pk.isdecimal() and int(pk) in versions:
                data[f"supporting-{index}-{TOKEN_FIELD}"] = str(versions[int(pk)])
        lead, formset = self.forms(data)
        lead.is_valid()
        formset.is_valid()
        who, when = saved_by(changed)
        by = " ".join(part for part in (f"by {who}" if who else "", when) if part)
        if isinstance(changed, ExecutiveAction):
            fields = changed_fields_since(changed, seen) if seen else []
            what = f" ({', '.join(fields)})" if fields else ""
            text = f"This action's assignment was changed {by} since you opened this page{what}."
        else:
            text = (
                f"The row of {changed.organization_unit} was changed {by} since you opened "
                "this page (an answer or its details)."
            )
            for form in formset.initial_forms:
                if form.instance.pk == changed.pk:
                    form.add_error(None, f"Changed {by} since you opened this page.")
        lead.add_error(
            None,
            f"{text} Nothing was saved. Your entries are kept below: check them against the "
            "current assignment and save again to apply them.",
        )
        return lead, formset

    def clash(self, formset, error):
        """Mark the rows whose unit was assigned by someone else at the same moment."""
        found = False
        for form in formset.forms:
            if form in formset.deleted_forms or not form.has_changed():
                continue
            message = clash_message(form.instance)
            if message:
                form.add_error("organization_unit", message)
                found = True
        if found:
            return "Nothing was saved: a unit marked below is already assigned."
        return integrity_message(Assignment, error)

    def render(self, lead, formset, status=200):
        if formset.is_bound and not formset.management_form.is_valid():
            # the page came back without its list of rows: say so, and draw the rows as
            # they are stored so the page can be used again
            problems = formset.non_form_errors()
            formset = self.forms()[1]
            lead.add_error(
                None,
                "The page came back incomplete, so nothing was saved; the supporting units "
                f"are shown as stored. ({' '.join(problems)})",
            )
        for form in [lead, *formset.forms]:
            _mark_invalid(form)
        context = {
            "object": self.action,
            "lead": lead,
            "formset": formset,
            "problems": _problems(lead, formset),
        }
        return render(self.request, self.template_name, context, status=status)


def _problems(lead, formset):
    """Every error of the page, for the summary at its top: ``[(where, message)]``."""
    if not lead.is_bound:
        return []
    found = [("", error) for error in lead.non_field_errors()]
    for name, errors in lead.errors.items():
        if name in lead.fields:
            found += [(str(lead.fields[name].label), error) for error in errors]
    if formset.is_bound:
        found += [("Supporting units", error) for error in formset.non_form_errors()]
        for number, form in enumerate(formset.forms, 1):
            if not form.errors:
                continue
            unit = form.instance.organization_unit if form.instance.organization_unit_id else None
            where = f"Row {number}" + (f" ({unit})" if unit else "")
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                label = "" if field is None or field.widget.is_hidden else f", {field.label}"
                found += [(f"{where}{label}", error) for error in errors]
    return found


class ExtensionRequestForm(OneTimeKeyMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    class Meta:
        model = ExtensionRequest
        fields = ("requested_due_date", "justification")
        widgets = {"requested_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


@method_decorator(login_required, name="dispatch")
class TimelineView(View):
    """The tasker's timeline, which its page draws closed (issue 20): with ``?rows=1`` the
    events alone, which the page's script puts in the opened panel; else a page of its own,
    the way to them without a script. A hidden tasker is a 404."""

    def get(self, request, pk):
        from .panels import timeline_html

        action = visible_action(request, pk)
        context = {
            "object": action,
            "events_html": timeline_html(timeline.timeline(action, request.user)),
        }
        if request.GET.get("rows"):
            return HttpResponse(render_to_string("actions/panels/_timeline_rows.html", context))
        return render(request, "actions/timeline.html", context)


@method_decorator(login_required, name="dispatch")
class ExtensionRequestView(View):
    """An assignee asks for a later due date, with a justification
    (``services.request_extension``). The write policy decides who may (``add`` of an
    extension request on this tasker); a request already pending is a form error naming who
    asked and when, even when both were sent at the same moment; the same form sent twice
    asks once."""

    template_name = "actions/extension_request.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_edit(request.user, self.action))
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render(ExtensionRequestForm())

    def post(self, request, pk):
        instance = ExtensionRequest(
            action=self.action, requested_by=request.user, current_due_date=self.action.due_date
        )
        _require(write_policy.may(request.user, "add", ExtensionRequest, instance))
        form = ExtensionRequestForm(request.POST, instance=instance)
        if self.action.due_date is None:
            form.add_error(None, "This action has no due date to extend.")
            return self.render(form)
        if not form.is_valid():
            return self.render(form)
        url = self.action.get_absolute_url()
        try:
            with transaction.atomic():
                repeated = claim_form_key(request, form)
                if repeated is not None:
                    return repeated
                services.request_extension(
                    self.action,
                    request.user,
                    requested_due_date=form.cleaned_data["requested_due_date"],
                    justification=form.cleaned_data["justification"],
                )
                record_form_key(request, form, url)
        except ValidationError as invalid:
            _add_errors(form, invalid)
            return self.render(form)
        except IntegrityError as clash:  # asked by someone else at the same moment
            form.add_error(None, integrity_message(ExtensionRequest, clash, form.instance))
            return self.render(form)
        messages.success(request, "Extension requested; a manager of the unit decides.")
        reason = non_business_day_reason(form.cleaned_data["requested_due_date"])
        if reason:
            messages.warning(request, f"The date you asked for falls on {reason}.")
        return HttpResponseRedirect(url)

    def render(self, form):
        return render(self.request, self.template_name, {"object": self.action, "form": form})


class ExtensionDecideView(PostView):
    """POST: a manager approves or denies a pending request, with a comment."""

    def post(self, request, pk):
        extension = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)
        action = extension.action
        _require(policy.may_supervise(request.user, action))
        approve = request.POST.get("decision") == "approve"
        try:
            with transaction.atomic():
                repeated = claim_form_key(request)
                if repeated is not None:
                    return repeated
                services.decide_extension(
                    extension,
                    request.user,
                    approve=approve,
                    comment=request.POST.get("comment", ""),
                )
                record_form_key(request, None, action.get_absolute_url())
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            verb = "approved; the due date moved" if approve else "denied"
            messages.success(request, f"Extension {verb}.")
            if approve:
                return _offer_shift(request, action) or _back(request, action)
        return _back(request, action)


def _offer_shift(request, action):
    """After the suspense of ``action`` moved: the page offering to move its open
    sub-taskers' suspenses too, when it has some and the user may move them (issue 16);
    else ``None``."""
    if not policy.may_assign(request.user, action):
        return None
    if not services.open_subtaskers(action, request.user):
        return None
    messages.info(
        request,
        "This action has open sub-taskers: move their suspenses by as many business days, "
        "or leave them as they are.",
    )
    return HttpResponseRedirect(
        reverse("actions:executiveaction_shift_subtaskers", args=[action.pk])
    )


class AttachmentUploadForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ("title", "kind", "file")


class AttachmentUploadView(PostView):
    """POST: attach a file to the action (size and type checked by ``Attachment.clean``;
    who may, by the write policy's ``add`` of an attachment); the same form sent twice
    attaches once. The API's upload (``actions/api.py``) is :meth:`bound_form` and
    :meth:`save` too."""

    @staticmethod
    def bound_form(user, action, data, files):
        """The upload form of ``action`` bound to ``data`` and ``files``, once the write
        policy lets ``user`` add an attachment to it (``PermissionDenied`` otherwise)."""
        instance = Attachment(action=action, uploaded_by=user)
        _require(write_policy.may(user, "add", Attachment, instance))
        return AttachmentUploadForm(data, files, instance=instance)

    @staticmethod
    def save(form, user):
        """Save a valid upload form: the type the upload says, the history under ``user``."""
        upload = form.cleaned_data["file"]
        form.instance.content_type = getattr(upload, "content_type", "") or ""
        form.instance._history_user = user
        return form.save()

    def post(self, request, pk):
        action = visible_action(request, pk)
        form = self.bound_form(request.user, action, request.POST, request.FILES)
        if form.is_valid():
            with transaction.atomic():
                repeated = claim_form_key(request)
                if repeated is not None:
                    return repeated
                self.save(form, request.user)
                record_form_key(request, None, action.get_absolute_url())
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


class RemindView(PostView):
    """POST: remind the supporting units that have not answered (once a day each)."""

    def post(self, request, pk):
        action = visible_action(request, pk)
        _require(policy.may_edit(request.user, action))
        with transaction.atomic():
            repeated = claim_form_key(request)
            if repeated is not None:
                return repeated
            sent, skipped = coordination.remind_supporting_units(action, request.user, request)
            record_form_key(request, None, action.get_absolute_url())
        if sent:
            messages.success(request, f"Reminded: {', '.join(sent)}.")
        if skipped:
            messages.info(
                request,
                f"Not reminded (already reminded today): {', '.join(skipped)}.",
            )
        if not sent and not skipped:
            messages.info(request, "Every supporting unit has answered.")
        return _back(request, action)


class RespondView(PostView):
    """POST: a supporting unit records its answer (status and comment) from the board."""

    def post(self, request, pk):
        assignment = _visible_assignment(request, pk)
        _require(policy.may_respond(request.user, assignment))
        if routing.answers_on_route(assignment):
            messages.error(request, "Answer not recorded: answer on the tasker's route.")
            return _back(request, assignment.action)
        return _post_once(
            request,
            assignment.action,
            lambda: coordination.record_response(
                assignment,
                request.user,
                status=request.POST.get("status", ""),
                comment=request.POST.get("comment", ""),
            ),
            refusals={ValueError: lambda refused: f"Answer not recorded: {refused}"},
            done="Answer recorded.",
        )


class DispositionView(PostView):
    """POST: a manager records how a non-concurrence was resolved."""

    def post(self, request, pk):
        assignment = _visible_assignment(request, pk)
        _require(policy.may_supervise(request.user, assignment.action))
        if routing.answers_on_route(assignment):
            messages.error(request, "Not recorded: record the disposition on the tasker's route.")
        elif assignment.status != AssignmentStatus.NON_CONCUR:
            messages.error(request, "Only a non-concurrence needs a disposition.")
        else:
            return _post_once(
                request,
                assignment.action,
                lambda: coordination.record_disposition(
                    assignment, request.user, request.POST.get("disposition", "")
                ),
                refusals={ValueError: str},
                done="Disposition recorded.",
            )
        return _back(request, assignment.action)


def _visible_assignment(request, pk):
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("action"), pk=pk
    )


def _post_once(request, action, work, *, refusals, done=None, anchor=""):
    """Run ``work()`` once (one-time form key) in one transaction and come back to the
    tasker's page (at ``anchor``) saying how it went: ``done``, else what ``work()`` returns.
    A refusal writes nothing and says why: ``refusals`` maps exception classes, in the order
    they are tried, to the message of one (``fn(exception) -> text``)."""
    url = action.get_absolute_url() + anchor
    try:
        with transaction.atomic():
            repeated = claim_form_key(request)
            if repeated is not None:
                return repeated
            result = work()
            record_form_key(request, None, url)
    except tuple(refusals) as refused:
        say = next(say for kind, say in refusals.items() if isinstance(refused, kind))
        messages.error(request, say(refused))
    else:
        messages.success(request, done or result)
    return HttpResponseRedirect(url)


# --- the coordination route (issue 16; the rules are in actions/routing.py) -----------------


class RouteStepAddForm(forms.Form):
    """The route panel's "Add a step" fields (``RouteManageView`` reads them)."""

    position = forms.IntegerField(min_value=1, label="Position")
    kind = forms.ChoiceField(choices=RouteStepKind.choices, label="Step")
    organization_unit = forms.ModelChoiceField(
        queryset=OrganizationUnit.objects.none(), required=False, label="Office"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_unit"].widget = AutocompleteSelect(OrganizationUnit)
        for name, bound in self.fields.items():
            css = "form-control" if name == "position" else "form-select"
            bound.widget.attrs["class"] = (
                f"{css} form-{'select' if css == 'form-select' else 'control'}-sm"
            )


# how a route move refused says why (a stale step first: the page is older than the step)
ROUTE_REFUSALS = {
    StaleEdit: lambda refused: (
        "Not recorded: this step changed since you opened the page. Look at it again."
    ),
    routing.RouteError: lambda refused: f"Not recorded. {refused}",
    ValidationError: lambda refused: f"Not recorded. {' '.join(refused.messages)}",
}


def _route_post(request, action, work):
    """A route move posted once (:func:`_post_once`), back at the page's route."""
    return _post_once(request, action, work, refusals=ROUTE_REFUSALS, anchor="#route")


def _visible_step(request, pk):
    return get_object_or_404(
        RouteStep.objects.visible_to(request.user).select_related("action"), pk=pk
    )


class RouteManageView(PostView):
    """POST: add a step to the tasker's route (``op=add``: position, kind, office and/or
    person) or remove a step not reached yet (``op=remove``: step, version). The lead
    office, the secretariat and managers (``policy.may_manage_route``)."""

    def post(self, request, pk):
        action = visible_action(request, pk)
        _require(policy.may_manage_route(request.user, action))
        data = request.POST
        if data.get("op") == "remove":
            step = get_object_or_404(RouteStep, pk=data.get("step") or 0, action=action)

            def work():
                routing.remove_step(step, request.user, version=data.get("version"))
                return f"{step} removed from the route."

            return _route_post(request, action, work)
        unit = (
            OrganizationUnit.objects.visible_to(request.user)
            .filter(pk=_int(data.get("organization_unit")))
            .first()
        )
        person = Person.objects.visible_to(request.user).filter(pk=_int(data.get("person"))).first()
        spec = routing.StepSpec(_int(data.get("position")), data.get("kind", ""), unit, person)

        def work():
            step = routing.add_step(action, spec, request.user)
            return f"{step} added to the route."

        return _route_post(request, action, work)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RouteStepActView(PostView):
    """POST on a current route step: answer it (``op=answer``: outcome, comment; a
    signature's role) or return the response to an earlier step (``op=return``:
    ``to_position``, reason). Only the step's office or the secretariat on its behalf
    (``policy.may_act_on_step``); the step's ``version`` refuses a stale page."""

    def post(self, request, pk):
        step = _visible_step(request, pk)
        _require(policy.may_act_on_step(request.user, step))
        data = request.POST
        version = data.get("version")
        if data.get("op") == "return":

            def work():
                routing.return_step(
                    step,
                    request.user,
                    data.get("to_position"),
                    data.get("reason", ""),
                    version=version,
                )
                return f"Returned to step {data.get('to_position')}."

        else:

            def work():
                routing.act_on_step(
                    step,
                    request.user,
                    data.get("outcome", ""),
                    comment=data.get("comment", ""),
                    version=version,
                    signer_role=data.get("signer_role", ""),
                )
                return f"{step}: {step.get_outcome_display()} recorded."

        return _route_post(request, step.action, work)


class RouteDispositionView(PostView):
    """POST: the lead office records how a non-concurrence was resolved; the route moves on
    once each one of its position has its disposition (``policy.may_manage_route``)."""

    def post(self, request, pk):
        step = _visible_step(request, pk)
        _require(policy.may_manage_route(request.user, step.action))

        def work():
            routing.record_disposition(
                step,
                request.user,
                request.POST.get("disposition", ""),
                version=request.POST.get("version"),
            )
            return "Disposition recorded."

        return _route_post(request, step.action, work)


# --- process templates and back-planned sub-taskers (issue 16) ----------------------------


class PreviewRowForm(forms.Form):
    """One proposed sub-tasker of the apply preview: kept or left out, its title, office and
    date editable; what the template said (role, offset) carried along."""

    include = forms.BooleanField(required=False, initial=True, label="Create")
    title = forms.CharField(max_length=255, required=False)
    organization_unit = forms.ModelChoiceField(
        queryset=OrganizationUnit.objects.filter(is_active=True), required=False, label="Office"
    )
    due_date = forms.DateField(
        required=False,
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    role = forms.CharField(required=False, widget=forms.HiddenInput)
    offset = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        self.fields["include"].widget.attrs["class"] = "form-check-input"

    def planned(self):
        """The row as a ``PlannedSubtasker``, or ``None`` when left out."""
        data = self.cleaned_data
        if not data.get("include"):
            return None
        row = templates.PlannedSubtasker(
            title=data.get("title") or "",
            unit=data.get("organization_unit"),
            due_date=data.get("due_date"),
            role=data.get("role") or "",
            offset=data.get("offset"),
        )
        row.form = self
        return row


PreviewFormSet = forms.formset_factory(PreviewRowForm, extra=0, max_num=200)


class ApplyTemplateForm(OneTimeKeyMixin, forms.Form):
    """The preview's own fields: which template, and the tasker's version the preview was
    opened at (a template applied or a suspense moved meanwhile refuses the page)."""

    template = forms.IntegerField(widget=forms.HiddenInput)
    concurrency_token = forms.CharField(widget=forms.HiddenInput, required=False)


@method_decorator(login_required, name="dispatch")
class ApplyTemplateView(View):
    """Apply a process template to a tasker: choose one of its type's templates, preview the
    sub-taskers it makes with their back-planned suspenses (each due its offset in business
    days before the tasker's), edit or leave out rows, then create them all at once
    (``templates.apply_template``). The right is the one to add sub-taskers
    (``policy.may_add_subtasker``), asked on every request; the page carries the tasker's
    version and a one-time key."""

    template_name = "actions/apply_template.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_add_subtasker(request.user, self.action))
        self.offered = list(templates.offered_templates(self.action.action_type_id))
        return super().dispatch(request, pk)

    def chosen(self, value):
        if not str(value or "").isdecimal():
            return None
        return next((t for t in self.offered if t.pk == int(value)), None)

    def get(self, request, pk):
        template = self.chosen(request.GET.get("template"))
        if template is None:
            return self.render(None, None, None)
        head = ApplyTemplateForm(
            initial={"template": template.pk, TOKEN_FIELD: str(self.action.version)}
        )
        rows = templates.plan(template, self.action)
        templates.check_rows(rows, self.action)
        formset = PreviewFormSet(
            initial=[
                {
                    "include": True,
                    "title": row.title,
                    "organization_unit": row.unit,
                    "due_date": row.due_date,
                    "role": row.role,
                    "offset": row.offset,
                }
                for row in rows
            ],
            prefix="rows",
        )
        for form, row in zip(formset.forms, rows, strict=True):
            form.problems = row.problems
        return self.render(template, head, formset)

    def post(self, request, pk):
        head = ApplyTemplateForm(request.POST)
        formset = PreviewFormSet(request.POST, prefix="rows")
        template = self.chosen(request.POST.get("template"))
        if template is None:
            messages.error(request, "Choose one of this type's templates.")
            return self.render(None, None, None)
        if not (head.is_valid() & formset.is_valid()):
            return self.render(template, head, formset)
        rows = [row for row in (form.planned() for form in formset.forms) if row is not None]
        status = 200
        try:
            with transaction.atomic():
                repeated = claim_form_key(request, head)
                if repeated is not None:
                    return repeated
                created = templates.apply_template(
                    template,
                    self.action,
                    request.user,
                    rows,
                    seen_version=head.cleaned_data[TOKEN_FIELD],
                )
                record_form_key(request, head, self.action.get_absolute_url())
        except StaleEdit:
            # the page again with the user's rows, now at the current version (applying it
            # again creates them), and who changed the tasker since
            self.action.refresh_from_db()
            who, when = saved_by(self.action)
            by = " ".join(part for part in (f"by {who}" if who else "", when) if part)
            data = request.POST.copy()
            data[TOKEN_FIELD] = str(self.action.version)
            head = ApplyTemplateForm(data)
            head.is_valid()
            head.add_error(
                None,
                f"{self.action.number} was changed {by} since this preview was opened (its "
                "suspense may have moved, or a template was applied). Nothing was created; "
                "check the rows against it and apply again.",
            )
            status = 409
        except templates.TemplateRefused as refused:
            head.add_error(None, str(refused))
            for row in rows:
                for problem in row.problems:
                    row.form.add_error(None, problem)
        else:
            messages.success(
                request,
                f"Template “{template.name}” applied: {len(created)} sub-taskers created.",
            )
            return _back(request, self.action)
        return self.render(template, head, formset, status=status)

    def render(self, template, head, formset, status=200):
        context = {
            "object": self.action,
            "offered": self.offered,
            "template": template,
            "head": head,
            "formset": formset,
        }
        return render(self.request, self.template_name, context, status=status)


class ShiftSubtaskersForm(OneTimeKeyMixin, forms.Form):
    """The confirmation of a suspense shift: the due-date change it follows, and the
    sub-taskers chosen, each with the version its row showed."""

    change = forms.IntegerField(widget=forms.HiddenInput)


@method_decorator(login_required, name="dispatch")
class ShiftSubtaskersView(View):
    """After a tasker's suspense moved: offer to move every open sub-tasker's suspense by
    the same number of business days (``services.shift_subtaskers``). The page lists them
    with their new dates; each row carries its version, so a sub-tasker changed meanwhile
    refuses the whole shift. Only the last move of the tasker's suspense is offered."""

    template_name = "actions/shift_subtaskers.html"

    def dispatch(self, request, pk):
        self.action = visible_action(request, pk)
        _require(policy.may_assign(request.user, self.action))
        self.change = self.action.due_date_changes.order_by("-changed_at", "-pk").first()
        return super().dispatch(request, pk)

    def rows(self):
        if self.change is None or not (self.change.old_due_date and self.change.new_due_date):
            return 0, []
        days = business_days_between(self.change.old_due_date, self.change.new_due_date)
        children = services.open_subtaskers(self.action, self.request.user)
        rows = []
        for child in children:
            verdict = services.may_shift(self.request.user, child)
            rows.append(
                {
                    "child": child,
                    "new_date": shift_business_days(child.due_date, days)
                    if child.due_date
                    else None,
                    "refused": "" if verdict else verdict.reason,
                    "field": f"shift-{child.pk}",
                }
            )
        return days, rows

    def get(self, request, pk):
        days, rows = self.rows()
        form = ShiftSubtaskersForm(initial={"change": getattr(self.change, "pk", None)})
        return self.render(form, days, rows)

    def post(self, request, pk):
        form = ShiftSubtaskersForm(request.POST)
        days, rows = self.rows()
        if (
            not form.is_valid()
            or self.change is None
            or form.cleaned_data["change"] != (self.change.pk)
        ):
            form.add_error(
                None,
                "The suspense of this tasker moved again since this page was opened; the "
                "sub-taskers below follow its last move. Nothing was changed.",
            )
            return self.render(form, days, rows, status=409)
        chosen = {}
        for row in rows:
            version = request.POST.get(row["field"], "")
            if version.isdecimal() and not row["refused"]:
                chosen[row["child"].pk] = int(version)
        if not chosen:
            messages.info(request, "No sub-tasker was moved.")
            return _back(request, self.action)
        try:
            with transaction.atomic():
                repeated = claim_form_key(request, form)
                if repeated is not None:
                    return repeated
                moved = services.shift_subtaskers(self.action, days, request.user, chosen)
                record_form_key(request, form, self.action.get_absolute_url())
        except StaleRows as stale:
            numbers = ", ".join(obj.number for obj in stale.instances)
            form.add_error(
                None,
                f"Changed by someone else since this page was opened: {numbers}. Nothing was "
                "moved; the page now shows them as they are.",
            )
            days, rows = self.rows()
            return self.render(form, days, rows, status=409)
        except ValidationError as refused:
            form.add_error(None, " ".join(refused.messages))
            return self.render(form, days, rows)
        messages.success(request, f"Moved {len(moved)} sub-tasker suspense(s).")
        return _back(request, self.action)

    def render(self, form, days, rows, status=200):
        context = {
            "object": self.action,
            "form": form,
            "days": days,
            "abs_days": abs(days),
            "rows": rows,
            "change": self.change,
        }
        return render(self.request, self.template_name, context, status=status)


class ProcessTemplateEditView(ObjectEditView):
    """A process template with its standard sub-taskers and route steps on one page."""

    template_name = "actions/processtemplate_edit.html"


# --- the generic views, adjusted --------------------------------------------------------------


class ExecutiveActionEditView(ObjectEditView):
    """Create and edit actions: a new one is issued by the user's unit by default; a refused
    status move or due-date change is shown on the form with nothing saved; a due date on a
    weekend or federal holiday is pointed out."""

    # what a sub-tasker takes from its parent (``?parent=``), so a CUI tasker's sub-tasker is
    # not Unclassified and a restricted one's not Internal; the form still lets each change
    INHERITED_FIELDS = templates.INHERITED_FIELDS
    INHERITED_LINKS = templates.INHERITED_LINKS

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
            self._parent = queryset.filter(pk=pk).first() if pk.isdecimal() else None
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
        link that led here named where to go back; with a process template chosen, on the
        template's preview; a moved suspense over open sub-taskers, on the page offering to
        move theirs (issue 16)."""
        next_step = getattr(self, "_next_step", None)
        if obj is not None and obj.pk and next_step:
            return next_step
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
            self._next_step = self.next_step(form, saved)
        return saved

    def next_step(self, form, saved):
        """Where the user goes on after saving: the chosen template's preview, or the offer
        to move the open sub-taskers' suspenses with this one's."""
        template = form.cleaned_data.get("process_template")
        if template is not None and policy.may_add_subtasker(self.request.user, saved):
            url = reverse("actions:executiveaction_apply_template", args=[saved.pk])
            return f"{url}?template={template.pk}"
        if getattr(form, "_moved_due_date", False):
            offer = _offer_shift(self.request, saved)
            return offer.url if offer is not None else None
        return None


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


class ExecutiveActionHistoryView(ObjectHistoryView):
    """The generic history page of an action; a reason naming another tasker the reader may
    not see shows it as unseen (``timeline.number_hider``)."""

    def adjust_entries(self, request, obj, entries):
        hide = timeline.number_hider([e.reason for e in entries], request.user, {obj.number})
        for entry in entries:
            entry.reason = hide(entry.reason)


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
    "ExecutiveActionHistoryView",
    "ExtensionDecideView",
    "ExtensionRequestView",
    "RemindView",
    "TimelineView",
    "RespondView",
    "StatusUpdateEditView",
    "attachment_download",
]
