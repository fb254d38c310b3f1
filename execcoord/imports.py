"""Import and export of records from spreadsheets (issue 9), on django-import-export.

The generic part: widgets that resolve references by natural key (never by database id),
accept choice labels or slugs, and explain bad values in plain words; a base resource whose
rows match existing records by natural key and whose lookups are loaded once per import; the
reading of uploaded files (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and .xlsx); and a
small registry of resources that each domain app fills from its ``resources.py``.

This module imports no domain app: resources register themselves (``register``) and are
found by :func:`load_resources`, which imports ``<app>.resources`` of every project app.

Rules every resource follows:

- Columns have human headers; a reference column names the key it expects ("Lead unit
  (code)"). Choice columns export the label and accept the label or the stored value, in any
  letter case. Many-valued columns separate values with ``;``.
- A row matches an existing record by the natural key (``key_field``); a row whose key is
  unknown creates a record. Lookups only see what ``visible_to(user)`` lets the user see.
- An unchanged row is skipped: it writes nothing and no history row.
- Every row asks the one write policy (``execcoord.policy``), as a form does: a new row
  ``may(user, "add", …)``, a row that changes a record ``may(user, "change", …)``. A column
  for a field the user may not set on that row (``writable_fields``: workflow facts, fields
  of someone else's workflow) is refused, naming the column, when its value differs from the
  stored one (for a new record: from its initial value), and ignored when it does not. An
  empty cell of a new record leaves the field at its initial value.
- A row that changes a record must carry the record's ``Version`` as exported: a missing or
  older one refuses the row, naming who changed the record and when, so re-importing an old
  file never undoes a newer edit. The writes are compare-and-swap as well (``save()``,
  ``bulk_update_with_history``): a record saved while the file is imported refuses its row.
- Errors are collected per row and column; the caller imports nothing when there is any.
"""

import copy
import csv
import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import import_module

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from import_export import fields as ie_fields
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from execcoord import policy
from execcoord.access import visible
from execcoord.models import StaleEdit

FORMULA_PREFIXES = ("=", "+", "-", "@")
SEPARATOR = "; "
ALLOWED_EXTENSIONS = (".csv", ".xlsx")
PREVIEW_ROWS = 20
MAX_LISTED_ERRORS = 500

_EMPTY = (None, "")


