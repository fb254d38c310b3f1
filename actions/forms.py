"""Create/edit forms of the actions app."""

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from execcoord.formats import format_date
from execcoord.forms import BaseModelForm, PolicyInlineFormSet, bulk_edit_form_for

from . import models
from .business_days import add_business_days, holidays_between, non_business_day_reason
from .choices import AssignmentStatus
from .policy import answers_on_behalf
from .services import change_due_date, default_due_date, late_suspense_problem


class ExecutiveActionTypeForm(BaseModelForm):
    fieldsets = (
        ("Type", ("name", "category", "number_prefix", "description", "is_active")),
        ("Defaults", ("default_priority", "default_days_to_due")),
        (
            "Required before issuing",
            ("requires_legal_authority", "requires_impact_assessment", "requires_risk_assessment"),
        ),
    )

    class Meta:
        model = models.ExecutiveActionType


class TagForm(BaseModelForm):
    class Meta:
        model = models.Tag
        fields = ("name",)


def prefer_lead_unit_people(form):
    """The accountable-person picker offers the people of the chosen lead unit first: its
    search asks the endpoint with ``prefer=<lead unit>`` (``static/js/execcoord.js``)."""
    if "accountable_person" in form.fields and "lead_unit" in form.fields:
        attrs = form.fields["accountable_person"].widget.attrs
        attrs["data-autocomplete-prefer-from"] = form["lead_unit"].auto_id


class ExecutiveActionForm(BaseModelForm):
    """Create and edit an action. The write policy (``actions.policy``) removes the fields
    the user may not set: the workflow facts always (status moves through the workflow
    buttons, the lead unit and accountable person through the Assign page once the action
    exists). A due-date change goes through ``services.change_due_date`` with the reason
    typed here; a new action starts as a draft with the type's business-day suspense when
    no due date is given."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date of an existing action.",
    )
    due_in_business_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=999,
        label="Or: due in business days",
        help_text="Sets the due date this many business days from today (weekends and "
        "federal holidays skipped); it wins over the date above.",
    )
    process_template = forms.ModelChoiceField(
        queryset=models.ProcessTemplate.objects.none(),
        required=False,
        label="Apply a process template",
        help_text="After saving, preview the template's standard sub-taskers, due back-planned "
        "from this action's suspense, and create them.",
    )
    # fields of the staff pages only (the admin's form has neither)
    page_only_fields = ("process_template", "due_in_business_days")
    fieldsets = (
        (
            "Action",
            (
                "title",
                "action_type",
                "process_template",
                "category",
                "status",
                "priority",
                "health",
                "description",
                "details",
                "parent",
            ),
        ),
        ("Responsibility", ("lead_unit", "accountable_person", "partners")),
        (
            "Dates",
            (
                "start_date",
                "due_date",
                "due_in_business_days",
                "due_date_change_reason",
                "late_suspense_reason",
                "completed_date",
                "percent_complete",
            ),
        ),
        ("Issuance", ("issued_by", "issuing_unit", "issue_date", "executive_sponsor")),
        (
            "Receipt",
            (
                "method_of_receipt",
                "received_date",
                "received_from_account",
                "received_from_unit",
                "received_from_person",
            ),
        ),
        ("Access", ("visibility", "security_classification")),
        (
            "Context",
            (
                "source_legal_authority",
                "source_analysis",
                "source_impact",
                "source_risk_item",
                "legal_authorities",
                "analyses",
                "impacts",
                "risk_items",
                "agreements",
                "tags",
            ),
        ),
        (
            "Plan",
            (
                "estimated_effort_hours",
                "estimated_budget",
                "strategic_alignment",
                "success_criteria",
                "requires_formal_decision",
                "compliance_driven",
            ),
        ),
        ("Closure", ("outcome", "outcome_summary", "notes")),
    )

    class Meta:
        model = models.ExecutiveAction
        exclude = ("held_from_status", "original_due_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or "due_date" not in self.fields:
            del self.fields["due_date_change_reason"]  # nothing to explain
        if "due_date" in self.fields:
            self.business_days_widget(timezone.localdate())
        else:
            self.fields.pop("due_in_business_days", None)
        if self.instance.pk is None and "action_type" in self.fields:
            self.fields["process_template"].queryset = models.ProcessTemplate.objects.filter(
                is_active=True
            ).select_related("action_type")
            self.fields["process_template"].label_from_instance = lambda t: (
                f"{t.name} ({t.action_type})"
            )
        else:
            del self.fields["process_template"]  # applied from the action's page instead
        prefer_lead_unit_people(self)

    def business_days_widget(self, today):
        """The live date of "due in N business days" (``static/js/execcoord.js``): today and
        the federal holidays of this year and the next two, the server's own calendar."""
        attrs = self.fields["due_in_business_days"].widget.attrs
        attrs["data-business-days-target"] = self["due_date"].auto_id
        attrs["data-today"] = today.isoformat()
        attrs["data-holidays"] = ",".join(holidays_between(today.year, today.year + 2))

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        today = timezone.localdate()
        days = cleaned.get("due_in_business_days")
        if days is not None and "due_date" in self.fields:
            cleaned["due_date"] = add_business_days(today, days)
            self.data = self.data.copy()  # drawn again: the date field shows the result
            self.data[self.add_prefix("due_date")] = cleaned["due_date"].isoformat()
        if instance.pk is None:
            if not cleaned.get("due_date") and cleaned.get("action_type"):
                cleaned["due_date"] = default_due_date(
                    cleaned["action_type"], parent=cleaned.get("parent")
                )
        elif (
            "due_date" in self.fields
            and cleaned.get("due_date") != instance.due_date
            and not cleaned.get("due_date_change_reason", "").strip()
        ):
            self.add_error("due_date_change_reason", "Say why the due date changes.")
        self.check_parent_suspense(cleaned)
        template = cleaned.get("process_template")
        if (
            template
            and cleaned.get("action_type")
            and template.action_type != cleaned["action_type"]
        ):
            self.add_error(
                "process_template",
                f"“{template}” is a template for {template.action_type}, not for "
                f"{cleaned['action_type']}.",
            )
        return cleaned

    def check_parent_suspense(self, cleaned):
        """A sub-tasker may not be due after its parent unless the user says why
        (``services.late_suspense_problem``)."""
        instance = self.instance
        instance._parent_suspense_checked = True  # with the typed values: the model need not
        problem = late_suspense_problem(
            instance,
            cleaned.get("parent", instance.parent if instance.parent_id else None),
            cleaned.get("due_date", instance.due_date),
            cleaned.get("late_suspense_reason", instance.late_suspense_reason),
        )
        if problem:
            field = "late_suspense_reason" if "late_suspense_reason" in self.fields else None
            self.add_error(field, problem)

    def due_date_warning(self):
        """A note when the due date falls on a weekend or federal holiday (not an error)."""
        due = self.cleaned_data.get("due_date") if hasattr(self, "cleaned_data") else None
        reason = non_business_day_reason(due)
        return f"The due date {format_date(due)} falls on {reason}." if reason else None

    def save(self, commit=True):
        """Save the fields, then move the due date through ``services.change_due_date``
        (history and the ``DueDateChange`` happen there)."""
        instance = self.instance
        if instance.pk is None or not commit:
            return super().save(commit=commit)
        new_due = instance.due_date
        instance.due_date = instance._stored_due_date
        if self.user is not None:
            instance._history_user = self.user
        saved = super().save(commit=True)
        if new_due != saved.due_date:
            change_due_date(
                saved, new_due, self.user, self.cleaned_data["due_date_change_reason"].strip()
            )
            self._moved_due_date = True
        return saved


