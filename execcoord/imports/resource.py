"""The base resource: columns, natural keys, the write policy and versions per row."""

import copy
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from import_export import fields as ie_fields
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from execcoord import policy
from execcoord.access import visible
from execcoord.imports.cells import _text, sheet_row
from execcoord.imports.widgets import KeyMap, KeysWidget, KeyWidget, widget_for
from execcoord.models import StaleEdit


@dataclass
class Column:
    """One column of a resource.

    Args:
        attribute: the model field.
        header: the column heading users see.
        keymap: for references, the :class:`KeyMap` of the related model.
        required: the column must be present in the file.
        example: the value of the example row of the template file.
        readonly: exported, never set by an import (the number, the version).
    """

    attribute: str
    header: str
    keymap: KeyMap | None = None
    required: bool = False
    example: object = ""
    readonly: bool = False

    def example_for(self, user):
        """The example value: ``example``, or ``example(user)`` when it is a function (a
        value that must exist for the user, such as their unit's code)."""
        return self.example(user) if callable(self.example) else self.example


VERSION = Column("version", "Version", readonly=True)
"""The version of each record as exported (every resource of a model with a ``version``
ends with it): a row that changes a record must carry the version it was exported at."""

ACTIVE = Column("is_active", "Active", example="Yes")
"""Whether a record of reference data is in use (units, people, accounts, types and
authorities are deactivated, not deleted)."""


def changed_since_message(instance, key):
    """Why a row whose record was saved after the export is refused: by whom, and when."""
    from django.utils import timezone

    latest = instance.history.order_by("-history_date").select_related("history_user").first()
    who = f" by {latest.history_user}" if latest is not None and latest.history_user else ""
    when = (
        f" on {timezone.localtime(latest.history_date):%d %b %Y %H:%M}"
        if latest is not None
        else ""
    )
    return (
        f"“{key}” was changed{who}{when} after your export; importing this row would undo "
        "that change. Export again and make your edit in the new file."
    )


class KeyLoader(BaseInstanceLoader):
    """Finds the existing record of a row through the resource's own key map."""

    def get_instance(self, row):
        return self.resource.find_existing(row)


