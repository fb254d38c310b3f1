"""The filters applied to a list, as named chips with a "×" that removes one (NetBox's
applied-filter chips).

A list opened from a dashboard number or a My work link used to show its filters only inside
an opened "More filters" group, by their raw values ("Lead unit and its sub-units (unit ids):
4"). Each chip here names the filter and its value as a person reads it: a choice by its label,
a record by its name (only records the user may see are named), yes/no, a date in the app's
style; and links to the same list without that one value.
"""

from dataclasses import dataclass

import django_filters as filters
from django.apps import apps
from django.utils.dateparse import parse_date

from execcoord.access import visible
from execcoord.formats import format_date

# The value of a boolean filter that turns its default off ("any"); the filter sets use it too
# (``execcoord.filtersets`` imports it from here: the chips read filter sets, not the module).
ANY = "any"


@dataclass
class Chip:
    """One applied filter value: ``label`` ("Status"), ``value`` ("In progress") and the URL
    of the list without it."""

    label: str
    value: str
    remove_url: str

    @property
    def text(self):
        return f"{self.label}: {self.value}"


def applied_filters(filterset, query):
    """The chips of ``filterset``'s applied filters, in the order of its filters.

    A filter with a default the query string does not name (the action list's "Open: Yes")
    is applied too, so it has a chip; removing such a filter sets it to "any" instead of
    dropping it (dropped, the default would apply again).

    Args:
        filterset: a bound (or default-applying) ``BaseFilterSet``.
        query: the request's ``GET``.
    """
    if not filterset.is_bound:
        # a first visit: only the defaults apply, named without building the form (the
        # drawn form of an unfiltered list comes from the cache)
        return [
            Chip(
                _label(filterset, name, filterset.filters[name]),
                _default_text(filterset.filters[name], value),
                _without(filterset, query, name, value),
            )
            for name, value in filterset.defaults.items()
        ]
    data = filterset.data
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", None) if form.is_valid() else None
    chips = []
    for name, declared in filterset.filters.items():
        field = form.fields.get(name)
        if field is None:
            continue
        label = _label(filterset, name, declared)
        for key, value, text in _values(filterset, name, declared, field, data, cleaned):
            chips.append(Chip(label, text, _without(filterset, query, key, value)))
    return chips


def _default_text(declared, value):
    if isinstance(declared, filters.BooleanFilter):
        return {"true": "Yes", "false": "No"}.get(str(value).lower(), str(value))
    labels = {str(v): str(text) for v, text in declared.extra.get("choices", ())}
    return labels.get(str(value), str(value))


def _label(filterset, name, declared):
    if name == "q":
        return "Search"
    model = filterset._meta.model
    if model is not None and name == model._meta.pk.name:
        return "Chosen records"
    return str(declared.label or name).rstrip(":")


def _getlist(data, key):
    values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
    return [value for value in values if value not in ("", None)]


def _values(filterset, name, declared, field, data, cleaned):
    """``[(query key, raw value, text)]`` of one filter's applied values."""
    if isinstance(declared, filters.DateFromToRangeFilter):
        result = []
        for suffix, word in (("after", "from"), ("before", "to")):
            key = f"{name}_{suffix}"
            for raw in _getlist(data, key):
                parsed = parse_date(raw) if isinstance(raw, str) else None
                result.append((key, raw, f"{word} {format_date(parsed) if parsed else raw}"))
        return result
    raw_values = _getlist(data, name)
    if not raw_values:
        return []
    model = filterset._meta.model
    if model is not None and name == model._meta.pk.name:
        count = len({v for raw in raw_values for v in str(raw).split(",") if v.strip()})
        return [(name, None, f"{count} record{'s' if count != 1 else ''}")]
    if isinstance(declared, filters.BooleanFilter):
        words = {"true": "Yes", "false": "No"}
        texts = [(raw, words.get(str(raw).lower())) for raw in raw_values]
        return [(name, raw, text) for raw, text in texts if text]
    if isinstance(declared, filters.ModelMultipleChoiceFilter | filters.ModelChoiceFilter):
        chosen = cleaned.get(name) if cleaned else None
        records = list(chosen) if chosen is not None and not hasattr(chosen, "pk") else [chosen]
        names = {str(r.pk): str(r) for r in records if r is not None}
        return [(name, raw, names.get(str(raw), "a record you cannot see")) for raw in raw_values]
    choices = getattr(field, "choices", None)
    if choices and not isinstance(declared, filters.ModelMultipleChoiceFilter):
        labels = {str(value): str(text) for value, text in choices}
        return [(name, raw, labels.get(str(raw), str(raw))) for raw in raw_values]
    chip_model = filterset.chip_models.get(name)
    if chip_model:
        return [(name, None, _record_names(chip_model, raw_values, filterset.request))]
    if name == "q":
        return [(name, raw, f"“{raw}”") for raw in raw_values]
    return [(name, raw, str(raw)) for raw in raw_values]


def _record_names(label, raw_values, request):
    """The names of the records with these ids that the user may see, joined."""
    ids = [v.strip() for raw in raw_values for v in str(raw).split(",")]
    pks = [int(v) for v in ids if v.isdecimal() and len(v) < 19]
    model = apps.get_model(label)
    user = getattr(request, "user", None)
    found = {r.pk: str(r) for r in visible(model, user).filter(pk__in=pks)} if user else {}
    names = [found.get(pk, "a record you cannot see") for pk in pks]
    return ", ".join(dict.fromkeys(names)) or "—"


def _without(filterset, query, key, value):
    """The list's URL without ``key=value`` (``value`` ``None``: without ``key``), page 1."""
    remaining = query.copy()
    remaining.pop("page", None)
    if key in filterset.defaults:
        remaining.setlist(key, [ANY])
    elif value is None:
        remaining.pop(key, None)
    else:
        remaining.setlist(key, [v for v in remaining.getlist(key) if v != value])
    encoded = remaining.urlencode()
    return f"?{encoded}" if encoded else "?"