class ExecutiveActionBulkEditForm(
    bulk_edit_form_for(
        models.ExecutiveAction, ("status", "priority", "health", "due_date", "visibility")
    ),
):
    """Bulk edit of actions: a status is a move of the status machine, made per record
    through ``services.transition``; a due date goes through ``services.change_due_date``
    with the reason; the rest are set on each record (``BulkEditView.apply``)."""

    due_date_change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the due date changes",
        help_text="Required when you change the due date.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_date") and not cleaned.get("due_date_change_reason", "").strip():
            self.add_error("due_date_change_reason", "Say why the due dates change.")
        return cleaned


class AssignmentForm(BaseModelForm):
    """A supporting unit on an action. Those who assign set the unit, person, role and dates;
    the unit itself (or the issuer, for an answer received outside the app) sets the
    answer, which records who entered it."""

    def save(self, commit=True):
        answer = {"status", "response"} & set(self.changed_data)
        if answer and self.user is not None and self.instance.pk:
            instance = self.instance
            instance.responded_by = self.user
            instance.entered_on_behalf = answers_on_behalf(self.user, instance)
            if instance.status != AssignmentStatus.ACKNOWLEDGED:
                instance.responded_at = timezone.now()
        return super().save(commit=commit)

    class Meta:
        model = models.Assignment
        fields = (
            "action",
            "organization_unit",
            "person",
            "role",
            "due_date",
            "allow_later_due_date",
            "status",
            "response",
        )