class BaseResource(resources.ModelResource):
    """A model's import/export columns, matched by natural key (issue 9).

    Subclasses set ``key`` (the :class:`KeyMap` of the model itself, whose key identifies
    a row) and ``columns`` (a list of :class:`Column`, the key's column first); the model,
    the key column and the title follow from them (:meth:`__init_subclass__`). The user doing
    the import is passed as ``user=`` to the constructor; lookups and matching only see
    what ``visible_to(user)`` returns, and every row asks the write policy for that user
    (:meth:`check_policy`).

    Attributes:
        key_attribute: the field of the key column (the first column's).
        title: the resource's name in the import pages (the model's plural name).
        workflow_attributes: fields a subclass applies itself through their workflow (an
            action's status moves through the status machine); the field rule of the
            policy leaves them to it.
    """

    columns: list = []
    key: KeyMap = None
    key_attribute = ""
    title = ""  # e.g. "Organization units"
    help_text = ""
    workflow_attributes = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        skip_html_diff = True
        use_transactions = True
        clean_model_instances = True
        instance_loader_class = KeyLoader

    def __init_subclass__(cls, **kwargs):
        """Derive what the key says: the key column is the first column, ``Meta.model`` is
        the key map's model and ``Meta.fields`` names the key column only (the columns are
        built for each user in ``__init__``); the title is the model's plural name unless
        the resource names another. A ``Meta`` of the subclass adds its own options."""
        super().__init_subclass__(**kwargs)
        if cls.key is None:
            return
        cls.key_attribute = cls.key_attribute or cls.columns[0].attribute
        if getattr(cls.Meta, "model", None) is None:
            derived = {"model": cls.key.model, "fields": (cls.key_attribute,)}
            cls.Meta = type("Meta", (cls.Meta,), derived)
        cls.title = cls.title or capfirst(str(cls.key.model._meta.verbose_name_plural))

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # Key maps are declared once on the class; each resource instance (one import, one
        # user) gets its own copies, so concurrent imports never share loaded records.
        self._maps = {}
        self.key = self._own(type(self).key)
        self.fields = {}
        model = self._meta.model
        hidden = policy.hidden_fields(user, model) if user is not None else ()
        for column in self.columns:
            if column.attribute not in hidden:  # a field the user may not see: no column
                self.fields[column.attribute] = self._field_for(model, column)

    def get_import_fields(self):
        """The columns, computed once per resource instance (once per import)."""
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def _own(self, keymap):
        if keymap is None:
            return None
        return self._maps.setdefault(id(keymap), copy.copy(keymap))

    def _field_for(self, model, column):
        django_field = model._meta.get_field(column.attribute)
        keymap = self._own(column.keymap)
        widget = widget_for(django_field, keymap)
        return ie_fields.Field(
            attribute=column.attribute,
            column_name=column.header,
            widget=widget,
            readonly=column.readonly,
            # None means "keep": an empty cell never nulls a field that cannot be null
            saves_null_values=django_field.null or django_field.many_to_many,
        )

    # -- registry metadata

    @classmethod
    def columns_for(cls, user=None):
        """The columns ``user`` may see (all of them without a user)."""
        hidden = policy.hidden_fields(user, cls._meta.model) if user is not None else ()
        return [c for c in cls.columns if c.attribute not in hidden]

    @classmethod
    def headers(cls, user=None):
        return [c.header for c in cls.columns_for(user)]

    @classmethod
    def required_headers(cls):
        return [c.header for c in cls.columns if c.required]

    @classmethod
    def example_row(cls, user=None):
        """The template's example row: values that import as they are for ``user``."""
        return [c.example_for(user) for c in cls.columns_for(user)]

    @classmethod
    def model_label(cls):
        return cls._meta.model._meta.verbose_name_plural

    @classmethod
    def can_import(cls, user):
        """The write policy's import right (``policy.may_import``): add and change
        permission on the model and the ``import`` privilege a domain app grants."""
        return bool(policy.may_import(user, cls._meta.model))

    @classmethod
    def can_export(cls, user):
        """Who may view the records, unless the write policy keeps the model's export to
        some roles (``export_roles``: the staff directory)."""
        model = cls._meta.model
        meta = model._meta
        return (
            user.is_authenticated
            and policy.has_perm(user, f"{meta.app_label}.view_{meta.model_name}")
            and bool(policy.may_export(user, model))
        )

    # -- lookups

    def keymaps(self):
        """Every key map the columns use, and the resource's own (this instance's copies)."""
        return list(self._maps.values())

    def before_import(self, dataset, **kwargs):
        """Load every lookup once (one query a referenced model) for the whole file."""
        self._seen_keys = {}
        self._dataset = dataset
        self.row_instances = []  # the file's records, to list them after the import
        headers = set(dataset.headers or ())
        self._columns_in_file = {n for n, f in self.fields.items() if f.column_name in headers}
        self._file_fields = [
            f
            for f in self.get_import_fields()
            if f.column_name in headers
            and not f.readonly
            and not isinstance(f.widget, widgets.ManyToManyWidget)
        ]
        self._file_m2m_fields = [
            f
            for f in self.get_import_fields()
            if f.column_name in headers and isinstance(f.widget, widgets.ManyToManyWidget)
        ]
        model = self._meta.model
        self._not_validated = {
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation or f.name not in self._columns_in_file
        }
        self._row_results = {}
        for keymap in self.keymaps():
            keymap.load(self.user)

    def row_key(self, row):
        """The natural key a row carries ('' when it has none)."""
        return _text(row.get(self.key_header()))

    def find_existing(self, row):
        """The existing record a row matches, or ``None`` (a new record)."""
        text = self.row_key(row)
        if not text:
            return None
        return self.key.records.get(text.lower())

    def key_header(self):
        return self.fields[self.key_attribute].column_name

    def get_import_id_fields(self):
        return [self.key_attribute]

    def _check_import_id_fields(self, headers):
        """Missing columns are reported by :func:`read_upload` with their names."""

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number")

    def after_import_row(self, row, row_result, **kwargs):
        self._row_results[kwargs.get("row_number")] = row_result

    def import_instance(self, instance, row, **kwargs):
        """Set the columns' values, ask the write policy, then add the resource's own checks
        (all per column)."""
        instance._import_kept = self._unchanged_references(instance, row)
        instance._import_row, instance._import_row_number = row, self._row_number
        errors = {}
        # import-export's loop formats a debug message for every absent column of every
        # row; only the file's own columns are visited here (same Field.save per cell)
        new = instance._import_new
        for fld in self._file_fields:
            if fld.attribute in instance._import_kept:
                continue
            if new and not _text(row[fld.column_name]):
                continue  # an empty cell of a new record leaves its initial value
            try:
                fld.save(instance, row, **kwargs)
            except ValueError as error:
                errors[fld.attribute] = [ValidationError(str(error), code="invalid")]
        for fld in self._file_m2m_fields:
            if fld.attribute in instance._import_kept:
                continue
            try:
                instance._import_m2m[fld.attribute] = fld.clean(row)
            except ValueError as error:
                errors[fld.attribute] = [ValidationError(str(error), code="invalid")]
        self.restore_hidden(instance, row)
        self._check_duplicate_key(instance, row, errors)
        self.check_policy(instance, row, errors)
        self.check_row(instance, row, errors, **kwargs)
        if errors:
            raise ValidationError(errors)

    def restore_hidden(self, instance, row):
        """Hook: put back stored values the export left blank because the user may not see
        them, before the row's changes are weighed."""

    def changed_attributes(self, instance, row):
        """The fields this row changes: its columns whose value differs from the stored one
        (for a new record, from the initial one). Read-only columns and unchanged references
        never count."""
        initial = instance._import_initial
        changed = []
        for name, fld in self.fields.items():
            if fld.column_name not in row or fld.readonly or name in instance._import_kept:
                continue
            django_field = instance._meta.get_field(name)
            if django_field.many_to_many:
                values = instance._import_m2m.get(name)
                if values is not None and {r.pk for r in values} != initial[name]:
                    changed.append(name)
            elif getattr(instance, django_field.attname) != initial[name]:
                changed.append(name)
        return changed

    def check_policy(self, instance, row, errors):
        """The one write policy for this row (``execcoord.policy``), as a form asks it.

        A new row needs ``may(user, "add")`` for the record as it would be created; a row
        that changes a record needs ``may(user, "change")`` for the record as stored, the
        record's ``Version`` as exported, and ``may(user, "change")`` again for the record
        as it would be saved (a new parent may be someone else's). Each changed column must
        be a field the user may set on the record (``writable_fields``); otherwise it is
        refused by name and put back. An unchanged row asks nothing: it writes nothing.
        """
        model = self._meta.model
        new = instance._import_new
        changed = self.changed_attributes(instance, row)
        if not new and not changed:
            return
        stored = instance._import_stored
        verdict = policy.may(self.user, "add" if new else "change", model, stored)
        if not verdict:
            self._refuse(errors, self.refusal_attribute(instance), verdict.reason)
            return
        names = [name for name in changed if name not in self.workflow_attributes]
        allowed = set(policy.writable_fields(self.user, stored, names))
        for name in names:
            if name not in allowed:
                self._refuse(errors, name, self.fixed_message(name, instance))
                self._put_back(instance, name)
        if new:
            return
        self._check_version(instance, row, errors)
        if not errors:
            verdict = policy.may(self.user, "change", model, instance)
            if not verdict:
                self._refuse(errors, self.refusal_attribute(instance), verdict.reason)

    @staticmethod
    def _refuse(errors, attribute, message):
        errors.setdefault(attribute, []).append(ValidationError(message))

    def _put_back(self, instance, name):
        django_field = instance._meta.get_field(name)
        if django_field.many_to_many:
            instance._import_m2m.pop(name, None)
        else:
            setattr(instance, django_field.attname, instance._import_initial[name])

    def refusal_attribute(self, instance):
        """The column a refusal of the whole row is shown in: the key column."""
        return self.key_attribute

    def fixed_message(self, name, instance):
        """Why the user may not set field ``name`` on this row (a subclass names the workflow
        that sets it)."""
        return (
            "You may not set this column on this record: leave it as exported "
            "(empty for a new record)."
        )

    def _check_version(self, instance, row, errors):
        """A row that changes a record carries the version the record was exported at."""
        fld = self.fields.get("version")
        if fld is None:
            return
        text = _text(row.get(fld.column_name))
        current = instance._import_original["version"]
        # a record an earlier row of this file changed (a unit moved with its parent) is
        # compared at the version it had when the import started
        started = instance.__dict__.get("_import_version_at_start", current)
        if text in (str(current), str(started)):
            return
        key = self.row_key(row)
        if not text:
            message = (
                f"This row changes “{key}” but carries no Version: make your edits in a file "
                "exported from here (its Version column tells whether someone changed the "
                "record since) and import that."
            )
        elif not text.isdecimal() or int(text) > current:
            message = f"“{text}” is not a version of “{key}”: export again and edit that file."
        else:
            message = changed_since_message(instance, key)
        self._refuse(errors, "version", message)

    def refuse_rows(self, result, refusals):
        """Refuse rows found stale while writing, after every row was read: ``refusals`` is
        ``[(instance, message)]``, each shown in the Version column of the instance's row.
        The caller writes nothing more; the import rolls back on these errors."""
        for instance, message in refusals:
            number = instance._import_row_number
            error = ValidationError({"version": [message]})
            row_result = self._row_results.get(number)
            if row_result is not None:
                result.totals[row_result.import_type] -= 1
                result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
                row_result.validation_error = error
            result.append_invalid_row(number, instance._import_row, error)

    def _unchanged_references(self, instance, row):
        """Reference columns whose keys are those already stored: they are left alone.

        Comparing keys (not resolving them again) keeps a reference untouched when its key
        is ambiguous or the record is not loaded, so an unedited cell never changes anything.
        """
        stored = instance._import_original
        if stored is None:
            return set()
        kept = set()
        for name, fld in self.fields.items():
            if fld.column_name not in row or not isinstance(fld.widget, (KeyWidget, KeysWidget)):
                continue
            keymap = fld.widget.keymap
            pks = stored[name] if isinstance(stored[name], set) else {stored[name]} - {None}
            keys = sorted(keymap.key_of_pk(pk) for pk in pks)
            if None in keys:
                continue
            cells = sorted(t.strip().lower() for t in _text(row[fld.column_name]).split(";"))
            if keys == [c for c in cells if c]:
                kept.add(name)
        return kept

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in getattr(instance, "_import_kept", ()):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def _check_duplicate_key(self, instance, row, errors):
        text = self.row_key(row)
        if not text:
            return
        first = self._seen_keys.setdefault(text.lower(), self._row_number)
        if first != self._row_number:
            errors.setdefault(self.key_attribute, []).append(
                ValidationError(
                    f"“{text}” appears more than once in the file "
                    f"(first in row {sheet_row(first, self._dataset)})."
                )
            )

    def check_row(self, instance, row, errors, **kwargs):
        """Hook: add ``{attribute: [messages]}`` for the rules of the model."""

    def after_init_instance(self, instance, new, row, **kwargs):
        """Remember the stored (or initial) values, to weigh the row's changes and skip
        unchanged rows without a second query, and the record as stored, for the policy."""
        instance._import_new = new
        instance._import_original = None if new else self._snapshot(instance)
        instance._import_initial = instance._import_original or self._snapshot(instance)
        instance._import_stored = instance if new else copy.copy(instance)
        instance._import_m2m = {}  # the file's many-to-many values, by field
        self.row_instances.append(instance)

    def _snapshot(self, instance):
        values = {}
        for name in self.fields:
            django_field = instance._meta.get_field(name)
            if django_field.many_to_many:
                values[name] = (
                    {r.pk for r in getattr(instance, name).all()} if instance.pk else set()
                )
            else:
                values[name] = getattr(instance, django_field.attname)
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance._import_new:
            return False
        return not self.changed_attributes(instance, row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """``full_clean`` without the per-row queries the key maps made unnecessary.

        References were resolved from the key maps (so they exist and are visible), and the
        natural key is checked against the file and the database by the resource itself.
        """
        errors = dict(import_validation_errors or {})
        # fields without a column keep their stored or default value: nothing to validate
        exclude = set(errors) | self._not_validated
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for fld in instance._meta.concrete_fields:
            if fld.many_to_one and not fld.null and getattr(instance, fld.attname) is None:
                errors.setdefault(fld.name, ["This column is required."])
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        """History rows name the importing user and the file."""
        instance._history_user = self.user
        instance._change_reason = f"Imported from {kwargs.get('file_name') or 'a file'}"

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save (compare-and-swap, ``BaseModel.save``): a record saved by someone else
        since it was read refuses its row. The save has its own savepoint, so the refusal
        leaves the import's transaction usable to say who changed the record."""
        try:
            with transaction.atomic():
                super().save_instance(instance, is_create, row, **kwargs)
        except StaleEdit:
            message = changed_since_message(instance, self.row_key(row))
            raise ValidationError({"version": [message]}) from None
        if self.key is not None:
            self.key.add(instance)

    def save_m2m(self, instance, row, **kwargs):
        """Write a many-to-many column only when its value changed (no query otherwise)."""
        initial = instance._import_initial
        for name, values in instance._import_m2m.items():
            if {r.pk for r in values} != initial[name]:
                getattr(instance, name).set(values)

    def get_queryset(self):
        return visible(self._meta.model, self.user)

    def export_queryset(self):
        """The rows to export: what the user may see, with the joins the columns need."""
        model = self._meta.model
        qs = self.get_queryset()
        fks = [c.attribute for c in self.columns if c.keymap and not _is_m2m(model, c)]
        m2m = [c.attribute for c in self.columns if c.keymap and _is_m2m(model, c)]
        return qs.select_related(*fks).prefetch_related(*m2m).order_by("pk")

    def export(self, queryset=None, **kwargs):
        """The rows (``typed=True``: dates and numbers as such, for an Excel file)."""
        queryset = queryset if queryset is not None else self.export_queryset()
        return super().export(queryset, **kwargs)


def _is_m2m(model, column):
    return model._meta.get_field(column.attribute).many_to_many
