"""The e-mail intake page: upload an ``.eml`` or Outlook ``.msg`` and get a draft tasker
(``actions.intake`` reads it and makes the draft; the secretariat then reviews and issues it
with the normal pages)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.views import View

from execcoord.submissions import OneTimeKeyMixin, claim_form_key, record_form_key

from . import intake
from .models import ExecutiveAction, ExecutiveActionType
from .policy import may_intake


class IntakeForm(OneTimeKeyMixin, forms.Form):
    """The message file and the type its draft gets (sent once: a one-time form key)."""

    message = forms.FileField(
        label="E-mail file",
        help_text="A message saved from the mail program as .eml, or an Outlook .msg.",
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,.msg", "class": "form-control"}),
    )
    action_type = forms.ModelChoiceField(
        queryset=ExecutiveActionType.objects.none(),
        label="Type of the draft",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        types = ExecutiveActionType.objects.visible_to(user).filter(is_active=True)
        self.fields["action_type"].queryset = types
        default = types.filter(name=getattr(settings, "INTAKE_ACTION_TYPE", "")).first()
        if default is not None:
            self.fields["action_type"].initial = default.pk
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        self.fields["message"].help_text += f" At most {limit} MB."


class IntakeView(View):
    """GET: the upload form; POST: the draft, or the reason there is none (a duplicate
    names the draft the message already became, with its link). 403 for a user the policy
    does not let take in e-mail (``actions.policy.may_intake``)."""

    template_name = "actions/intake.html"

    def dispatch(self, request, *args, **kwargs):
        verdict = may_intake(request.user)
        if not verdict:
            raise PermissionDenied(verdict.reason)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(IntakeForm(user=request.user))

    def post(self, request):
        form = IntakeForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["message"]
        try:
            parsed = intake.parse(intake.open_upload(upload), upload.name)
            with transaction.atomic():
                repeated = claim_form_key(request)
                if repeated is not None:
                    return repeated
                action = intake.take_in(parsed, request.user, form.cleaned_data["action_type"])
                record_form_key(request, None, action.get_absolute_url())
        except intake.Duplicate as duplicate:
            visible = ExecutiveAction.objects.visible_to(request.user)
            existing = visible.filter(pk=duplicate.action.pk).first()
            if existing is None:  # a tasker this user may not see is not named to them
                form.add_error(
                    "message",
                    "This e-mail was already taken in, as a tasker you may not see; nothing "
                    "new was created.",
                )
            else:
                form.add_error(
                    "message",
                    format_html(
                        'This e-mail was already taken in as <a href="{}">{}</a>; nothing new '
                        "was created.",
                        existing.get_absolute_url(),
                        existing,
                    ),
                )
            return self.page(form, status=409, existing=existing)
        except intake.IntakeError as refused:
            form.add_error("message", f"{refused} Nothing was created.")
            return self.page(form, status=400)
        messages.success(
            request,
            f"Draft {action.number} was made from the e-mail “{action.title}”: review it, "
            "name its lead office and issue it.",
        )
        return HttpResponseRedirect(action.get_absolute_url())

    def page(self, form, status=200, **context):
        return render(self.request, self.template_name, {"form": form, **context}, status=status)
