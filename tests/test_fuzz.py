"""Hostile query strings: no list, filter, picker or page answers with a server error.

Every filter of every list of the registry gets each hostile value (its query run, its form
drawn); every list page gets them in every key of its filter form and in every list
parameter (``sort``, ``page``, ``per_page``, ``columns``, ``export``), one request giving
each key a different value, a 5xx then narrowed down to the keys that cause it, so a failure
names them. Every autocomplete endpoint gets each value as ``q``; the add forms, search,
dashboard and import pages get them in their parameters. Values the database cannot hold
(an integer past 64 bits, a NUL byte, a 1,000-character string) are the point: a parameter
is either refused by its form or ignored, on SQLite and PostgreSQL alike.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from actions.demo.actions import AttachmentFactory, ExecutiveActionFactory
from actions.models import ExecutiveAction
from execcoord import registry
from execcoord.filtersets import _data_keys
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

# Raw (already percent-encoded where needed) query-string values. One request gives each
# key a different value (``rotated``), so a page needs as many requests as there are values,
# whatever its number of filters.
HOSTILE = [
    "9" * 20,  # past 64 bits
    "-2147483649",  # past 32 bits (an IntegerField on PostgreSQL), negative
    "%00",  # NUL
    "a%01%1b%7f%0d%0ab",  # control characters and a line break
    "x" * 1000,  # longer than any text column
    "%C2%B2",  # "²": a digit to str.isdigit(), not to int()
    "%FF%FE",  # not UTF-8
    "9999-12-31",  # the last date: overflows when made aware and moved to UTC
    "1e999",
    "NaN",
]
LIST_PARAMS = ("sort", "page", "per_page", "columns", "q")
REGISTRATIONS = registry.all_registrations()


@pytest.fixture
def client_as_admin(client, administrator, units):
    # rows to find, so the filters and pages have something to run over
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"], title="Budget review")
    AttachmentFactory(action=action)
    client.force_login(administrator)
    client.raise_request_exception = False  # a 5xx is a status to report, not an exception
    return client


def filter_keys(views):
    form = views.filterset(None).form
    return [key for name, field in form.fields.items() for key in _data_keys(name, field)]


def rotated(keys, shift):
    """``[(key, value)]``: key ``i`` gets hostile value ``i + shift``."""
    return [(key, HOSTILE[(i + shift) % len(HOSTILE)]) for i, key in enumerate(keys)]


def query(pairs):
    return "&".join(f"{quote(key)}={value}" for key, value in pairs)


def server_errors(client, url, pairs, extra=()):
    """The ``(key, value)`` pairs that make ``url`` answer 5xx (narrowed one by one)."""
    if client.get(url, QUERY_STRING=query([*extra, *pairs])).status_code < 500:
        return []
    return [
        pair
        for pair in pairs
        if client.get(url, QUERY_STRING=query([*extra, pair])).status_code >= 500
    ]


def test_no_filter_fails_on_hostile_values(rf, administrator, client_as_admin):
    """Every filter of every list, each hostile value: the query runs, the form draws."""
    failures = {}
    for views in REGISTRATIONS:
        keys = filter_keys(views)
        for shift in range(len(HOSTILE)):
            pairs = rotated(keys, shift)
            request = rf.get("/", QUERY_STRING=query(pairs))
            request.user = administrator
            filterset = views.filterset(
                request.GET, queryset=views.model.objects.all(), request=request
            )
            try:
                list(filterset.qs[:1])
                [str(bound) for bound in filterset.form]
            except Exception as error:  # noqa: BLE001 - collected and reported below
                failures.setdefault(views.label, []).append((shift, repr(error)[:200]))
    assert failures == {}


@pytest.mark.parametrize("shift", [0, 4, 7])
def test_no_list_page_or_export_fails_on_hostile_parameters(client_as_admin, shift):
    failures = {}
    for views in REGISTRATIONS:
        url = reverse(viewname(views.model, "list"))
        pairs = rotated([*filter_keys(views), *LIST_PARAMS], shift)
        bad = server_errors(client_as_admin, url, pairs)
        if shift == 0:  # the export reads the same filters
            bad += server_errors(client_as_admin, url, pairs, extra=[("export", "csv")])
        if bad:
            failures[views.label] = bad
    assert failures == {}


@pytest.mark.parametrize("shift", [0, 3, 6, 9])
def test_no_picker_form_or_page_fails_on_hostile_parameters(client_as_admin, shift):
    failures = []
    pages = [
        (reverse("autocomplete", args=[views.label]), ["q"] * len(HOSTILE))
        for views in REGISTRATIONS
    ]
    pages += [
        (reverse(viewname(views.model, "add")), [*views.form.base_fields, "link_to"])
        for views in REGISTRATIONS
    ]
    pages += [
        (reverse("search"), ["q"]),
        (reverse("dashboard"), ["unit"]),
        (reverse("home"), ["unit", "page"]),
        (reverse("import"), ["resource"]),
        (reverse("calendar_settings"), ["token"]),
        (
            reverse("actions:executiveaction_history", args=[ExecutiveAction.objects.get().pk]),
            ["page"],
        ),
    ]
    for url, keys in pages:
        pairs = rotated(keys, shift)
        if keys[0] == "q":  # each value by itself, once (in the first round)
            bad = [p for p in pairs if shift == 0 and server_errors(client_as_admin, url, [p])]
        else:
            bad = server_errors(client_as_admin, url, pairs)
        if bad:
            failures.append((url, bad))
    assert failures == []


@pytest.mark.parametrize("page", ["detail", "edit", "history", "delete"])
def test_a_record_number_past_64_bits_is_not_found(client_as_admin, page):
    views = registry.get("actions.executiveaction")
    url = reverse(viewname(views.model, page), args=[1]).replace("/1/", "/" + "9" * 20 + "/")
    assert client_as_admin.get(url).status_code == 404


@pytest.mark.parametrize("path", ["/search/%00/", "/actions/%00/", "/calendar/%00.ics"])
def test_a_nul_in_the_path_is_not_a_server_error(client_as_admin, path):
    assert client_as_admin.get(path).status_code in (400, 404)
