"""Read a page's form as the browser would submit it: every input, select and textarea the
page draws, with its current value, and nothing the page does not draw.

Tests that post hand-made dictionaries pass even when the page forgets a field (the
formset's hidden ``id``, a concurrency token); posting what the page drew catches that.
"""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_class):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.depth = 0  # inside the form we read (its nesting depth), 0 outside
        self.done = False
        self.fields = []  # [(name, value)] in page order
        self._select = None  # (name, [selected values], first value)
        self._textarea = None  # (name, [text parts])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and not self.depth:
            classes = (attrs.get("class") or "").split()
            if self.form_class is None or self.form_class in classes:
                self.depth = 1
            return
        if not self.depth:
            return
        if tag == "form":
            self.depth += 1
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = (name, [], None, "multiple" in attrs)
        elif tag == "option" and self._select is not None:
            name, chosen, first, multiple = self._select
            value = attrs.get("value", "")
            if first is None:
                self._select = (name, chosen, value, multiple)
            if "selected" in attrs:
                chosen.append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "form":
            self.depth -= 1
            if not self.depth:
                self.done = True
        elif tag == "select" and self._select is not None:
            name, chosen, first, multiple = self._select
            if multiple:
                self.fields += [(name, value) for value in chosen]
            else:
                self.fields.append((name, chosen[-1] if chosen else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self.fields.append((name, "".join(parts).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)


def form_fields(html, form_class="ec-form"):
    """``{name: value}`` of the first ``<form>`` with ``form_class`` (``None``: the first
    form) as a browser would submit it; repeated names keep a list."""
    reader = _FormReader(form_class)
    reader.feed(html if isinstance(html, str) else html.decode())
    assert reader.fields, "no such form on the page"
    data = {}
    for name, value in reader.fields:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def put_value(data, name, value):
    """Put a bound field's ``value`` into POST ``data`` as a browser sends it: nothing for
    None or an unticked box, "on" for a ticked one, a list of strings for several values."""
    if value is None:
        return
    if isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
    elif isinstance(value, bool):
        if value:
            data[name] = "on"
    else:
        data[name] = str(value)
