"""Single sign-on without a provider process (issue 19): the ID-token checks, who a claim
names, creation only when allowed, roles from a claim, break-glass passwords, the audit log,
the sign-in page. The flow over real HTTP is in ``test_sso_end_to_end.py``."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import RequestFactory

from actions.demo.partners import PersonFactory
from execcoord import sso
from partners.access import ROLE_ADMIN, ROLE_MANAGER, ROLE_STAFF
from tests.conftest import make_user
from tests.sso_support import GROUP_MAP, new_rsa_key

ISSUER = "https://id.example.gov"
CLIENT = "execcoord"
KEY = new_rsa_key()
OTHER_KEY = new_rsa_key()


def public_jwk(pem, kid="k1"):
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture
def provider(settings):
    """The app configured for a provider whose discovery document and keys are known (kept in
    the module's cache, so nothing is fetched)."""
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = CLIENT
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_PROVIDER_NAME = "Agency ID"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_MAP = GROUP_MAP
    sso.clear_cache()
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
        "end_session_endpoint": f"{ISSUER}/logout",
    }
    sso._cache[("discovery", ISSUER)] = (time.monotonic(), document)
    sso._cache[("jwks", f"{ISSUER}/jwks")] = {"keys": [public_jwk(KEY)]}
    yield document
    sso.clear_cache()


def id_token(key=KEY, kid="k1", algorithm="RS256", **changes):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "subject-1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "email": "ada@agency.example.gov",
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


def backend_for_request():
    request = RequestFactory().get("/oidc/callback/")
    request.session = SessionStore()
    backend = sso.OIDCBackend()
    backend.request = request
    return backend, request


# --- the ID token ----------------------------------------------------------------------------


def test_a_token_signed_by_the_provider_for_this_client_is_accepted(provider):
    backend, _ = backend_for_request()
    assert backend.verify_token(id_token(), nonce="n-1")["sub"] == "subject-1"


@pytest.mark.parametrize(
    ("token", "refusal"),
    [
        (lambda: id_token(key=OTHER_KEY), "Signature verification failed"),
        (lambda: id_token(aud="another-client"), "Audience doesn't match"),
        (lambda: id_token(iss="https://evil.example.com"), "Invalid issuer"),
        (lambda: id_token(exp=int(time.time()) - 3600), "expired"),
        (lambda: id_token(nonce="n-2"), "Nonce verification failed"),
        (lambda: id_token(exp=None), 'missing the "exp" claim'),
        (lambda: id_token(kid="unknown"), "a key the provider does not publish"),
        (lambda: id_token(key="s" * 32, algorithm="HS256"), "signed with 'HS256'"),
    ],
    ids=["other-key", "audience", "issuer", "expired", "nonce", "no-expiry", "kid", "hs256"],
)
def test_a_token_failing_a_check_is_refused(provider, monkeypatch, token, refusal):
    monkeypatch.setattr(sso, "_get_json", lambda url: {"keys": [public_jwk(KEY)]})
    backend, _ = backend_for_request()
    with pytest.raises(SuspiciousOperation, match=refusal):
        backend.verify_token(token(), nonce="n-1")


def test_a_discovery_document_naming_another_issuer_is_refused(settings, monkeypatch):
    settings.OIDC_ISSUER = ISSUER
    sso.clear_cache()
    monkeypatch.setattr(sso, "_get_json", lambda url: {"issuer": "https://other.example"})
    with pytest.raises(Exception, match="names issuer"):
        sso.discovery()


def _token_request(monkeypatch):
    """What get_token sends to the token endpoint (nothing is sent)."""
    sent = {}

    class Answer:
        status_code = 200

        def json(self):
            return {"id_token": "x", "access_token": "y"}

    def post(url, data=None, auth=None, **kwargs):
        sent.update(url=url, data=data, auth=auth)
        return Answer()

    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", post)
    backend, _ = backend_for_request()
    backend.get_token({"client_id": CLIENT, "client_secret": "secret", "code": "c"})
    return sent


@pytest.mark.parametrize(
    ("method", "secret_in_body", "basic"),
    [
        ("client_secret_basic", False, True),
        ("client_secret_post", True, False),
        ("none", False, False),
    ],
)
def test_the_client_authenticates_as_configured(
    provider, settings, monkeypatch, method, secret_in_body, basic
):
    settings.OIDC_CLIENT_AUTH = method
    sent = _token_request(monkeypatch)
    assert ("client_secret" in sent["data"]) == secret_in_body
    assert (sent["auth"] is not None) == basic
    assert "client_assertion" not in sent["data"]


