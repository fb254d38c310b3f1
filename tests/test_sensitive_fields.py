"""Fields only some roles see (``Model.sensitive_fields``) and exports only some roles make
(``Model.export_roles``): a person's clearance level and the staff directory export are for
administrators and managers, on every generic path (list columns, sorting, filters, detail,
history, forms, exports, import templates and exports)."""

import csv
import io

import django_tables2 as tables
import pytest
from django.urls import reverse

from actions.demo.partners import PersonFactory
from actions.models import Assignment
from execcoord import policy
from execcoord.imports import template_dataset
from execcoord.tables import BaseTable
from execcoord.utils import viewname
from partners.models import Person
from partners.resources import PersonResource

LIST = reverse(viewname(Person, "list"))


@pytest.fixture
def cleared(units):
    return PersonFactory(
        first_name="Quinn",
        last_name="Zebulon",
        organization_unit=units["OFF-A1"],
        clearance_level="top_secret",
    )


def _text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_policy_hides_the_field_from_roles_that_do_not_need_it(
    alice, bob, viewer, administrator, superuser, cleared
):
    assert policy.hidden_fields(alice, Person) == {"clearance_level"}
    assert policy.hidden_fields(viewer, cleared) == {"clearance_level"}
    assert policy.hidden_fields(bob, Person) == set()
    assert policy.hidden_fields(administrator, Person) == set()
    assert policy.hidden_fields(superuser, Person) == set()
    # nobody sets what they may not see
    assert policy.writable_fields(alice, cleared, ["email", "clearance_level"]) == ["email"]
    assert not policy.may_export(alice, Person)
    assert "administrators and managers" in policy.may_export(viewer, Person).reason
    assert policy.may_export(bob, Person) and policy.may_export(alice, Assignment)


@pytest.mark.parametrize("who", ["alice", "viewer"])
def test_staff_and_viewers_never_see_a_clearance_level(client, who, request, cleared):
    user = request.getfixturevalue(who)
    client.force_login(user)
    # the list: not offered as a column, not shown when asked for, not sortable, no filter
    page = _text(client.get(LIST, {"columns": ["last_name", "clearance_level"]}))
    assert "Clearance" not in page and "Top Secret" not in page
    assert 'name="clearance_level"' not in _text(client.get(LIST))
    everyone = list(Person.objects.order_by("last_name", "first_name", "id"))
    by_name = [r.record for r in client.get(LIST).context["table"].page.object_list]
    sorted_page = client.get(LIST, {"sort": "-clearance_level"})
    assert [r.record for r in sorted_page.context["table"].page.object_list] == by_name
    filtered = client.get(LIST, {"clearance_level": "top_secret"})
    assert filtered.context["table"].paginator.count == len(everyone)
    # the detail page and its history
    cleared.clearance_level = "secret"
    cleared.save()
    for action in ("detail", "history"):
        page = _text(client.get(reverse(viewname(Person, action), args=[cleared.pk])))
        assert "Clearance" not in page and "Secret" not in page
    # the staff directory export: not offered, refused when asked for
    listing = _text(client.get(LIST))
    assert "Export CSV" not in listing
    assert client.get(LIST, {"export": "csv"}).status_code == 403
    assert client.get(reverse("import_export", args=["people", "csv"])).status_code == 404


def test_managers_see_filter_sort_and_export_clearance_levels(client, bob, cleared):
    client.force_login(bob)
    page = _text(client.get(LIST, {"columns": ["last_name", "clearance_level"]}))
    assert "Clearance level" in page and "Top Secret" in page
    filtered = client.get(LIST, {"clearance_level": "top_secret"})
    assert [r.record for r in filtered.context["table"].page.object_list] == [cleared]
    detail = _text(client.get(cleared.get_absolute_url()))
    assert "Clearance level" in detail and "Top Secret" in detail
    assert "Export CSV" in _text(client.get(LIST))
    exported = client.get(LIST, {"export": "csv"})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert ["Zebulon", "Quinn"] == rows[[r[0] for r in rows].index("Zebulon")][:2]
    directory = client.get(reverse("import_export", args=["people", "csv"]))
    assert directory.status_code == 200
    assert "Clearance level" in directory.content.decode().splitlines()[0]


def test_import_templates_and_exports_leave_out_hidden_columns(alice, bob):
    assert "Clearance level" not in template_dataset(PersonResource, alice).headers
    assert "Clearance level" in template_dataset(PersonResource, bob).headers
    assert "clearance_level" not in PersonResource(user=alice).fields
    assert "clearance_level" in PersonResource(user=bob).fields


def test_a_column_reaching_a_hidden_field_through_a_relation_is_hidden(alice, bob):
    class AssignmentWithClearance(BaseTable):
        person_clearance = tables.Column(accessor="person__clearance_level")

        class Meta(BaseTable.Meta):
            model = Assignment
            fields = ("pk", "role", "person_clearance")

    assert AssignmentWithClearance.hidden_column_names(alice) == ["person_clearance"]
    assert AssignmentWithClearance.hidden_column_names(bob) == []
    assert "person_clearance" not in AssignmentWithClearance.export_column_names(alice)
    table = AssignmentWithClearance([], user=alice)
    assert "person_clearance" not in table.columns.names()