class StatusUpdateForm(BaseModelForm):
    fieldsets = (
        (
            "Update",
            (
                "action",
                "kind",
                "sent_to",
                "status_date",
                "reporting_period_start",
                "reporting_period_end",
                "reported_by",
                "health",
                "percent_complete",
            ),
        ),
        (
            "Report",
            (
                "key_accomplishments",
                "challenges_and_risks",
                "decisions_needed",
                "resource_concerns",
                "next_steps",
            ),
        ),
        (
            "Impact",
            (
                "timeline_impact",
                "budget_impact",
                "scope_change_requested",
                "escalation_required",
                "notes",
            ),
        ),
    )

    class Meta:
        model = models.StatusUpdate
        exclude = ()


class ExtensionRequestForm(BaseModelForm):
    class Meta:
        model = models.ExtensionRequest
        fields = ("action", "requested_due_date", "justification")


class DueDateChangeForm(BaseModelForm):
    class Meta:
        model = models.DueDateChange
        fields = (
            "action",
            "old_due_date",
            "new_due_date",
            "changed_at",
            "reason",
            "extension_request",
        )


class AttachmentForm(BaseModelForm):
    class Meta:
        model = models.Attachment
        fields = ("action", "title", "kind", "file")


class RouteStepForm(BaseModelForm):
    """Only for the generic pages' shape: the write policy refuses every generic write of a
    route step (the route panel changes routes, ``actions.routing``)."""

    class Meta:
        model = models.RouteStep
        fields = ("action", "position", "kind", "organization_unit", "person")


class RouteStepEventForm(BaseModelForm):
    """Only for the generic pages' shape (the route's history is written by
    ``actions.routing``)."""

    class Meta:
        model = models.RouteStepEvent
        fields = ("action", "step", "kind", "outcome", "text")


# --- process templates (issue 16) ------------------------------------------------------------


def bootstrap_widgets(form):
    """Bootstrap classes on a plain form's widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif not widget.is_hidden:
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class TemplateRowForm(forms.ModelForm):
    """One row of a template's inline table (a standard sub-tasker or route step): only
    active units and people are offered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organization_unit", "person"):
            field = self.fields.get(name)
            if field is not None:
                field.queryset = field.queryset.filter(is_active=True)
        bootstrap_widgets(self)


def _template_rows(model):
    """The formset of a process template's rows of ``model`` (its ``row_fields``): two empty
    rows offered each time, any row deletable, every row asking the write policy."""
    return inlineformset_factory(
        models.ProcessTemplate,
        model,
        form=TemplateRowForm,
        formset=PolicyInlineFormSet,
        fields=model.row_fields,
        extra=2,
        can_delete=True,
    )


SubtaskerRowsFormSet = _template_rows(models.TemplateSubtasker)
RouteStepRowsFormSet = _template_rows(models.TemplateRouteStep)


class ProcessTemplateForm(BaseModelForm):
    """A process template with its standard sub-taskers and route steps, edited on one page:
    two inline tables (``inlines``) saved with the template, whose version the page carries
    (every save of the page grows it, so a page opened before another's save is refused).
    A post without a table's management data leaves that table's rows as they are."""

    fieldsets = (("Template", ("name", "action_type", "description", "is_active")),)

    class Meta:
        model = models.ProcessTemplate

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else None
        self.inlines = []
        for title, formset_class, prefix in (
            ("Standard sub-taskers", SubtaskerRowsFormSet, "subtaskers"),
            ("Standard route", RouteStepRowsFormSet, "route_steps"),
        ):
            if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
                continue
            formset = formset_class(data, instance=self.instance, prefix=prefix)
            formset.user, formset.title = self.user, title
            self.inlines.append(formset)

    def is_valid(self):
        valid = super().is_valid()
        rows = [formset.is_valid() for formset in self.inlines]  # every table's errors show
        return valid and all(rows)

    def save(self, commit=True):
        template = super().save(commit=commit)
        if commit:
            for formset in self.inlines:
                formset.instance = template
                for row in formset.save(commit=False):
                    row._history_user = self.user
                    row.full_clean()
                    row.save()
                for row in formset.deleted_objects:
                    row._history_user = self.user
                    row.delete()
        return template


class TemplateSubtaskerForm(BaseModelForm):
    class Meta:
        model = models.TemplateSubtasker
        fields = ("template", *models.TemplateSubtasker.row_fields)


class TemplateRouteStepForm(BaseModelForm):
    class Meta:
        model = models.TemplateRouteStep
        fields = ("template", *models.TemplateRouteStep.row_fields)
