"""The secretariat's view (issue 17): "issued by my office" on My work and the dashboard, with
every number drilling through to a list of exactly as many rows; issuing with a lead office
and no individual; the lead office's manager sees such a tasker as needing an action
officer; the secretariat may import."""

import pytest
import time_machine
from django.urls import reverse

from actions.choices import ActionStatus
from actions.demo.partners import OrganizationUnitFactory
from actions.models import ExecutiveAction
from execcoord import policy
from execcoord.submissions import FORM_KEY
from partners.access import ROLE_MANAGER, get_user_scope
from tests.conftest import make_user
from tests.dashboard_fixtures import NOW, action, days
from tests.test_dashboard import list_count, numbers

pytestmark = pytest.mark.django_db
S = ActionStatus


@pytest.fixture
def mona(units):
    """Manager of BUR-B (and so of OFF-B1)."""
    user = make_user("mona", ROLE_MANAGER, units["BUR-B"])
    units["BUR-B"].manager = user.person
    units["BUR-B"].save()
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def issued(units, secretariat, alice):
    """Taskers issued by ES (and its sub-unit ES-REG), and one issued elsewhere."""
    reg = OrganizationUnitFactory(code="ES-REG", name="ES Registry", parent=secretariat)
    with time_machine.travel(NOW, tick=False):
        return {
            # overdue, led by OFF-A1, with an officer
            "S1": action(
                "S1",
                units["OFF-A1"],
                S.IN_PROGRESS,
                days(-3),
                issuing_unit=secretariat,
                accountable_person=alice.person,
            ),
            # issued to OFF-B1 with nobody accountable: needs an action officer
            "S2": action(
                "S2",
                units["OFF-B1"],
                S.NOT_STARTED,
                days(10),
                issuing_unit=secretariat,
                accountable_person=None,
            ),
            "S3": action(
                "S3",
                units["OFF-A1"],
                S.COMPLETED,
                days(-20),
                issuing_unit=secretariat,
                completed_date=days(-21),
                accountable_person=alice.person,
            ),
            # a draft without a lead office yet (an intake draft)
            "S4": action(
                "S4",
                None,
                S.DRAFT,
                days(20),
                issuing_unit=secretariat,
                accountable_person=None,
                issue_date=None,
            ),
            # issued by the secretariat's sub-unit, overdue, led by OFF-B1
            "S5": action(
                "S5",
                units["OFF-B1"],
                S.IN_PROGRESS,
                days(-1),
                issuing_unit=reg,
                accountable_person=alice.person,
            ),
            # issued by BUR-A: not the secretariat's
            "O1": action(
                "O1",
                units["OFF-A1"],
                S.IN_PROGRESS,
                days(-5),
                issuing_unit=units["BUR-A"],
                accountable_person=None,
            ),
        }


def sections_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, {s.key: s for s in response.context["sections"]}


def test_the_secretariat_is_a_unit_flag_and_a_role(sec, alice, secretariat):
    assert get_user_scope(sec).in_secretariat
    assert not get_user_scope(alice).in_secretariat
    assert "Secretariat" in policy.user_roles(sec)
    assert "Secretariat" not in policy.user_roles(alice)


def test_my_work_lists_exactly_what_the_unit_issued(client, sec, issued):
    with time_machine.travel(NOW, tick=False):
        response, sections = sections_of(client, sec)
        assert sections["issued"].count == 4  # S1 S2 S4 S5 (S3 completed, O1 not ours)
        assert sorted(a.title for a in sections["issued"].rows) == ["S1", "S2", "S4", "S5"]
        assert sections["issued_overdue"].count == 2  # S1 S5
        assert [a.title for a in sections["issued_overdue"].rows] == ["S1", "S5"]
        for section in sections.values():
            assert list_count(sec, section.url) == section.count, section.key
    page = response.content.decode()
    assert "Issued by my office" in page and "Lead office" in page


def test_staff_outside_the_secretariat_has_no_issued_section(client, alice, issued):
    with time_machine.travel(NOW, tick=False):
        _, sections = sections_of(client, alice)
    assert "issued" not in sections and "issued_overdue" not in sections


