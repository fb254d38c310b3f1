"""Template tags of the generic pages."""

from django import template
from django.template.base import token_kwargs
from django.urls import reverse
from django.utils.html import format_html

from execcoord.utils import viewname

register = template.Library()


class ResponsiveTableNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist, self.options = nodelist, options

    def render(self, context):
        options = {name: value.resolve(context) for name, value in self.options.items()}
        table_id, caption = options.get("id"), options.get("caption")
        return format_html(
            '<div class="table-responsive">\n<table class="table table-sm align-middle"{}>\n{}{}'
            "</table>\n</div>",
            format_html(' id="{}"', table_id) if table_id else "",
            format_html('<caption class="visually-hidden">{}</caption>\n', caption)
            if caption
            else "",
            self.nodelist.render(context),
        )


@register.tag
def responsive_table(parser, token):
    """The table of a small page, scrolling sideways on a narrow screen: ``{%
    responsive_table caption="…" id="…" %}<thead>…</thead><tbody>…</tbody>{%
    endresponsive_table %}``; the caption (read by screen readers only) and the id are
    optional."""
    bits = token.split_contents()[1:]
    options = token_kwargs(bits, parser)
    if bits or set(options) - {"caption", "id"}:
        raise template.TemplateSyntaxError("responsive_table takes only caption= and id=")
    nodelist = parser.parse(("endresponsive_table",))
    parser.delete_first_token()
    return ResponsiveTableNode(nodelist, options)


@register.simple_tag
def viewurl(obj_or_model, action, *args):
    """The URL of a generic page: ``{% viewurl object "edit" object.pk %}``.

    Args:
        obj_or_model: a model instance or class.
        action: ``list``, ``add``, ``detail``, ``edit``, ``delete``, ``history`` …
        args: URL arguments (the primary key for record pages).
    """
    return reverse(viewname(obj_or_model, action), args=args)


@register.simple_tag
def badge(obj, field_name):
    """A choice field of ``obj`` as a coloured badge (the model's ``choice_colors``)."""
    from django.utils.html import format_html

    color = obj.get_choice_color(field_name) if hasattr(obj, "get_choice_color") else "secondary"
    label = getattr(obj, f"get_{field_name}_display")()
    return format_html('<span class="badge text-bg-{}">{}</span>', color, label)


@register.simple_tag
def form_key():
    """A fresh one-time key for a button form that writes (``execcoord.submissions``): the
    same drawn form sent twice is saved once."""
    from django.utils.html import format_html

    from execcoord.submissions import FORM_KEY, new_form_key

    return format_html('<input type="hidden" name="{}" value="{}">', FORM_KEY, new_form_key())


@register.simple_tag
def hit_facts(obj):
    """What a search hit says besides its name: its status badge and, for a record with a
    suspense, its due date (and how late it is)."""
    from django.db import models
    from django.utils.html import format_html, format_html_join

    from execcoord.formats import format_date

    parts = []
    names = {f.name: f for f in obj._meta.concrete_fields}
    status = names.get("status")
    if status is not None and status.choices and getattr(obj, "status", None):
        parts.append(badge(obj, "status"))
    due = names.get("due_date")
    if isinstance(due, models.DateField) and getattr(obj, "due_date", None):
        parts.append(format_html('<span class="small">Due {}</span>', format_date(obj.due_date)))
        overdue = getattr(obj, "is_overdue", False)
        if overdue() if callable(overdue) else overdue:
            days = getattr(obj, "days_overdue", None)
            late = f"{days} day{'s' if days != 1 else ''} overdue" if days else "overdue"
            parts.append(format_html('<span class="badge text-bg-danger">{}</span>', late))
    if not parts:
        return ""
    return format_html(
        '<span class="ms-2 d-inline-flex flex-wrap gap-2 align-items-baseline">{}</span>',
        format_html_join("", "{}", ((part,) for part in parts)),
    )


@register.simple_tag(takes_context=True)
def admin_sidebar(context):
    """The admin sidebar's list of models, drawn once per list and current page
    (``execcoord.admin_site.sidebar_html``)."""
    from django.utils.safestring import mark_safe

    from execcoord.admin_site import sidebar_html

    # the template's own output, every value escaped by it
    return mark_safe(sidebar_html(context["request"], context.get("available_apps") or []))  # noqa: S308


@register.tag(name="admin_result_list")
def admin_result_list(parser, token):
    """The change list's table: Django's ``result_list`` tag and template, its rows drawn
    from a plan made once per list (``execcoord.admin_list``)."""
    from django.contrib.admin.templatetags.base import InclusionAdminNode

    from execcoord.admin_list import result_list

    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