def _text(value):
    """The cell as stripped text ('' for an empty cell); numbers from Excel without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- widgets ----------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Plain text; undoes the quote the export puts before text that looks like a formula."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value)
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
            text = text[1:]
        return text.strip()

    def render(self, value, obj=None, **kwargs):
        text = "" if value is None else str(value)
        return "'" + text if text[:1] in FORMULA_PREFIXES else text


class ChoiceWidget(widgets.Widget):
    """A choice column: exports the label, accepts the label or the value in any case.

    Args:
        choices: the field's ``(value, label)`` pairs.
        blank: the field may be empty (an empty cell clears it); otherwise an empty cell
            keeps the current (or default) value.
    """

    def __init__(self, choices, blank=False, **kwargs):
        self.choices = [(str(v), str(label)) for v, label in choices]
        self.by_key = {}
        for value, label in self.choices:
            self.by_key[value.lower()] = value
            self.by_key[label.lower()] = value
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return "" if self.blank else None
        found = self.by_key.get(text.lower())
        if found is None:
            allowed = ", ".join(label for _, label in self.choices)
            raise ValueError(f"“{text}” is not one of the allowed values: {allowed}.")
        return found

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(str(value), value or "") if value else ""


DATE_SHAPE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{4}/\d{1,2}/\d{1,2})$")


class DateWidget(widgets.Widget):
    """A date: an Excel date cell, ``YYYY-MM-DD`` or ``MM/DD/YYYY``; exported as ISO text, or
    as the date itself for a typed (Excel) export (``typed=True``)."""

    FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        if " " in text and text.endswith("00:00:00"):
            text = text.split(" ")[0]
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if DATE_SHAPE.match(text):  # written as asked, but no such day (2026-02-31)
            raise ValueError(f"“{text}” is not a day of the calendar: check the day and month.")
        raise ValueError(f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31.")

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("typed"):
            return value
        return value.isoformat() if value else ""


class YesNoWidget(widgets.Widget):
    """A yes/no column: exports Yes/No; accepts yes/no, true/false, y/n, 1/0."""

    TRUE = {"yes", "y", "true", "1", "x"}
    FALSE = {"no", "n", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if not text:
            return None  # keep the current or default value
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{_text(value)}” is not Yes or No.")

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class NumberWidget(widgets.Widget):
    """A number (``integer=True``: a whole number); empty is empty."""

    def __init__(self, integer=False, **kwargs):
        self.integer = integer
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}” is not a number.") from None
        if self.integer:
            if number != number.to_integral_value():
                raise ValueError(f"“{text}” is not a whole number.")
            return int(number)
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("typed"):
            return value  # a number cell in Excel
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return value


def _sentence(text):
    return text[:1].upper() + text[1:]


class KeyMap:
    """Records of one model by natural key (lower-cased), loaded once per import.

    Args:
        model: the related model.
        key: a function ``record -> key text`` (``None`` or ``''``: no key).
        noun: how an error names the key, e.g. "unit code".
    """

    def __init__(self, model, key, noun):
        self.model, self.key, self.noun = model, key, noun
        self.records = None
        self.by_pk = {}
        self.shared = {}  # key -> how many records share it (only keys with several)
        self.user = None

    def load(self, user):
        self.user = user
        self.records, self.by_pk, self.shared = {}, {}, {}
        for record in visible(self.model, user).order_by("pk"):
            self.add(record)

    def add(self, record):
        """Index a record (also one created by this import, so later rows find it)."""
        if self.records is None:
            return
        self.by_pk[record.pk] = record
        text = (self.key(record) or "").lower()
        if not text:
            return
        other = self.records.setdefault(text, record)
        if other.pk != record.pk:
            self.shared[text] = self.shared.get(text, 1) + 1

    def key_of_pk(self, pk):
        """The key of the loaded record ``pk`` (lower-cased), or ``None`` if not loaded."""
        record = self.by_pk.get(pk)
        return (self.key(record) or "").lower() if record is not None else None

    def get(self, text):
        if self.records is None:
            raise RuntimeError("KeyMap used before load()")
        lowered = text.lower()
        record = self.records.get(lowered)
        if record is None:
            raise ValueError(_sentence(f"{self.noun} “{text}” does not exist."))
        if lowered in self.shared:
            raise ValueError(
                _sentence(
                    f"{self.noun} “{text}” is shared by {self.shared[lowered]} records, "
                    "so it cannot tell which one is meant: make it unique first."
                )
            )
        return record


class KeyWidget(widgets.Widget):
    """A foreign key written as the related record's natural key."""

    def __init__(self, keymap, **kwargs):
        self.keymap = keymap
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return self.keymap.get(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return self.keymap.key(value) or "" if value is not None else ""


class KeysWidget(widgets.ManyToManyWidget):
    """A many-to-many column: natural keys separated by ``;``."""

    def __init__(self, keymap, **kwargs):
        self.keymap = keymap
        super().__init__(keymap.model, separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        texts = [t.strip() for t in _text(value).split(";")]
        return [self.keymap.get(t) for t in texts if t]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(self.keymap.key(r) or "" for r in value.all()))


# --- resources ----------------------------------------------------------------------------


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

    Subclasses set ``Meta.model``, ``columns`` (a list of :class:`Column`) and ``key``
    (the :class:`KeyMap` of the model itself, whose key identifies a row). The user doing
    the import is passed as ``user=`` to the constructor; lookups and matching only see
    what ``visible_to(user)`` returns, and every row asks the write policy for that user
    (:meth:`check_policy`).

    Attributes:
        workflow_attributes: fields a subclass applies itself through their workflow (an
            action's status moves through the status machine); the field rule of the
            policy leaves them to it.
    """

    columns: list = []
    key: KeyMap = None
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
        if keymap is not None and django_field.many_to_many:
            widget = KeysWidget(keymap)
        elif keymap is not None:
            widget = KeyWidget(keymap)
        elif django_field.choices:
            widget = ChoiceWidget(django_field.choices, blank=django_field.blank)
        elif django_field.get_internal_type() == "DateField":
            widget = DateWidget()
        elif django_field.get_internal_type() == "BooleanField":
            widget = YesNoWidget()
        elif django_field.get_internal_type() in (
            "IntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SmallIntegerField",
        ):
            widget = NumberWidget(integer=True)
        elif django_field.get_internal_type() == "DecimalField":
            widget = NumberWidget()
        else:
            widget = TextWidget()
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
            and user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
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

    key_attribute = "name"

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


def sheet_row(row_number, dataset=None):
    """The spreadsheet row of data row ``row_number`` (1-based): the row the reader found
    it in (blank rows counted), else the header is row 1 and data follow without gaps."""
    rows = getattr(dataset, "sheet_rows", None)
    if rows and row_number and 0 < row_number <= len(rows):
        return rows[row_number - 1]
    return (row_number or 0) + 1


# --- registry ----------------------------------------------------------------------------

_resources = {}


def register(slug):
    """Class decorator: offer a resource on the import/export page under ``slug``."""

    def decorator(resource_class):
        resource_class.slug = slug
        _resources[slug] = resource_class
        return resource_class

    return decorator


def load_resources():
    """Import ``<app>.resources`` of every project app (they register themselves)."""
    from pathlib import Path

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if config.name == "execcoord" or base not in Path(config.path).resolve().parents:
            continue
        if module_has_submodule(config.module, "resources"):
            import_module(f"{config.name}.resources")


def all_resources():
    load_resources()
    return list(_resources.values())


def get_resource(slug):
    load_resources()
    return _resources.get(slug)


def importable_by(user):
    return [r for r in all_resources() if r.can_import(user)]


# --- files ----------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file cannot be read as a table; ``str(error)`` says why in plain words."""


def read_upload(name, data, resource_class):
    """Read an uploaded file into a ``tablib.Dataset``, or raise :class:`ImportFileError`.

    The content decides how the file is read, the name only what the user meant: a
    workbook saved with a ``.csv`` name is read as the workbook it is, and a PDF, an
    archive, an old ``.xls`` or random bytes are named as such. The dataset carries
    ``sheet_rows`` (the spreadsheet row of each data row, blank rows counted, so messages
    name the rows the user sees) and ``notes`` (what the reader did that the user should
    know, such as filling merged cells).

    Args:
        name: the file name (its extension must be .csv or .xlsx).
        data: the file's bytes.
        resource_class: the resource, for the expected and required columns.
    """
    ext = os.path.splitext(name or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError(f"“{name}” is not a CSV or Excel file: upload a .csv or .xlsx file.")
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportFileError(
            f"The file is {_mb(len(data))}; files may be at most {_mb(limit)}. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    kind = _sniff(data)
    if kind in FOREIGN_FORMATS:
        raise ImportFileError(FOREIGN_FORMATS[kind])
    if kind == "zip" or ext == ".xlsx":
        dataset = _read_xlsx(data)
    else:
        dataset = _read_csv(data)
    headers = [_text(h) for h in (dataset.headers or [])]
    if not any(headers):
        raise ImportFileError("The file has no header row.")
    if len(dataset) == 0:
        raise ImportFileError("The file has a header row but no data rows.")
    dataset.headers = _match_headers(headers, resource_class.headers())
    unknown = [h for h in dataset.headers if h and h not in resource_class.headers()]
    if unknown:
        raise ImportFileError(
            "The file has column(s) this import does not know: "
            + ", ".join(f"“{h[:60]}”" for h in unknown[:10])
            + ". Rename or remove them (the template lists the expected headers)."
        )
    missing = [h for h in resource_class.required_headers() if h not in dataset.headers]
    if missing:
        raise ImportFileError(
            "The file lacks the required column(s): "
            + ", ".join(f"“{h}”" for h in missing)
            + ". Download the template to see the expected headers."
        )
    return dataset


# What a file that is not a table is, by its first bytes, and what to tell its uploader.
FOREIGN_FORMATS = {
    "pdf": "This file is a PDF document, not a spreadsheet: export the table from the "
    "program that made it as CSV or Excel (.xlsx).",
    "gzip": "This file is compressed (gzip): unpack it and upload the CSV or Excel file inside.",
    "ole": "This is an old-style Excel (.xls) or other Office file: open it in Excel and save "
    "it as an Excel workbook (.xlsx) or as CSV.",
    "binary": "This file holds binary data, not text: it is not a CSV file. Save the "
    "spreadsheet as CSV (UTF-8) or as an Excel workbook (.xlsx).",
}
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"PK\x03\x04", "zip"),
)


def _sniff(data):
    """``zip`` (a workbook, or an archive), a key of ``FOREIGN_FORMATS``, or ``text``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark ("Unicode text" from Excel)
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if controls > 2 + len(sample) // 100:  # a stray NUL in a cell is the cell's problem
        return "binary"
    return "text"


def _mb(size):
    return f"{size / (1024 * 1024):.1f} MB"


def _match_headers(headers, expected):
    """Headers as the resource spells them, whatever the case and surrounding spaces."""
    by_lower = {h.lower(): h for h in expected}
    return [by_lower.get(h.lower(), h) for h in headers]


def decode_csv(data):
    """CSV text from bytes: UTF-16 with a byte-order mark, UTF-8 (with or without BOM),
    else Windows-1252 (what Excel writes for "CSV" in the United States)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportFileError("This file is damaged: it is not valid UTF-16 text.") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _new_dataset(header):
    dataset = tablib.Dataset(headers=header)
    dataset.sheet_rows = []
    dataset.notes = []
    return dataset


def _read_csv(data):
    """Rows of a CSV file; blank lines are skipped but counted, so row numbers stay the
    spreadsheet's. Any line ending is read (Windows, Unix, and the old Mac's CR alone)."""
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=None), dialect)
    dataset, width = None, 0
    try:
        for number, row in enumerate(reader, 1):
            if not any(c.strip() for c in row):
                continue
            if dataset is None:
                dataset, width = _new_dataset(row), len(row)
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                raise ImportFileError(
                    f"Row {number} has more cells than the header row has columns."
                )
            dataset.append((row + [""] * width)[:width])
            dataset.sheet_rows.append(number)
    except csv.Error as error:
        raise ImportFileError(
            f"Row {reader.line_num} cannot be read as CSV ({error}). Save the spreadsheet as "
            "CSV again, or upload it as an Excel workbook (.xlsx)."
        ) from error
    if dataset is None:
        raise ImportFileError("The file is empty.")
    return dataset