def test_the_lead_offices_manager_sees_the_tasker_needing_an_officer(client, mona, issued):
    with time_machine.travel(NOW, tick=False):
        _, sections = sections_of(client, mona)
        assert [a.title for a in sections["needs_officer"].rows] == ["S2"]
        assert sections["needs_officer"].count == 1
        for section in sections.values():
            assert list_count(mona, section.url) == section.count, section.key


def dashboard_numbers(ctx):
    """Every linked number of an "issued" dashboard: the common ones and the lead offices'."""
    keys = ("tiles", "rates", "ageing", "by_type", "by_priority", "weekly")
    out = numbers({**{key: ctx[key] for key in keys}, "by_unit": []})
    for row in ctx["by_lead_office"]:
        out += [(f"{row.unit} {n.label}", n.value, n.url) for n in row.numbers]
    return out


def test_dashboard_opens_on_what_the_secretariat_issued(client, sec, secretariat, issued, units):
    client.force_login(sec)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("dashboard"))
        ctx = response.context
        assert ctx["issued"] and ctx["unit"] == secretariat
        tiles = {t.label: t.value for t in ctx["tiles"]}
        assert tiles["Open"] == 4 and tiles["Overdue"] == 2
        rows = {str(r.unit) if r.unit else None: r for r in ctx["by_lead_office"]}
        assert {
            k: (r.open.value, r.overdue.value, r.needs_officer.value) for k, r in rows.items()
        } == {
            None: (1, 0, 0),  # S4, a draft without a lead office
            str(units["OFF-A1"]): (1, 1, 0),  # S1
            str(units["OFF-B1"]): (2, 1, 1),  # S2 S5; S2 needs an officer
        }
        for label, value, url in dashboard_numbers(ctx):
            assert list_count(sec, url) == value, label
    assert "Where they sit: by lead office" in response.content.decode()


def test_dashboard_scope_can_be_chosen(client, bob, secretariat, issued, units):
    client.force_login(bob)
    with time_machine.travel(NOW, tick=False):
        ctx = client.get(reverse("dashboard"), {"unit": secretariat.pk, "scope": "issued"}).context
        assert ctx["issued"]
        assert {t.label: t.value for t in ctx["tiles"]}["Open"] == 4
        lead = client.get(reverse("dashboard"), {"unit": units["BUR-A"].pk}).context
        assert not lead["issued"] and lead["by_lead_office"] is None


def test_issued_by_unit_filter_includes_sub_units(sec, secretariat, issued):
    from tests.test_dashboard import list_count as count

    url = (
        reverse("actions:executiveaction_list") + f"?issuing_unit_subtree={secretariat.pk}&open=any"
    )
    with time_machine.travel(NOW, tick=False):
        assert count(sec, url.replace("&open=any", "&open=true")) == 4
        assert count(sec, url.replace("&open=any", "")) == 5
        assert count(sec, url.replace("&open=any", "&open=false")) == 1  # S3


def test_issuing_with_only_a_lead_office_works(client, sec, units, issued):
    draft = issued["S4"]
    draft.lead_unit = units["OFF-B1"]
    draft.save()
    client.force_login(sec)
    url = reverse("actions:executiveaction_transition", args=[draft.pk, S.NOT_STARTED])
    response = client.post(url, {FORM_KEY: "issue-1", "comment": ""})
    assert response.status_code == 302
    stored = ExecutiveAction.objects.get(pk=draft.pk)
    assert stored.status == S.NOT_STARTED
    assert stored.accountable_person is None
    assert stored.issue_date is not None


def test_the_secretariat_may_import_and_other_staff_may_not(client, sec, alice):
    assert policy.may_import(sec, ExecutiveAction)
    refused = policy.may_import(alice, ExecutiveAction)
    assert not refused
    assert "secretariat" in refused.reason.lower()
    client.force_login(sec)
    assert client.get(reverse("import")).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("import")).status_code == 403