def test_private_key_jwt_sends_a_signed_assertion_and_no_secret(provider, settings, monkeypatch):
    settings.OIDC_CLIENT_AUTH = "private_key_jwt"
    settings.OIDC_CLIENT_PRIVATE_KEY = KEY
    sent = _token_request(monkeypatch)
    assert "client_secret" not in sent["data"] and sent["auth"] is None
    assert sent["data"]["client_assertion_type"] == sso.ASSERTION_TYPE
    claims = jwt.decode(
        sent["data"]["client_assertion"],
        jwt.PyJWK(public_jwk(KEY)),
        algorithms=["RS256"],
        audience=f"{ISSUER}/token",
    )
    assert claims["iss"] == claims["sub"] == CLIENT


# --- who the claim names ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_person_with_the_claims_email_is_signed_in_and_gets_the_claims_roles(provider, units):
    ada = make_user("ada", ROLE_STAFF, units["OFF-A1"])
    backend, _ = backend_for_request()
    claims = {"sub": "s", "email": "ADA@agency.example.gov", "groups": ["execcoord-managers"]}
    assert backend.match_user(claims) == ada
    assert list(ada.groups.values_list("name", flat=True)) == [ROLE_MANAGER]


@pytest.mark.django_db
def test_administrators_from_the_claim_open_django_admin_and_lose_it_with_the_role(provider, units):
    user = make_user("ada", ROLE_STAFF, units["OFF-A1"])
    backend, _ = backend_for_request()
    claims = {"sub": "s", "email": "ada@agency.example.gov", "groups": ["execcoord-admins"]}
    backend.match_user(claims)
    user.refresh_from_db()
    assert user.is_staff and user.groups.get().name == ROLE_ADMIN
    backend.match_user({**claims, "groups": []})
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


@pytest.mark.django_db
def test_no_user_is_created_unless_allowed(provider, settings):
    settings.OIDC_CREATE_USERS = False
    backend, request = backend_for_request()
    with pytest.raises(PermissionDenied):
        backend.match_user({"sub": "s", "email": "new@agency.example.gov"})
    assert not User.objects.filter(email="new@agency.example.gov").exists()
    assert request.sign_in_audit["reason"] == "no account matches email new@agency.example.gov"


@pytest.mark.django_db
def test_a_first_sign_in_creates_the_user_of_the_existing_person_when_allowed(
    provider, settings, units
):
    settings.OIDC_CREATE_USERS = True
    person = PersonFactory(email="new@agency.example.gov", user=None, organization_unit=None)
    backend, _ = backend_for_request()
    user = backend.match_user(
        {
            "sub": "s",
            "email": "new@agency.example.gov",
            "preferred_username": "nia",
            "groups": ["execcoord-staff"],
        }
    )
    person.refresh_from_db()
    assert person.user == user and user.username == "nia"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [ROLE_STAFF]


@pytest.mark.django_db
def test_a_first_sign_in_without_a_person_makes_one(provider, settings):
    settings.OIDC_CREATE_USERS = True
    backend, _ = backend_for_request()
    user = backend.match_user(
        {"sub": "s", "email": "x@agency.example.gov", "given_name": "Xi", "family_name": "Lu"}
    )
    assert (user.person.first_name, user.person.last_name) == ("Xi", "Lu")
    assert user.person.organization_unit is None


@pytest.mark.django_db
def test_an_unverified_email_or_a_deactivated_account_is_refused(provider, units):
    ada = make_user("ada", ROLE_STAFF, units["OFF-A1"])
    backend, _ = backend_for_request()
    with pytest.raises(PermissionDenied):
        backend.match_user({"sub": "s", "email": "ada@agency.example.gov", "email_verified": False})
    ada.is_active = False
    ada.save()
    with pytest.raises(PermissionDenied, match="deactivated"):
        backend.match_user({"sub": "s", "email": "ada@agency.example.gov"})


