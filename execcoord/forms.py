"""``BaseModelForm``: create/edit forms of every model (STYLE.md §3).

The base class builds the crispy ``FormHelper`` from a declarative ``fieldsets`` tuple,
restricts every related-record field to ``visible_to(user)`` (and to active records, keeping
the current value), renders dates as ``<input type="date">``, uses search-as-you-type pickers
for related records, and carries the optimistic-concurrency token.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.utils.functional import cached_property

from execcoord import policy
from execcoord.access import has_active_flag, visible
from execcoord.submissions import FORM_KEY, clash_message, new_form_key
from execcoord.widgets import AutocompleteSelect, AutocompleteSelectMultiple

TOKEN_FIELD = "concurrency_token"
NO_CHANGE = "— no change —"


def concurrency_token(instance):
    """The token that changes whenever ``instance`` is saved: its ``version``."""
    if instance is None or instance.pk is None or not hasattr(instance, "version"):
        return ""
    return str(instance.version)


def restrict_to_policy(form, user):
    """Drop the fields of a model form that ``user`` may not set on its instance (the write
    policy's field rules): they are not drawn, and a value POSTed for one is ignored."""
    names = [n for n in form.fields if n in _model_field_names(form)]
    allowed = set(policy.writable_fields(user, form.instance, names))
    for name in names:
        if name not in allowed:
            del form.fields[name]


def _model_field_names(form):
    meta = form.instance._meta
    return {f.name for f in meta.get_fields() if not f.auto_created or f.concrete}


def policy_errors(form, user):
    """Add the write policy's refusal of the form's record, as it would be saved, to the
    form (``add`` for a new record, ``change`` for a stored one)."""
    instance = form.instance
    verb = "change" if instance.pk else "add"
    verdict = policy.may(user, verb, type(instance), instance)
    if not verdict:
        form.add_error(None, verdict.reason)


def name_the_clash(form):
    """Where a unique rule refuses the form's record, say who saved the record holding its
    place and when (``submissions.clash_message``) instead of the rule's bare message."""
    errors = form._errors.get(NON_FIELD_ERRORS) if form._errors else None
    if not errors:
        return
    rules = {
        str(c.violation_error_message)
        for c in form.instance._meta.constraints
        if isinstance(c, UniqueConstraint) and c.violation_error_message
    }
    if not any(str(error) in rules for error in errors):
        return
    clash = clash_message(form.instance)
    if clash:
        form._errors[NON_FIELD_ERRORS] = form.error_class(
            [clash if str(error) in rules else error for error in errors],
            error_class="nonfield",
            renderer=form.renderer,
        )


def restrict_form_fields(form, user):
    """Scope every related-record field of ``form`` to what ``user`` may see and pick.

    Inactive records (``is_active=False``) are not offered, but a value the record already
    holds is kept so editing does not silently drop it (DATA_MODEL.md conventions). Visible
    fields become search-as-you-type pickers; hidden ones (a formset row's ``id``) stay
    hidden, scoped all the same.

    Args:
        form: a bound or unbound model form.
        user: the request user.
    """
    instance = getattr(form, "instance", None)
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        model = field.queryset.model
        queryset = visible(model, user)
        if has_active_flag(model):
            current = _current_pks(instance, name)
            queryset = queryset.filter(Q(is_active=True) | Q(pk__in=current))
        field.queryset = queryset
        if field.widget.is_hidden:
            # a value the page carries but nobody picks (a formset row's ``id``): a picker
            # in its place would never be drawn, and the row would come back without it
            continue
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        widget_class = AutocompleteSelectMultiple if multiple else AutocompleteSelect
        if not isinstance(field.widget, widget_class):
            old = field.widget
            field.widget = widget_class(model, attrs=getattr(old, "attrs", None))
            field.widget.choices = field.choices
            field.widget.is_required = old.is_required


def _current_pks(instance, name):
    if instance is None or instance.pk is None:
        return []
    try:
        model_field = instance._meta.get_field(name)
    except Exception:
        return []
    if model_field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    value = getattr(instance, model_field.attname, None)
    return [value] if value is not None else []


def build_layout(fieldsets, field_names):
    """A crispy ``Layout`` from admin-style fieldsets; fields not listed go last.

    Args:
        fieldsets: ``(("Legend", ("a", "b")), ...)`` or admin-style
            ``(("Legend", {"fields": (...)}), ...)``; ``None`` for one plain group.
        field_names: the form's field names.
    """
    if not fieldsets:
        return Layout(*field_names)
    parts, used = [], set()
    for legend, spec in fieldsets:
        names = spec["fields"] if isinstance(spec, dict) else spec
        names = [n for n in names if n in field_names]
        used.update(names)
        parts.append(Fieldset(legend or "", *names))
    rest = [n for n in field_names if n not in used]
    if rest:
        parts.append(Fieldset("Other", *rest))
    return Layout(*parts)


def fieldset_names(fieldsets):
    """The field names ``fieldsets`` list, group after group."""
    return [
        n for _, spec in fieldsets for n in (spec["fields"] if isinstance(spec, dict) else spec)
    ]


class BaseModelForm(forms.ModelForm):
    """Base of every model form.

    Class attributes:
        fieldsets: admin-style grouping of the fields for the layout. A ``Meta`` that names
            neither ``fields`` nor ``exclude`` takes the fields the fieldsets list, in the
            model's order, so the form does not list them twice.

    Args (constructor):
        user: the request user (scopes the pickers).
    """

    fieldsets = None
    concurrency_token = forms.CharField(widget=forms.HiddenInput, required=False)
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init_subclass__(cls, **kwargs):
        # runs before ModelFormMetaclass reads Meta, so the derived fields are the form's
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if not cls.fieldsets or meta is None or hasattr(meta, "fields") or hasattr(meta, "exclude"):
            return
        named = set(fieldset_names(cls.fieldsets))
        meta.fields = tuple(f.name for f in meta.model._meta.get_fields() if f.name in named)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[TOKEN_FIELD].initial = concurrency_token(self.instance)
        if self.instance.pk is None:
            self.fields[FORM_KEY].initial = new_form_key()
        else:
            del self.fields[FORM_KEY]
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if user is not None:
            restrict_to_policy(self, user)
            restrict_form_fields(self, user)

    def _post_clean(self):
        super()._post_clean()
        name_the_clash(self)
        if self.user is not None:
            policy_errors(self, self.user)

    @cached_property
    def helper(self):
        """The crispy layout, built when first drawn: from the fields the form has by then,
        so a subclass may drop fields in its ``__init__`` (a new record has no reason to
        give for a changed due date) without leaving them in the layout."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        hidden = [n for n in (TOKEN_FIELD, FORM_KEY) if n in self.fields]
        names = [n for n in self.fields if n not in hidden]
        helper.layout = build_layout(self.fieldsets, names)
        for name in hidden:
            helper.layout.append(name)
        return helper

    def changed_since_opened(self):
        """The field labels changed by someone else since this form was opened, or ``None``.

        Returns ``None`` when the record is new or unchanged; otherwise a (possibly empty)
        list of the changed fields' labels, read from the change history. A form without a
        token is stale: nobody can say what its author saw.
        """
        instance = self.instance
        if instance.pk is None:
            return None
        token = self.data.get(self.add_prefix(TOKEN_FIELD), "")
        current = concurrency_token(instance)
        if token == current:
            return None
        return changed_fields_since(instance, token) if token else []

    def accept_current_version(self):
        """Let the next submission overwrite: the token becomes the current one."""
        data = self.data.copy()
        data[self.add_prefix(TOKEN_FIELD)] = concurrency_token(self.instance)
        self.data = data


def changed_fields_since(instance, token):
    """Labels of the fields that differ between the version ``token`` and the current one.

    Args:
        instance: the current record (with a ``history`` of simple-history records).
        token: the ``version`` number or ``updated_at`` isoformat of the version the user saw.
    """
    history = getattr(instance, "history", None)
    if history is None or not str(token).isdecimal():
        return []
    old = history.filter(version=int(token)).order_by("-history_date").first()
    new = history.order_by("-history_date").first()
    if old is None or new is None:
        return []
    ignore = {"updated_at", "version"}
    delta = new.diff_against(old)
    return [
        str(instance._meta.get_field(change.field).verbose_name)
        for change in delta.changes
        if change.field not in ignore
    ]


def bulk_edit_form_for(model, fields=None):
    """A bulk-edit form class for ``model``: every listed field optional, blank = unchanged.

    Args:
        model: the model class.
        fields: field names; default ``model.bulk_edit_fields`` or every editable choice,
            boolean, date and foreign-key field that is not unique.
    """
    if fields is None:
        fields = getattr(model, "bulk_edit_fields", None) or [
            f.name
            for f in model._meta.concrete_fields
            if f.editable
            and not f.unique
            and not f.primary_key
            and (
                f.choices or f.is_relation or isinstance(f, (models.DateField, models.BooleanField))
            )
        ]

    def formfield(field):
        form_field = field.formfield(required=False)
        form_field.initial = None  # never the model's default: "no change" until chosen
        if isinstance(field, models.BooleanField):
            form_field = forms.NullBooleanField(
                label=form_field.label,
                required=False,
                widget=forms.Select(
                    choices=(("unknown", NO_CHANGE), ("true", "Yes"), ("false", "No"))
                ),
            )
        elif form_field.__class__ is forms.TypedChoiceField:
            form_field.choices = [("", NO_CHANGE), *field.choices]
        elif isinstance(form_field, forms.ModelChoiceField):
            form_field.empty_label = NO_CHANGE
        return form_field

    attrs = {name: formfield(model._meta.get_field(name)) for name in fields}
    return type(f"{model.__name__}BulkEditForm", (BulkEditForm,), attrs)


class BulkEditForm(forms.Form):
    """Base of bulk-edit forms: blank fields are left unchanged on every selected record."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if user is not None:
            restrict_form_fields(self, user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def changed_values(self):
        """``{field: value}`` of the fields the user filled in."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "", []) and not (hasattr(value, "exists") and not value.exists())
        }


class PolicyInlineFormSet(forms.BaseInlineFormSet):
    """Asks the write policy about every row submitted through an inline, with the row's
    values, as the row's own admin page would: ``may(add/change/delete)`` and, for a changed
    row, ``writable_fields``. A refused row is an error on that row and nothing is saved.
    ``user`` is set by whoever builds it: ``execcoord.admin.PolicyInline.get_formset`` for
    the admin's inlines, the page for an app's inline tables (a process template's rows)."""

    user = None

    def clean(self):
        super().clean()
        if self.user is None:
            return
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            instance = form.instance
            if id(form) in deleted:
                verb = "delete" if instance.pk else None
            elif form.has_changed():
                verb = "change" if instance.pk else "add"
            else:
                verb = None
            if verb is None:
                continue
            verdict = policy.may(self.user, verb, type(instance), instance)
            if not verdict:
                form.add_error(None, verdict.reason)
                continue
            if verb != "delete":
                changed = [n for n in form.changed_data if n in form.fields]
                allowed = set(policy.writable_fields(self.user, instance, changed))
                for name in changed:
                    if name not in allowed:
                        form.add_error(name, "You may not set this field here.")
