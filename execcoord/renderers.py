"""The form renderer: Django's Jinja2 widget templates, Django templates as the fallback.

A list page draws some sixty filter widgets; Jinja2 renders Django's widget templates about
twice as fast as the Django template engine. Widgets whose templates exist only for the
Django engine (the admin's related-object wrapper, third-party widgets) are drawn by it.
"""

from functools import cached_property

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(Jinja2):
    @cached_property
    def fallback(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
