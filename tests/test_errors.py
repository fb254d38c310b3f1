"""Request errors: logged once as a JSON line with the request's id, shown in the app's layout."""

import io
import json
import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LAYOUT = "Skip to main content"  # base.html's first link


@pytest.fixture
def request_log():
    """What the configured console handler of ``django.request`` writes, line by line."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [
        record
        for record in map(json.loads, stream.getvalue().splitlines())
        if record["logger"] == "django.request"
    ]
    handler.setStream(previous)


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_logged_once_with_its_request_id_and_shown_with_it(
    client, administrator, request_log
):
    client.force_login(administrator)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert LAYOUT in page and "Something went wrong on our side" in page
    assert request_id in page and reverse("home") in page
    records = [r for r in request_log() if r["level"] == "ERROR"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == request_id
    assert record["user"] == "ada" and record["path"] == "/boom/"
    assert "RuntimeError: the page broke" in record["exception"]


def test_a_request_id_from_the_proxy_is_kept(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="proxy-id-1234")
    assert response["X-Request-ID"] == "proxy-id-1234"
    forged = client.get(reverse("home"), HTTP_X_REQUEST_ID="bad id\nwith a newline")
    assert forged["X-Request-ID"] != "bad id\nwith a newline"


def test_not_found_is_drawn_in_the_layout_with_a_way_back(client, administrator, request_log):
    client.force_login(administrator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert LAYOUT in page and "There is nothing here" in page
    assert 'href="/"' in page and "Signed in as ada" in page
    assert [r["status_code"] for r in request_log()] == [404]


def test_forbidden_is_drawn_in_the_layout_with_the_reason(client, alice):
    client.force_login(alice)
    response = client.get(reverse("import"))
    assert response.status_code == 403
    page = response.content.decode()
    assert LAYOUT in page and "You may not do this" in page
    assert "You may not import records." in page


def test_a_bad_request_is_drawn_in_the_layout(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert LAYOUT in response.content.decode()
    assert "could not be understood" in response.content.decode()


def test_an_expired_form_is_drawn_in_the_layout(administrator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(reverse("savedview_add"), {"name": "x"})
    assert response.status_code == 403
    assert LAYOUT in response.content.decode()
    assert "This form has expired" in response.content.decode()


def test_admins_and_the_server_address_come_from_the_environment(monkeypatch):
    import importlib

    from execcoord import settings as project_settings

    monkeypatch.setenv("ADMINS", "Ops Desk <ops@agency.example.gov>, duty@agency.example.gov")
    monkeypatch.setenv("SERVER_EMAIL", "errors@agency.example.gov")
    monkeypatch.setenv("EMAIL_TIMEOUT", "7")
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.ADMINS == [
            ("Ops Desk", "ops@agency.example.gov"),
            ("", "duty@agency.example.gov"),
        ]
        assert reloaded.SERVER_EMAIL == "errors@agency.example.gov"
        assert reloaded.EMAIL_TIMEOUT == 7
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
