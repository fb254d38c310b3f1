"""How a detail page shows what people typed."""

import pytest

from actions.choices import Visibility
from actions.demo.actions import ExecutiveActionFactory


@pytest.mark.django_db
def test_long_text_keeps_its_paragraphs_and_is_escaped(client, alice, units):
    action = ExecutiveActionFactory(
        visibility=Visibility.INTERNAL,
        lead_unit=units["OFF-A1"],
        description="First paragraph.\n\nSecond <script>alert(1)</script> paragraph.",
    )
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<p>First paragraph.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "&lt;p&gt;" not in page  # the paragraphs are markup, not text


def test_timeline_items_are_drawn_as_the_template_drew_them(settings):
    """``timeline_html`` draws in Python what this template loop drew, escaping included."""
    import datetime
    import re

    from django.template import engines
    from django.utils import timezone

    from actions.panels import timeline_html
    from actions.timeline import Event

    settings.TIME_ZONE = "America/New_York"
    when = datetime.datetime(2026, 3, 8, 6, 30, tzinfo=datetime.UTC)  # the DST morning
    events = [
        Event(when, "update", "Weekly <b>update</b>", detail="word " * 60, who="O'Neil & Co"),
        Event(when, "subtasker", "EA-2026-00001 — Sub", url="/a/?x=1&y=<2>", badge="info"),
        Event(when, "created", "Created"),
    ]
    loop = engines["django"].from_string(
        """{% for e in events %}
  <li class="list-group-item">
    <div class="d-flex flex-wrap gap-2 align-items-baseline">
      <span class="badge text-bg-{{ e.badge }}">{{ e.label }}</span>
      <span class="fw-semibold">{% if e.url %}<a href="{{ e.url }}">{{ e.title }}</a>{% else %}{{ e.title }}{% endif %}</span>
      <span class="small text-body-secondary ms-auto"><time datetime="{{ e.when|date:'c' }}">{{ e.when|date:"j M Y H:i" }}</time>{% if e.who %} · {{ e.who }}{% endif %}</span>
    </div>
    {% if e.detail %}<p class="small mb-0 mt-1">{{ e.detail|truncatewords:40 }}</p>{% endif %}
  </li>
  {% endfor %}"""  # noqa: E501
    )
    with timezone.override("America/New_York"):
        expected = loop.render({"events": events})
        drawn = str(timeline_html(events))

    def squeeze(html):
        return re.sub(r">\s+<", "><", html.strip())

    assert squeeze(drawn) == squeeze(expected)
    assert "&lt;b&gt;" in drawn and "O&#x27;Neil &amp; Co" in drawn
    assert "2026-03-08T01:30:00-05:00" in drawn  # local time, as the template showed it


@pytest.mark.django_db
def test_the_subtasker_tree_rows_are_drawn_as_the_template_drew_them(units):
    """``tree_html`` draws in Python what this template loop drew."""
    import datetime
    import re

    from django.template import engines

    from actions.choices import ActionStatus
    from actions.panels import tree_html
    from actions.workflow import TreeNode

    parent = ExecutiveActionFactory(lead_unit=units["OFF-A1"])
    late = ExecutiveActionFactory(
        parent=parent,
        title="Late <b>one</b>",
        status=ActionStatus.IN_PROGRESS,
        due_date=datetime.date(2020, 1, 2),
        lead_unit=units["OFF-A1"],
    )
    plain = ExecutiveActionFactory(parent=late, due_date=None, lead_unit=None)
    nodes = [TreeNode(late, 1, True), TreeNode(plain, 2, False)]
    loop = engines["django"].from_string(
        """{% load execcoord %}{% for node in nodes %}
  <tr>
    <td class="ec-tree-depth-{{ node.depth|stringformat:'d' }}"><a href="{{ node.action.get_absolute_url }}">{{ node.action }}</a></td>
    <td>{% badge node.action "status" %}</td>
    <td>{{ node.action.lead_unit|default:"—" }}</td>
    <td>{{ node.action.due_date|date|default:"—" }}{% if node.due_after_parent %} <span class="badge text-bg-warning">after its parent's due date</span>{% endif %}{% if node.action.is_overdue %} <span class="badge text-bg-danger">overdue</span>{% endif %}</td>
    <td>{{ node.action.percent_complete }}%</td>
  </tr>
  {% endfor %}"""  # noqa: E501
    )

    def squeeze(html):
        return re.sub(r">\s+<", "><", html.strip())

    drawn = str(tree_html(nodes))
    assert squeeze(drawn) == squeeze(loop.render({"nodes": nodes}))
    assert "Late &lt;b&gt;one&lt;/b&gt;" in drawn and "overdue" in drawn and "—" in drawn
