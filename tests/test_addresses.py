"""Addresses people use work (issue 15): a tasker's number in the URL opens it, and the
app's own links (calendar feed, e-mails) point where it runs."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from actions.demo.actions import ExecutiveActionFactory
from actions.models import ExecutiveAction
from execcoord.utils import viewname

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def test_a_taskers_number_in_the_address_leads_to_its_page(client, alice, units):
    action = ExecutiveActionFactory(lead_unit=units["OFF-A1"], accountable_person=alice.person)
    client.force_login(alice)
    list_url = reverse(viewname(ExecutiveAction, "list"))

    response = client.get(f"{list_url}{action.number}/")
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    lower = client.get(f"{list_url}{action.number.lower()}/history/?page=2")
    assert lower["Location"] == f"{action.get_absolute_url()}history/?page=2"
    assert client.get(response["Location"]).status_code == 200


def test_a_number_the_user_may_not_see_is_not_found(client, charlie, units):
    action = ExecutiveActionFactory(visibility="confidential", lead_unit=units["OFF-A1"])
    client.force_login(charlie)
    list_url = reverse(viewname(ExecutiveAction, "list"))
    assert client.get(f"{list_url}{action.number}/").status_code == 404
    assert client.get(f"{list_url}EA-2026-99999/").status_code == 404


def test_the_calendar_feed_address_uses_site_url(client, alice, settings):
    settings.SITE_URL = "http://127.0.0.1:8015"
    client.force_login(alice)
    client.post(reverse("calendar_token"))
    page = client.get(reverse("calendar_settings")).content.decode()
    assert "http://127.0.0.1:8015/" in page and ":8000" not in page


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_on_another_port_points_site_url_at_it():
    printed = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    runserver = next(line for line in printed.splitlines() if "runserver" in line)
    assert "SITE_URL=http://127.0.0.1:8123" in runserver
    assert runserver.endswith("runserver 127.0.0.1:8123")
