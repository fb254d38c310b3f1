"""Widgets: references resolved by natural key (never by database id), choices by label or
slug, dates, yes/no and numbers, each explaining a bad value in plain words."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export import widgets

from execcoord.access import visible
from execcoord.imports.cells import FORMULA_PREFIXES, SEPARATOR, _text


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


def widget_for(django_field, keymap=None):
    """The widget that reads and writes a model field's cells.

    Args:
        django_field: the model field.
        keymap: for a reference, the :class:`KeyMap` of the related model.
    """
    if keymap is not None and django_field.many_to_many:
        return KeysWidget(keymap)
    if keymap is not None:
        return KeyWidget(keymap)
    if django_field.choices:
        return ChoiceWidget(django_field.choices, blank=django_field.blank)
    if django_field.get_internal_type() == "DateField":
        return DateWidget()
    if django_field.get_internal_type() == "BooleanField":
        return YesNoWidget()
    if django_field.get_internal_type() in (
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    ):
        return NumberWidget(integer=True)
    if django_field.get_internal_type() == "DecimalField":
        return NumberWidget()
    return TextWidget()
