"""A record's change history as people read it (the History tab; Django admin's history).

simple-history diffs raw column values: a reassignment reads "Accountable person: 219 → 218",
a status move "submitted → completed". Here every value is shown as the page shows it: a
choice by its label, a related record by its name linked to its page, a date as "15 Jan 2027",
an empty value as "—". Rows in which nothing a person can see changed (a save that touched only
the timestamp or the version) are left out.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.html import format_html

from execcoord import registry
from execcoord.access import is_restricted, visible
from execcoord.formats import EMPTY, format_date, format_datetime
from execcoord.utils import user_name

# bookkeeping columns: they change on every save and mean nothing to a reader
HIDDEN_FIELDS = frozenset({"updated_at", "version", "created_at"})


@dataclass
class Change:
    """One field of one history row: its label and the old and new values as HTML."""

    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One history row: the record, who made it, and its visible changes."""

    record: object
    who: str
    changes: list = field(default_factory=list)
    reason: str = ""


def history_entries(model, records, user, hidden=()):
    """The readable entries of ``records`` (newest first), with no-op rows left out.

    Args:
        model: the tracked model.
        records: history rows, newest first, followed by the row just older than the last
            one shown (``None`` if there is none), so every shown row has its predecessor.
        user: the request user: a related record is named only if they may see it.
        hidden: more fields to leave out (those the user may not see).

    Returns:
        A list of :class:`Entry`; a creation or deletion is always kept.
    """
    pairs = list(zip(records, records[1:], strict=False))
    raw = []
    for record, older in pairs:
        changes = []
        if older is not None and record.history_type == "~":
            changes = [
                c
                for c in record.diff_against(older).changes
                if c.field not in HIDDEN_FIELDS
                and c.field not in hidden
                and not _same(c.old, c.new)
            ]
            if not changes:
                continue  # nothing a reader can see changed
        raw.append((record, changes))
    names = _related_names(model, [c for _, changes in raw for c in changes], user)
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
    entries = []
    for record, changes in raw:
        changes.sort(key=lambda c: order.get(c.field, len(order)))
        entries.append(
            Entry(
                record,
                user_name(record.history_user) if record.history_user_id else "system",
                [
                    Change(
                        _label(model, c.field),
                        display(model, c.field, c.old, names),
                        display(model, c.field, c.new, names),
                    )
                    for c in changes
                ],
                record.history_change_reason or "",
            )
        )
    return entries


def _same(old, new):
    """Whether two stored values read the same ("" and None are both empty)."""
    return (old in (None, "")) and (new in (None, "")) or old == new


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def _related_names(model, changes, user):
    """``{(related model, pk): html}`` for the foreign keys in ``changes``, one query a model.

    A record the user may not see is named "a record you cannot see"; one that no longer
    exists "deleted record".
    """
    wanted = {}
    for change in changes:
        fld = _field(model, change.field)
        if fld is None or not (fld.many_to_one or fld.one_to_one):
            continue
        for value in (change.old, change.new):
            if value not in (None, ""):
                wanted.setdefault(fld.related_model, set()).add(value)
    names = {}
    for related, pks in wanted.items():
        if related._meta.label == settings.AUTH_USER_MODEL:
            rows = related._default_manager.filter(pk__in=pks)
            found = {row.pk: user_name(row) for row in rows}
        else:
            rows = visible(related, user) if is_restricted(related) else related._base_manager
            found = {row.pk: _link(row) for row in rows.filter(pk__in=pks)}
            hidden = pks - set(found)
            if hidden and is_restricted(related):
                existing = set(
                    related._base_manager.filter(pk__in=hidden).values_list("pk", flat=True)
                )
                found.update({pk: "a record you cannot see" for pk in existing})
        for pk in pks:
            names[related, pk] = found.get(pk, "deleted record")
    return names


def _link(record):
    if registry.get(type(record)) is None:
        return str(record)
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def display(model, name, value, names=None):
    """One stored value of field ``name`` as the detail page shows it (HTML-safe text)."""
    if value in (None, ""):
        return EMPTY
    fld = _field(model, name)
    if fld is None:
        return str(value)
    if fld.is_relation and (fld.many_to_one or fld.one_to_one):
        return (names or {}).get((fld.related_model, value), EMPTY)
    if fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    if isinstance(value, bool) or isinstance(fld, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)
