"""The demo agency: same seed, same data; a second run adds nothing (issue 2)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.choices import ActionStatus
from actions.models import ExecutiveAction
from partners.models import OrganizationUnit


def _seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_an_agency_and_runs_twice_without_error():
    first = _seed(actions=60)
    numbers = list(ExecutiveAction.objects.order_by("number").values_list("number", "title"))
    assert len(numbers) == 60
    assert OrganizationUnit.objects.count() >= 40
    assert OrganizationUnit.objects.filter(parent=None).count() == 1
    assert {"staff", "manager", "secretariat", "admin", "viewer"} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )
    assert "execcoord-demo-2026" in first

    second = _seed(actions=60)
    assert "nothing added" in second
    assert list(ExecutiveAction.objects.order_by("number").values_list("number", "title")) == (
        numbers
    )


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
def test_models_and_migrations_agree():
    """``makemigrations --check`` finds nothing to do."""
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
