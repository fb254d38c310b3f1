"""The demo agency: same seed, same data; a second run adds nothing (issue 2)."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.choices import ActionStatus, AttachmentKind
from actions.demo import texts
from actions.models import (
    Attachment,
    ExecutiveAction,
    ExtensionRequest,
    ProcessTemplate,
    Tag,
    TemplateRouteStep,
)
from analysis.models import LegalAuthority
from partners.models import Account, OrganizationUnit


def _seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_an_agency_and_runs_twice_without_error():
    first = _seed(actions=60)
    numbers = list(ExecutiveAction.objects.order_by("number").values_list("number", "title"))
    # 60, the draft taken in from the sample e-mail, and the congressional inquiry staffed
    # with its template's four sub-taskers
    assert len(numbers) == 60 + 1 + 1 + 4
    assert set(ProcessTemplate.objects.values_list("name", flat=True)) == {
        "Congressional inquiry",
        "Policy directive",
        "Compliance tasker",
    }
    assert TemplateRouteStep.objects.count() == 10
    staffed = ExecutiveAction.objects.get(title="Senate committee letter on the claims backlog")
    assert staffed.children.count() == 4
    assert OrganizationUnit.objects.count() >= 40
    assert OrganizationUnit.objects.filter(parent=None).count() == 1
    assert {"staff", "manager", "secretariat", "admin", "viewer"} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )
    assert "execcoord-demo-2026" in first

    attachments = Attachment.objects.count()
    second = _seed(actions=60)
    assert "nothing added" in second
    assert list(ExecutiveAction.objects.order_by("number").values_list("number", "title")) == (
        numbers
    )
    assert Attachment.objects.count() == attachments


@pytest.mark.django_db
def test_the_demo_agency_reads_like_one(settings):
    """Real-looking offices, partners and authorities, plausible titles, tags and a few
    documents; no placeholder text (issue 15: Faker's "American Red Cross, South Jennifer"
    and lorem unit descriptions, no attachments, no tags)."""
    _seed(actions=80)
    assert set(OrganizationUnit.objects.values_list("description", flat=True)) <= set(
        texts.UNIT_DESCRIPTIONS.values()
    )
    assert OrganizationUnit.objects.get(code="OGC").name == "Office of the General Counsel"
    accounts = dict(Account.objects.values_list("name", "city"))
    assert "Senate Committee on Homeland Security and Governmental Affairs" in accounts
    assert accounts["American Red Cross"] == "Washington"
    assert not any("Region" in name for name in accounts)
    citations = set(LegalAuthority.objects.values_list("citation", flat=True))
    assert {"5 U.S.C. 552a", "2 CFR Part 200", "86 FR 26633"} <= citations
    titles = list(ExecutiveAction.objects.values_list("title", flat=True))
    assert not any(re.search(r"\(\d+\)$", title) for title in titles)
    assert ExecutiveAction.objects.filter(title__startswith="Respond to the GAO").exists()
    words = set(" ".join(ExecutiveAction.objects.values_list("description", flat=True)).split())
    assert "Secretariat" in words
    assert Tag.objects.filter(actions__isnull=False).distinct().count() >= 3
    memos = Attachment.objects.filter(kind=AttachmentKind.TASKING_MEMO)
    memo = memos.filter(title__startswith="Tasking memo").first()
    with memo.file.open("rb") as handle:
        assert handle.read(8) == b"%PDF-1.4"
    assert memo.uploaded_by.username == "secretariat"
    pending = ExtensionRequest.objects.filter(status="pending", requested_by__username="staff")
    assert pending.exists()
    assert all(r.action.lead_unit.code.startswith("OCIO") for r in pending)  # manager's units
    assert not ExtensionRequest.objects.filter(requested_by=None).exists()


@pytest.mark.django_db
def test_the_demo_has_a_draft_taken_in_from_the_sample_email():
    _seed(actions=40)
    draft = ExecutiveAction.objects.get(message_id="<demo-intake-0001@gsa.gov>")
    assert draft.status == ActionStatus.DRAFT
    assert draft.title == (
        "Request for input: FY2027 shared services data call – reply by 18 December"
    )
    assert draft.received_from_account.abbreviation == "GSA"
    assert draft.method_of_receipt == "email"
    assert draft.issuing_unit.code == "ES" and draft.issuing_unit.is_secretariat
    assert sorted(draft.attachments.values_list("title", flat=True)) == [
        "fy2027-shared-services-template.csv",
        "sample_intake.eml",
    ]
    assert draft.history.get().history_user.username == "secretariat"


@pytest.mark.django_db
def test_seed_demo_covers_every_status_and_has_late_and_sub_taskers():
    _seed(actions=200)
    statuses = set(ExecutiveAction.objects.values_list("status", flat=True))
    assert statuses == set(ActionStatus.values)
    assert ExecutiveAction.objects.overdue().exists()
    assert ExecutiveAction.objects.exclude(parent=None).exists()
    for action in ExecutiveAction.objects.all()[:50]:
        action.full_clean()  # every seeded record is valid


@pytest.mark.django_db
def test_the_demo_has_routes_mid_way_returned_and_completed_with_dwell_times():
    """Issue 16: completed routes (the dwell table has rows with different paces), taskers
    mid-route, one returned step, one non-concurrence waiting for its disposition, and a
    step on the demo staff's desk."""
    import datetime

    from django.utils import timezone

    from actions import queries
    from actions.models import RouteStep, RouteStepEvent

    _seed(actions=200)
    assert RouteStepEvent.objects.filter(kind="returned").count() == 1
    assert RouteStep.objects.filter(state="current").exists()
    assert RouteStep.objects.filter(outcome="non_concur", disposition="").exists()
    staff = get_user_model().objects.get(username="staff")
    assert RouteStep.objects.filter(
        state="current", organization_unit=staff.person.organization_unit
    ).exists()
    root = OrganizationUnit.objects.get(parent=None)
    today = timezone.localdate()
    admin = get_user_model().objects.get(username="admin")
    rows = queries.dwell_by_office(admin, root, today - datetime.timedelta(days=89), today)
    assert len(rows) >= 5
    assert len({row["median"] for row in rows}) >= 3  # offices differ


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """``makemigrations --check`` finds nothing to do."""
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_names_the_demo_extra_when_it_is_not_installed(monkeypatch):
    """A production install has no factory-boy (nor Faker, which it needs): seed_demo says
    what to install instead of failing on an import, and writes nothing."""
    missing = "factory"
    import sys

    from django.core.management.base import CommandError

    for name in [m for m in sys.modules if m == "actions.demo" or m.startswith("actions.demo.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in [m for m in sys.modules if m == missing or m.startswith(f"{missing}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # "not installed"
    with pytest.raises(CommandError, match=r"demo extra .*execcoord\[demo\]"):
        _seed(actions=5)
    assert not ExecutiveAction.objects.exists()


@pytest.mark.django_db
def test_the_demo_users_have_notifications_read_and_unread():
    from actions.models import ExecutiveAction as Action
    from actions.models import Notification

    _seed(actions=80)
    for username in ("staff", "manager", "secretariat"):
        user = get_user_model().objects.get(username=username)
        mine = Notification.objects.visible_to(user)
        assert mine.unread().count() == 3 and mine.filter(read_at__isnull=False).exists()
        seen = Action.objects.visible_to(user).values("pk")
        assert not mine.exclude(action__in=seen).exists()
