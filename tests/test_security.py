"""Sign-in everywhere, production settings, headers, throttling, sessions, audit (issue 6)."""

import ast
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)

# Pages that must answer without sign-in, and why.
PUBLIC_URL_NAMES = {
    "login",  # the sign-in page itself
    "password_reset",  # Django's reset flow: proves ownership of the mailbox instead
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # single sign-on: the start (to the provider) and its answer, which signs the person in
    "oidc_authentication_init",
    "oidc_authentication_callback",
}
# Token-protected: anonymous requests with a wrong token get 404 (never the feed).
TOKEN_URL_NAMES = {"calendar_feed"}
# The REST API and its schema answer anonymous requests themselves: 401 (or 404 for an
# address that names nothing), as an RFC 9457 problem, never a page.
API_PREFIXES = ("api/v1/", "api/schema/", "api/^")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for route, name in _walk(pattern.url_patterns, prefix + str(pattern.pattern)):
                yield route, (namespace + name) if name else None
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _concrete(route):
    """Fill every converter with a value that parses: the middleware runs before the view."""
    route = route.replace("^", "").replace("$", "")  # an included regex route keeps its anchors
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug|uuid|path):?\w*>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)\?", "", route)  # optional regex groups
    route = re.sub(r"\(\?P<number>[^)]*\)", "EA-2026-1", route)  # a tasker's number
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)  # admin's regex routes
    route = route.replace("\\", "")
    return "/" + route


ALL_ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r[0])
PUBLIC_ROUTES = [r for r in ALL_ROUTES if (r[1] or "").split(":")[-1] in PUBLIC_URL_NAMES]
GUARDED_ROUTES = [r for r in ALL_ROUTES if r not in PUBLIC_ROUTES]


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", GUARDED_ROUTES, ids=[r for r, _ in GUARDED_ROUTES])
def test_every_url_sends_anonymous_users_to_sign_in(client, route, name):
    """A new page can never be left open by accident: walk every URL pattern anonymously."""
    short_name = (name or "").split(":")[-1]
    response = client.get(_concrete(route))
    if short_name in TOKEN_URL_NAMES:
        assert response.status_code == 404
        return
    if route.startswith(API_PREFIXES):
        assert response.status_code in (401, 404), f"{route} answered {response.status_code}"
        assert response["Content-Type"] == "application/problem+json"
        return
    assert response.status_code == 302, f"{route} answered {response.status_code}"
    location = response.headers["Location"]
    assert location.startswith((settings.LOGIN_URL_PATH, "/admin/login/")), location


def test_only_the_sign_in_and_password_reset_pages_are_public():
    assert {(name or "").split(":")[-1] for _, name in PUBLIC_ROUTES} == PUBLIC_URL_NAMES


# --- production settings ---------------------------------------------------------------

PROD_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "coord.example.gov",
    "DATABASE_URL": "sqlite:////tmp/execcoord-deploy-check.sqlite3",
}


def _prod_env():
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest in the same process.
    dev_only = {"DEBUG", "EXECCOORD_DEV", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dev_only}
    env.update(PROD_ENV)
    return env


def test_check_deploy_with_production_environment_reports_nothing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_prod_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _prod_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "execcoord.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_secure_cookies_and_session_limits():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_AGE, "
        "s.SESSION_IDLE_TIMEOUT]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_prod_env(), "DJANGO_SETTINGS_MODULE": "execcoord.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, ssl_redirect, hsts, age, idle = json.loads(result.stdout)
    assert (debug, session_secure, csrf_secure, ssl_redirect) == (False, True, True, True)
    assert hsts >= 31536000
    assert age <= 12 * 3600 and idle <= 30 * 60


@pytest.fixture
def production_cookies(settings):
    """What the production environment sets (see the subprocess test above)."""
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_security_headers_and_cookie_flags_on_a_signed_in_page(
    client, alice, password, production_cookies
):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, secure=True
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"

    page = client.get("/", secure=True)
    assert page.status_code == 200
    hsts = page.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = page.headers["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


# --- sign-in, throttling, sessions -----------------------------------------------------


@pytest.mark.django_db
def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    client, alice, password
):
    for attempt in range(5):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        if attempt < 4:
            assert response.status_code == 200  # the form again, with an error
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_works_again_after_the_cool_off(client, alice, password, settings):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        hours=settings.AXES_COOLOFF_TIME, minutes=1
    )
    with time_machine.travel(later):
        response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_successes_and_failures_are_logged_with_user_and_address(
    client, alice, password, caplog
):
    with caplog.at_level("INFO", logger="execcoord.auth"):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        client.post("/accounts/login/", {"username": "alice", "password": password})
    messages = [r.getMessage() for r in caplog.records if r.name == "execcoord.auth"]
    assert any("failure user=alice address=127.0.0.1" in m for m in messages)
    assert any("success user=alice address=127.0.0.1" in m for m in messages)
    assert all(re.search(r"at=\d{4}-\d\d-\d\dT.*\+00:00", m) for m in messages)


