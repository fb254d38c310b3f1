"""Base admin class: history, visibility scoping and stale-edit refusal for every model."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from execcoord import policy, registry, tasks
from execcoord.forms import (
    TOKEN_FIELD,
    PolicyInlineFormSet,
    changed_fields_since,
    concurrency_token,
    policy_errors,
)
from execcoord.history import has_version
from execcoord.models import ApiToken, DeadLetter, ImportRun, PreparedExport, StaleEdit
from execcoord.tables import CappedCountPaginator


def relation_fields(model):
    """The names of ``model``'s editable links (foreign keys, one-to-one, many-to-many) in
    declaration order: an admin's ``autocomplete_fields`` when every link is picked by
    search, so a link added to the model is picked the same way without restating it."""
    return tuple(
        f.name
        for f in model._meta.get_fields()
        if f.is_relation
        and f.concrete
        and f.editable
        and (f.many_to_one or f.one_to_one or f.many_to_many)
    )


class ConcurrencyAdminForm(forms.ModelForm):
    """Admin form that refuses a save when someone else saved the record meanwhile, and
    asks the write policy about the record as it would be saved.

    The same token as the generic edit form (``version``), and it is required: a form
    without it is stale. The typed values stay in the form and the error names the fields
    that changed. The save itself is a compare-and-swap (``BaseModel._do_update``), so two
    simultaneous saves of the same version cannot both succeed. ``user`` is set by
    ``BaseAdmin.get_form``. A bookkeeping model without a ``version`` (number counters,
    feed tokens, reminder logs) has no token to check.
    """

    # internal: never named on the page (the admin drew a "Concurrency token" label)
    concurrency_token = forms.CharField(widget=forms.HiddenInput, required=False, label="")
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.versioned = has_version(self._meta.model)
        if self.versioned:
            self.fields[TOKEN_FIELD].initial = concurrency_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        token = self.data.get(self.add_prefix(TOKEN_FIELD), "")
        if self.versioned and self.instance.pk and token != concurrency_token(self.instance):
            changed = changed_fields_since(self.instance, token) if token else []
            raise forms.ValidationError(
                "Someone else saved this record after you opened it"
                + (f" (changed: {', '.join(changed)})" if changed else "")
                + ". Your changes were not saved; reload the page to see theirs.",
                code="stale",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.user is not None:
            policy_errors(self, self.user)


class ChosenRecordFilter(admin.SimpleListFilter):
    """A filter on a foreign key or many-to-many field that lists only the record chosen.

    Django's related-field filter lists every row of the related table on every page, one
    query each (issue 7); this one shows nothing until a record is chosen (a link to the list
    with ``?<parameter_name>=<pk>``, such as the "Actions" column of the related admin), then
    that record and "All": one query, only while filtering. The record is looked up through
    its own admin's queryset, so a non-superuser sees its name only if ``visible_to`` allows.
    A many-to-many field filters through ``EXISTS``, so the list needs no ``DISTINCT``.

    Subclasses set ``title``, ``parameter_name`` and ``field_name`` (a field of the listed
    model).
    """

    field_name = ""

    def has_output(self):
        # Shown, and applied, whenever a value is given, even one that names no record.
        return self.value() is not None

    def lookups(self, request, model_admin):
        chosen = self.value()
        if not chosen or not chosen.isdecimal():
            return ()
        related_model = model_admin.model._meta.get_field(self.field_name).related_model
        related_admin = model_admin.admin_site._registry.get(related_model)
        if related_admin is not None:
            records = related_admin.get_queryset(request)
        else:
            records = related_model._default_manager.visible_to(request.user)
        return [(str(record.pk), str(record)) for record in records.filter(pk=chosen)]

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen is None:
            return queryset
        field = queryset.model._meta.get_field(self.field_name)
        try:
            if not field.many_to_many:
                return queryset.filter(**{field.attname: chosen})
            links = field.remote_field.through._default_manager.filter(
                **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name(): chosen}
            )
            return queryset.filter(Exists(links))
        except (ValueError, ValidationError) as error:  # not a key: the admin's "?e=1"
            raise IncorrectLookupParameters(error) from error


class BaseAdmin(SimpleHistoryAdmin):
    """Admin for a domain model.

    Non-superusers see only what ``visible_to`` lets them see, in changelists, change pages,
    autocomplete results and history (DESIGN.md §4). ``show_full_result_count`` is off so an
    unfiltered changelist never counts a large table twice. Edits carry a concurrency token.
    """

    form = ConcurrencyAdminForm
    show_full_result_count = False
    list_per_page = 50

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """The lists' paginator; the change list needs a number of rows, so above the cap it
        is PostgreSQL's estimate instead of "more than 1000"."""
        return CappedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            estimate_above_cap=True,
        )

    def action_checkbox(self, obj):
        """The row's checkbox, the same HTML as Django's, written directly: Django draws it
        as a form widget, one template render for each row of the list."""
        label = _("Select this object for an action - {}").format(escape(str(obj)))
        return mark_safe(  # noqa: S308 (the values escaped)
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{escape(obj.pk)}"'
            f' class="action-select" aria-label="{label}">'
        )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.visible_to(request.user)

    # -- the one write policy (execcoord.policy), as Django admin asks it

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and bool(
            policy.may(request.user, "add", self.model)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and bool(
            policy.may(request.user, "change", self.model, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and bool(
            policy.may(request.user, "delete", self.model, obj)
        )

    def get_deleted_objects(self, objs, request):
        """Django admin's delete summary; the records of a scoped model that go with the
        deleted record (a tasker's satellites, its due-date history) need no delete right
        of their own: the right to delete their tasker covers them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        scoped = {
            str(model._meta.verbose_name)
            for model in {type(o) for o in objs}
            if policy.policy_for(model).scoped
        }
        if scoped:
            from django.apps import apps

            satellites = {
                str(m._meta.verbose_name) for m in apps.get_models() if policy.policy_for(m).scoped
            }
            perms_needed = {name for name in perms_needed if name not in satellites}
        return deleted, counts, perms_needed, protected

    def get_readonly_fields(self, request, obj=None):
        """The admin's own read-only fields, and every field the policy lets this user not
        set on ``obj`` (workflow facts, a satellite's tasker …)."""
        declared = list(super().get_readonly_fields(request, obj))
        instance = obj if obj is not None else self.model()
        names = [f.name for f in self.model._meta.get_fields() if f.concrete and f.editable]
        allowed = set(policy.writable_fields(request.user, instance, names))
        return declared + [n for n in names if n not in allowed and n not in declared]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_object(self, request, object_id, from_field=None):
        """On a save, the row is locked until the transaction ends, so the version check
        and the write see the same row."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            obj = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            from django.contrib import messages
            from django.http import HttpResponseRedirect

            messages.error(
                request,
                "Someone else saved this record at the same moment; your changes were not "
                "saved. Reload to see theirs.",
            )
            return HttpResponseRedirect(request.get_full_path())

    def history_view(self, request, object_id, extra_context=None):
        """Only for records the user may see: a hidden one is a 404, never its old title."""
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _form_fieldsets(self, request, obj):
        views = registry.get(self.model)
        form_fieldsets = getattr(views.form, "fieldsets", None) if views else None
        if not form_fieldsets:
            return None
        page_only = set(getattr(views.form, "page_only_fields", ()))  # inputs of the app only
        form_fieldsets = [
            (legend, tuple(name for name in _names(spec) if name not in page_only))
            for legend, spec in form_fieldsets
        ]
        placed = {name for _, spec in form_fieldsets for name in _names(spec)}
        for extras in (*self.fields_before.values(), *self.fields_after.values()):
            placed.update(extras)
        return fieldsets_from_form(
            form_fieldsets,
            before=self.fields_before,
            after=self.fields_after,
            collapsed=self.collapsed_groups,
            record=[name for name in self.readonly_fields if name not in placed],
        )

    def _visible_or_404(self, request, object_id):
        from django.contrib.admin.utils import unquote
        from django.http import Http404

        if request.user.is_superuser:
            return
        pk = unquote(object_id)
        try:
            found = self.get_queryset(request).filter(pk=pk).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404("No such record.")

    # The change page groups the fields as the model's form does (its ``fieldsets``, found
    # through the registry): the admin's read-only displays are placed ``before`` or ``after``
    # a form field, or else fall in a last, collapsed "Record" group.
    fields_before: dict = {}
    fields_after: dict = {}
    collapsed_groups: tuple = ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.fieldsets or self._form_fieldsets(request, obj)
        fieldsets = list(fieldsets or super().get_fieldsets(request, obj))
        if obj is not None and not any(
            TOKEN_FIELD in options.get("fields", ()) for _, options in fieldsets
        ):
            fieldsets.append((None, {"fields": [TOKEN_FIELD], "classes": ["hidden"]}))
        return fieldsets


def _names(spec):
    """The fields of one group of a form's ``fieldsets``: ``("a", "b")`` or ``{"fields": …}``."""
    return spec["fields"] if isinstance(spec, dict) else spec


def fieldsets_from_form(fieldsets, *, before=None, after=None, collapsed=(), record=()):
    """Admin fieldsets from a form's ``fieldsets`` (``BaseModelForm``): the admin groups a
    record's fields as its own pages do, and there is one list of them to keep.

    Args:
        fieldsets: the form's ``(("Legend", ("a", "b")), ...)``.
        before, after: ``{form field: (admin-only fields, ...)}`` drawn just before or after
            it: read-only displays the form does not have (the number, computed flags).
        collapsed: the legends of the groups drawn collapsed.
        record: fields of a last, collapsed "Record" group (version, timestamps).
    """
    before, after = before or {}, after or {}
    result = []
    for legend, spec in fieldsets:
        fields = []
        for name in _names(spec):
            fields += [*before.get(name, ()), name, *after.get(name, ())]
        options = {"fields": tuple(fields)}
        if legend in collapsed:
            options["classes"] = ("collapse",)
        result.append((legend, options))
    if record:
        result.append(("Record", {"classes": ("collapse",), "fields": tuple(record)}))
    return tuple(result)


class PolicyInline(admin.TabularInline):
    """An inline of a record's satellites (an action's supporting units …) that asks the
    write policy, as the satellites' own admin pages do.

    Managing the rows on the parent's page takes the right to add a row to this parent
    (``may(user, "add", model, <new row of the parent>)``): adding and changing alike, so
    the assignments of an action are edited here only by those who assign it. Deleting
    takes ``may(user, "delete", …)``. Every submitted row is asked again with its own values
    by :class:`PolicyInlineFormSet`.
    """

    formset = PolicyInlineFormSet

    def _new_row(self, parent):
        fk = next(
            f
            for f in self.model._meta.concrete_fields
            if f.many_to_one
            and f.related_model is self.parent_model
            and (self.fk_name is None or f.name == self.fk_name)
        )
        return self.model(**{fk.name: parent})

    def _may(self, request, verb, parent):
        if parent is None:
            return bool(policy.may(request.user, verb, self.model))
        return bool(policy.may(request.user, verb, self.model, self._new_row(parent)))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request, "add", obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may(request, "delete", obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset


class ReadOnly:
    """Mixed into an admin (before its base) of records the application writes itself:
    administrators read them, nobody adds or changes one here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """An inline that lists child rows without editing them (history-like satellites)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly, admin.ModelAdmin):
    """Administrators see every API token and may revoke any (the secret is never stored,
    so never shown); tokens are made by their users on the API tokens page."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
            count += 1
        self.message_user(request, f"{count} token(s) revoked.")

    # administrators are the staff users (the Admin menu's rule): they see and revoke tokens
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_revoke_permission(self, request):
        return self.has_view_permission(request)


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Background tasks that failed their last try: read, then run again (the action)."""

    list_display = ("__str__", "task_path", "attempts", "error", "created_at", "rerun_at")
    list_filter = ("task_path", ("created_at", admin.DateFieldListFilter))
    search_fields = ("task_path", "error")
    readonly_fields = (
        "task_path",
        "args",
        "kwargs",
        "attempts",
        "error",
        "traceback",
        "created_at",
        "rerun_at",
        "rerun_count",
    )
    actions = ["run_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Run the selected tasks again", permissions=["change"])
    def run_again(self, request, queryset):
        done = 0
        for letter in queryset:
            tasks.rerun(letter)
            done += 1
        self.message_user(request, f"{done} task(s) queued again.")


@admin.register(PreparedExport)
class PreparedExportAdmin(ReadOnly, admin.ModelAdmin):
    """Prepared exports (``execcoord.background``): whose, what, how large, until when. No
    download here: a file is served to its owner only (My exports)."""

    list_display = ("__str__", "owner", "status", "row_count", "size", "expires_at")
    list_filter = ("status", "format", ("created_at", admin.DateFieldListFilter))
    search_fields = ("owner__username", "model", "title")
    readonly_fields = (
        "owner",
        "model",
        "title",
        "format",
        "query",
        "status",
        "row_count",
        "size",
        "error",
        "created_at",
        "finished_at",
        "expires_at",
    )
    exclude = ("path",)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnly, admin.ModelAdmin):
    """Background imports (``execcoord.background``): whose, which file, the outcome."""

    list_display = ("__str__", "owner", "resource", "row_count", "status", "finished_at")
    list_filter = ("status", "resource", ("created_at", admin.DateFieldListFilter))
    search_fields = ("owner__username", "file_name")
    readonly_fields = (
        "owner",
        "resource",
        "file_name",
        "row_count",
        "status",
        "error",
        "report",
        "created_at",
        "finished_at",
    )
    exclude = ("path",)
