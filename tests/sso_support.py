"""A real OpenID Connect provider for the single sign-on tests, and a browser-less user.

``oidc_provider`` (session) starts django-oauth-toolkit's OIDC provider (``tests/oidc_provider``)
under gunicorn on 127.0.0.1 with its own SQLite file and a new RS256 key, its client
registered for the app's ``live_server``. ``sso_settings`` points the app at it.
``sign_in_through_provider`` goes through the flow with ``requests`` as a browser would:
redirects followed between the two servers, the provider's sign-in form posted.
"""

import json
import re
from html import unescape
from types import SimpleNamespace

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.servers import run_python, serve

CLIENT_ID = "execcoord-test-client"
CLIENT_SECRET = "execcoord-test-secret-0123456789"
PROVIDER_PASSWORD = "provider-pass-2026"
# The provider's people: ada is a manager there, newcomer staff, nobody has no role.
PROVIDER_USERS = [
    {
        "username": "ada",
        "email": "ada.lovelace@agency.example.gov",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "groups": ["execcoord-managers"],
    },
    {
        "username": "newcomer",
        "email": "new.comer@agency.example.gov",
        "first_name": "Nia",
        "last_name": "Comer",
        "groups": ["execcoord-staff"],
    },
]
GROUP_MAP = {
    "execcoord-staff": "Staff",
    "execcoord-managers": "Manager",
    "execcoord-admins": "Administrator",
}


def new_rsa_key():
    """A new RSA private key as PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """django-oauth-toolkit's OIDC provider in its own process; yields its addresses."""
    pytest.importorskip("oauth2_provider", reason="django-oauth-toolkit is not installed")
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = new_rsa_key()
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.oidc_provider.settings",
        OIDC_PROVIDER_DB=str(folder / "provider.sqlite3"),
        OIDC_PROVIDER_KEY=key,
    )
    spec = {
        "users": [{**u, "password": PROVIDER_PASSWORD} for u in PROVIDER_USERS],
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uri": f"{live_server.url}/oidc/callback/",
            "post_logout_redirect_uri": f"{live_server.url}/accounts/login/",
        },
    }
    done = run_python(env, "-m", "tests.oidc_provider.setup", json.dumps(spec))
    assert done.returncode == 0, done.stdout + done.stderr
    log_path = folder / "provider.log"
    with serve("tests.oidc_provider.wsgi", env, log_path, "--threads", "4") as url:
        yield SimpleNamespace(url=url, issuer=f"{url}/o", key=key, log=log_path)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """The app signs in through the test provider; roles come from its ``groups`` claim
    (the role groups exist even after an earlier live-server test flushed them)."""
    from execcoord import sso
    from tests.conftest import ensure_roles

    ensure_roles()

    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_PROVIDER_NAME = "Test ID"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_MAP = GROUP_MAP
    sso.clear_cache()
    yield settings
    sso.clear_cache()


def form_fields(html):
    """The hidden inputs of the first form of a page, by name."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found}


def sign_in_through_provider(app_url, username, password=PROVIDER_PASSWORD, next_url="/"):
    """Start at the app's "Sign in with" address, sign in on the provider's form, follow
    the redirects back; returns the session and the last response."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/oidc/authenticate/", params={"next": next_url}, timeout=30)
    assert "Test identity provider" in start.text, start.text[:500]
    fields = form_fields(start.text)
    answer = browser.post(
        start.url,
        data={**fields, "username": username, "password": password},
        timeout=30,
    )
    browser.start = start
    return browser, answer