def _read_xlsx(data):
    """Rows of the first sheet of a workbook, numbered as in Excel; merged cells are filled
    from their first cell when they join rows of one column, and refused otherwise."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(data, getattr(sheet, "_worksheet_path", ""))
        rows = list(enumerate(sheet.iter_rows(values_only=True), 1))
        workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways
        raise ImportFileError(
            "This file could not be read as an Excel (.xlsx) workbook: it may be damaged, "
            "protected with a password, or another kind of file. Open it in Excel and save "
            "it again as .xlsx, or save it as CSV."
        ) from error
    rows = [(n, list(row)) for n, row in rows if any(_text(c) for c in row)]
    if not rows:
        raise ImportFileError("The file is empty.")
    header_row, header = rows[0]
    while header and not _text(header[-1]):
        header = header[:-1]
    width = len(header)
    values = {n: row for n, row in rows}
    notes = _fill_merged(merged, values, header_row)
    dataset = _new_dataset([_text(h) for h in header])
    dataset.notes = notes
    for number in sorted(values):
        row = values[number]
        if number > header_row and any(_text(c) for c in row):
            dataset.append((row + [None] * width)[:width])
            dataset.sheet_rows.append(number)
    return dataset


def _merged_ranges(data, sheet_path):
    """The merged ranges (``B3:B5``) of a sheet, read from its XML (openpyxl's read-only
    mode, which keeps memory flat on large files, does not report them)."""
    from xml.etree.ElementTree import iterparse

    if not sheet_path:
        return []
    ranges = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with archive.open(sheet_path.lstrip("/")) as xml:
            for _, element in iterparse(xml):
                if element.tag.endswith("}mergeCell") and element.get("ref"):
                    ranges.append(element.get("ref"))
                element.clear()
    return ranges


def _fill_merged(ranges, values, header_row):
    """Fill each merged range down one column from its first cell; refuse the others.

    Returns:
        The notes telling the user which rows took which value.
    """
    from openpyxl.utils.cell import range_boundaries

    notes, refused = [], []
    for ref in ranges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row <= header_row <= max_row:
            refused.append(f"{ref} (in the header row)")
            continue
        if min_col != max_col:
            refused.append(ref)
            continue
        anchor = values.get(min_row, [])
        value = anchor[min_col - 1] if len(anchor) >= min_col else None
        for number in range(min_row + 1, max_row + 1):
            row = values.setdefault(number, [])
            row.extend([None] * (min_col - len(row)))
            row[min_col - 1] = value
        if _text(value):
            notes.append(
                f"Cells {ref} are merged: rows {min_row + 1}–{max_row} took "
                f"“{_text(value)[:60]}” from row {min_row}."
            )
    if refused:
        raise ImportFileError(
            "The workbook has merged cells the import cannot split: "
            + ", ".join(refused[:10])
            + ". Unmerge them (Home › Merge & Center) so each column of each row has its own "
            "value, then upload the file again."
        )
    return notes


def write_dataset(dataset, fmt):
    """Bytes of ``dataset`` as ``csv`` (UTF-8 with BOM, so Excel reads accents) or ``xlsx``.

    The workbook's cells keep their types: a date is a date cell, a number a number cell
    (Excel sorts and sums them), and its sheet is named after the records.
    """
    if fmt == "xlsx":
        return _xlsx_bytes(dataset)
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")


def _xlsx_bytes(dataset):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(dataset.title or "Records"))
    bold = Font(bold=True)
    header = []
    for text in dataset.headers or []:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in dataset:
        sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def sheet_title(text):
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(text)).strip()
    return (cleaned or "Records")[:31]


def template_dataset(resource_class, user=None):
    """The headers and one example row of a resource (values that import for ``user``),
    titled after its records."""
    return tablib.Dataset(
        resource_class.example_row(user),
        headers=resource_class.headers(user),
        title=str(resource_class.title or resource_class.model_label()).capitalize(),
    )


# --- running an import ----------------------------------------------------------------------


@dataclass
class RowReport:
    """One row of the preview: its spreadsheet row, key, and errors by column."""

    row: int
    key: str
    errors: list = field(default_factory=list)  # [(column header or "", message)]


@dataclass
class ImportReport:
    """Counts and sample rows of an import (a preview or a committed one)."""

    total: int = 0
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    invalid: list = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0
    invalid_count: int = 0
    pks: list = field(default_factory=list)  # the file's records, once imported
    notes: list = field(default_factory=list)  # what the reader did (merged cells filled)

    @property
    def has_errors(self):
        return self.invalid_count > 0


def run_import(resource_class, dataset, user, *, dry_run, file_name=""):
    """Import ``dataset`` as ``user``; with ``dry_run`` nothing is kept.

    All or nothing: the whole file runs in one transaction, rolled back on a dry run or on
    any error in any row.

    Returns:
        An :class:`ImportReport`.
    """
    from django.db import transaction

    resource = resource_class(user=user)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            file_name=file_name,
        )
        report = summarize(resource, dataset, result)
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            instances = getattr(resource, "row_instances", ())
            report.pks = list(dict.fromkeys(i.pk for i in instances if i.pk is not None))
    return report


class DatabaseUnavailable(Exception):
    """The database failed during an import (not the file): nothing was written, and the
    user should try again rather than edit the spreadsheet."""

    CAUSES = (OperationalError, InterfaceError)

    def __str__(self):
        return (
            "The database did not answer while the file was being imported, so nothing was "
            "imported. The file is fine: try again in a minute, and tell your administrator "
            "if it keeps happening."
        )


def summarize(resource, dataset, result):
    """Turn import-export's result into an :class:`ImportReport` with plain messages."""
    headers = {name: f.column_name for name, f in resource.fields.items()}
    key_header = resource.key_header()
    key_index = dataset.headers.index(key_header) if key_header in dataset.headers else None
    label_index = _label_index(resource, dataset)
    report = ImportReport(total=len(dataset))
    report.notes = list(getattr(dataset, "notes", ()))

    def key_of(number):
        values = dataset[number - 1]
        parts = [_text(values[i]) for i in (key_index, label_index) if i is not None]
        return " — ".join(p for p in dict.fromkeys(parts) if p)

    for number, row_result in enumerate(result.rows, 1):
        kind = row_result.import_type
        if kind == "new":
            report.new_count += 1
            if len(report.new) < PREVIEW_ROWS:
                report.new.append(RowReport(sheet_row(number, dataset), key_of(number)))
        elif kind == "update":
            report.update_count += 1
            if len(report.updated) < PREVIEW_ROWS:
                report.updated.append(RowReport(sheet_row(number, dataset), key_of(number)))
        elif kind == "skip":
            report.unchanged += 1
    for invalid in result.invalid_rows:
        report.invalid_count += 1
        if len(report.invalid) >= MAX_LISTED_ERRORS:
            continue
        messages = []
        for name, errors in invalid.error.message_dict.items():
            column = headers.get(name, "" if name == "__all__" else name)
            messages += [(column, m) for m in errors]
        report.invalid.append(
            RowReport(sheet_row(invalid.number, dataset), key_of(invalid.number), messages)
        )
    for number, errors in result.row_errors():
        for error in errors:
            if isinstance(error.error, DatabaseUnavailable.CAUSES):
                raise DatabaseUnavailable from error.error
        report.invalid_count += 1
        if len(report.invalid) < MAX_LISTED_ERRORS:
            report.invalid.append(
                RowReport(
                    sheet_row(number, dataset),
                    key_of(number),
                    [("", f"This row could not be saved: {e.error}") for e in errors],
                )
            )
    for error in result.base_errors:
        if isinstance(error.error, DatabaseUnavailable.CAUSES):
            raise DatabaseUnavailable from error.error
        report.invalid_count += 1
        report.invalid.append(RowReport(0, "", [("", str(error.error))]))
    report.invalid.sort(key=lambda r: r.row)
    return report