@pytest.mark.django_db
def test_matching_by_user_name_reads_the_configured_claim(provider, settings, units):
    settings.OIDC_MATCH_CLAIM = "preferred_username"
    settings.OIDC_MATCH_FIELD = "username"
    settings.OIDC_GROUPS_CLAIM = ""
    ada = make_user("ada", ROLE_STAFF, units["OFF-A1"])
    backend, _ = backend_for_request()
    assert backend.match_user({"sub": "s", "preferred_username": "ada"}) == ada
    assert list(ada.groups.values_list("name", flat=True)) == [ROLE_STAFF]  # no claim: kept


def test_nested_claims_are_read_by_a_dotted_path():
    assert sso._claim({"realm_access": {"roles": ["a"]}}, "realm_access.roles") == ["a"]
    assert sso._claim({"realm_access": []}, "realm_access.roles") is None


# --- break-glass passwords -------------------------------------------------------------------


@pytest.fixture
def break_glass(settings):
    settings.PASSWORD_SIGN_IN = "break-glass"
    settings.BREAK_GLASS_USERS = ["root-admin"]


@pytest.mark.django_db
def test_password_sign_in_is_refused_with_a_clear_message_when_switched_off(
    client, alice, password, break_glass, provider, caplog
):
    with caplog.at_level("INFO", logger="execcoord.auth"):
        response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Password sign-in is switched off for this account" in response.text
    assert "Sign in with Agency ID" in response.text
    logged = [r.getMessage() for r in caplog.records if r.name == "execcoord.auth"]
    assert any(
        "failure user=alice" in m and "reason=password sign-in is switched off" in m for m in logged
    )


@pytest.mark.django_db
def test_the_break_glass_administrator_still_signs_in_with_a_password(
    client, units, password, break_glass
):
    make_user("root-admin", ROLE_ADMIN, units["AGENCY"])
    response = client.post("/accounts/login/", {"username": "root-admin", "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_the_password_backend_refuses_too_for_other_forms(alice, password, break_glass):
    from django.contrib.auth import authenticate

    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="alice", password=password) is None


# --- the sign-in page and the audit log ------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_provider_when_configured(client, provider):
    page = client.get("/accounts/login/?next=/dashboard/")
    assert (
        '<a class="btn btn-primary w-100 mb-3" href="/oidc/authenticate/?next=%2Fdashboard%2F">'
        "Sign in with Agency ID</a>" in page.text
    )


@pytest.mark.django_db
def test_the_sign_in_page_has_no_provider_button_without_configuration(client):
    assert "Sign in with" not in client.get("/accounts/login/").text
    assert client.get("/oidc/authenticate/").status_code == 404


@pytest.mark.django_db
def test_the_authentication_request_carries_pkce_state_and_nonce(client, provider):
    response = client.get("/oidc/authenticate/?next=/dashboard/")
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith(f"{ISSUER}/authorize?")
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce="):
        assert part in target
    (state,) = client.session["oidc_states"]
    assert len(client.session["oidc_states"][state]["code_verifier"]) == 64


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?code=c&state=forged", "reason=the state is unknown"),
        ("?error=access_denied&error_description=User+cancelled", "answered access_denied"),
        ("?code=c", "has no code or no state"),
    ],
)
def test_a_refused_callback_is_logged_and_shown(client, provider, caplog, query, reason):
    with caplog.at_level("INFO", logger="execcoord.auth"):
        response = client.get(f"/oidc/callback/{query}", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Sign-in with Agency ID failed" in response.text
    logged = [r.getMessage() for r in caplog.records if r.name == "execcoord.auth"]
    assert len(logged) == 1 and "sign-in failure" in logged[0] and "method=sso" in logged[0]
    assert reason in logged[0]


@pytest.mark.django_db
def test_a_user_without_a_password_is_not_offered_to_change_it(client, alice):
    client.force_login(alice)
    assert "Change password" in client.get("/").text
    alice.set_unusable_password()
    alice.save()
    client.force_login(alice)
    assert "Change password" not in client.get("/").text


@pytest.mark.django_db
def test_a_password_session_signs_out_here_only(client, alice, password, provider):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_settings_let_the_sign_out_form_redirect_to_the_provider():
    """With OIDC_ISSUER set, the provider's origin is a form action (the sign-out form's
    redirect to its end-session endpoint would be blocked otherwise); the environment is
    read by the settings module, so another process reads it."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "EXECCOORD_DEV": "1", "OIDC_ISSUER": "https://login.example.gov/tenant"}
    code = (
        "import execcoord.settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["'self'", "https://login.example.gov"], done.stderr
