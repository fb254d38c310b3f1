"""Search-as-you-type pickers (Tom Select, wired by ``static/js/execcoord.js``).

The widget renders only the selected options; the browser asks the JSON endpoint
``/autocomplete/<app_label>.<model_name>/?q=`` for the rest, which filters through the related
model's ``visible_to`` (``execcoord.views.misc.AutocompleteView``). No inline script: the
Content-Security-Policy forbids it, so the wiring is a ``data-autocomplete-url`` attribute.
"""

from django import forms

from execcoord.utils import cached_reverse


class AutocompleteMixin:
    """Common part of the single and multiple pickers.

    Args:
        model: the related model the endpoint searches.
    """

    def __init__(self, model, attrs=None, **kwargs):
        self.model = model
        super().__init__(attrs=attrs, **kwargs)

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        # once per model: a list page has twenty pickers
        attrs["data-autocomplete-url"] = cached_reverse(
            "autocomplete", self.model._meta.label_lower
        )
        attrs.setdefault("class", "form-select")
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        """Only the selected values are rendered (a 5,000-option select is unusable); a
        value that is not a record's id (a refused filter value drawn back) names none."""
        selected = [v for v in value if str(v).isdecimal() and len(str(v)) < 20]
        choices = getattr(self, "choices", None)
        queryset = getattr(choices, "queryset", None)
        if queryset is not None:
            if selected:
                self.choices = forms.models.ModelChoiceIterator(choices.field)
                self.choices.queryset = queryset.filter(pk__in=selected)
            else:  # nothing chosen: no options, and no query to build (it is scoped, so dear)
                empty = getattr(choices.field, "empty_label", None)
                self.choices = [] if empty is None else [("", empty)]
        result = super().optgroups(name, value, attrs)
        if queryset is not None:
            self.choices = choices
        return result


class AutocompleteSelect(AutocompleteMixin, forms.Select):
    """A single foreign-key picker."""


class AutocompleteSelectMultiple(AutocompleteMixin, forms.SelectMultiple):
    """A many-to-many (or multi-value filter) picker."""