def _label_index(resource, dataset):
    for header in ("Title", "Name", "Last name"):
        if header in dataset.headers:
            return dataset.headers.index(header)
    return None


# --- Django admin ----------------------------------------------------------------------------


def admin_mixin():
    """The mixin adding import/export buttons to a model admin (built lazily, so importing
    this module never loads the admin)."""
    from import_export.admin import ImportExportMixin
    from import_export.formats.base_formats import CSV, XLSX

    class ImportExportAdminMixin(ImportExportMixin):
        """Import/export in the admin with the same resources, rules and permissions as the
        import page: the resources see the request user, only managers and administrators
        with add and change permission import.

        The admin's Import button opens the import page itself, on this model's resource:
        one reader for both (the same encodings, workbook checks, column names and sheet
        row numbers), a preview, and an all-or-nothing confirmation that reports a failure
        as a failure. The admin's own import flow counted rows as added when a rolled-back
        file had written nothing, and logged those additions.
        """

        formats = [CSV, XLSX]

        def get_resource_kwargs(self, request, *args, **kwargs):
            return {"user": request.user}

        def has_import_permission(self, request):
            return any(r.can_import(request.user) for r in self.get_resource_classes(request))

        def import_action(self, request, **kwargs):
            from django.core.exceptions import PermissionDenied
            from django.shortcuts import redirect
            from django.urls import reverse

            if not self.has_import_permission(request):
                raise PermissionDenied
            resource = next(
                r for r in self.get_resource_classes(request) if r.can_import(request.user)
            )
            return redirect(f"{reverse('import')}?resource={resource.slug}")

        process_import = import_action

    return ImportExportAdminMixin