@pytest.mark.django_db
def test_sign_in_gets_a_new_session_id(client, alice, password):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_idle_session_ends_after_thirty_minutes(client, alice, password):
    start = datetime.datetime(2026, 11, 24, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "alice", "password": password})
        assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200  # active: the clock restarts
    with time_machine.travel(start + datetime.timedelta(minutes=51), tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(settings.LOGIN_URL_PATH)


@pytest.mark.django_db
def test_deactivated_users_session_ends(client, alice, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.get("/").status_code == 200
    alice.is_active = False
    alice.save()
    response = client.get("/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "candidate,ok",
    [
        ("short-pass-1", False),  # under 15 characters
        ("manchesterunited", False),  # long but common
        ("correct horse battery", True),  # long, no composition rules needed
        ("lowercaseonlybutlong", True),
    ],
)
def test_password_rules_are_length_and_common_password_only(candidate, ok):
    if ok:
        validate_password(candidate)
    else:
        with pytest.raises(ValidationError):
            validate_password(candidate)


# --- history is never bypassed ---------------------------------------------------------

ALLOWED_BULK_WRITERS = {
    ROOT / "execcoord" / "history.py",  # the helpers that record history rows
}
# Modules whose bulk writes touch only bookkeeping models that keep no history by design
# (notifications, their events, dead letters, the task queue's own table): checked below.
UNTRACKED_BULK_WRITERS = {
    ROOT / "actions" / "notifications.py": ("actions.Notification", "actions.NotificationEvent"),
    ROOT / "actions" / "notification_views.py": ("actions.Notification",),
    ROOT / "execcoord" / "tasks.py": ("execcoord.DeadLetter", "django_tasks_database.DBTaskResult"),
    ROOT / "execcoord" / "api" / "authentication.py": ("execcoord.ApiToken",),  # last used
    # the records of background exports and imports (their status)
    ROOT / "execcoord" / "background.py": ("execcoord.PreparedExport", "execcoord.ImportRun"),
}
SKIPPED_DIRS = {"migrations", "tests", "bench", ".venv", "node_modules", "static"}
QUERYSET_METHODS = {"filter", "exclude", "all", "objects", "select_for_update", "order_by"}


def _project_python_files():
    for path in ROOT.rglob("*.py"):
        if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
            continue
        yield path


def _raw_bulk_writes(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr = node.func.attr
        if attr in {"bulk_create", "bulk_update"}:
            yield node.lineno, attr
        elif attr == "update":
            target = node.func.value
            inner = (
                target.func.attr
                if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute)
                else getattr(target, "attr", None)
            )
            if inner in QUERYSET_METHODS:
                yield node.lineno, "QuerySet.update"


def test_no_tracked_model_is_written_in_bulk_outside_the_history_helpers():
    """``update()``/``bulk_*`` skip save() and so the history: only execcoord.history may."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {what}"
        for path in _project_python_files()
        if path not in ALLOWED_BULK_WRITERS and path not in UNTRACKED_BULK_WRITERS
        for line, what in _raw_bulk_writes(path)
    ]
    assert offenders == [], "write through execcoord.history instead: " + ", ".join(offenders)


def test_the_modules_allowed_raw_bulk_writes_write_only_untracked_models():
    from django.apps import apps

    for labels in UNTRACKED_BULK_WRITERS.values():
        for label in labels:
            model = apps.get_model(label)
            assert not hasattr(model, "history"), f"{label} keeps history: use the helpers"


@pytest.mark.django_db
def test_the_request_user_is_the_user_itself_not_a_lazy_wrapper(
    client, alice, password, django_assert_num_queries
):
    """``ResolvedUserMiddleware``: views read the signed-in user directly (no proxy call per
    attribute), and a request without a session reads no user (no query, anonymous)."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import LazyObject

    client.post("/accounts/login/", {"username": "alice", "password": password})
    response = client.get("/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert not isinstance(user, LazyObject)
    assert type(user) is type(alice) and user.pk == alice.pk
    client.logout()
    with django_assert_num_queries(0):
        response = client.get(settings.LOGIN_URL_PATH)
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is AnonymousUser
