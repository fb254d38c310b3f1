"""Single sign-on end to end (issue 19), over real HTTP against a real OpenID Connect provider.

The provider is django-oauth-toolkit in its own process (``tests/sso_support.py``); the app is
``live_server``. A ``requests`` session plays the browser: it follows the redirects between the
two servers and posts the provider's sign-in form. What is shown: the authorization-code flow
with PKCE, the ID token's signature checked (a modified token and a token signed by another
key are refused), the Person matched by e-mail, the roles set from the groups claim, a used
state refused, and sign-out ending the provider's session too.
"""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from execcoord import sso
from partners.access import ROLE_MANAGER, ROLE_STAFF
from tests.conftest import make_user
from tests.sso_support import new_rsa_key, sign_in_through_provider

pytestmark = pytest.mark.django_db(transaction=True)
ADA = "ada.lovelace@agency.example.gov"


def signed_in_user_ids():
    """The users of the app's current sessions."""
    return {
        int(s.get_decoded().get("_auth_user_id"))
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id")
    }


def auth_messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "execcoord.auth"]


@pytest.fixture
def ada(units):
    """Ada's account here: Staff in OFF-A1, her Person's e-mail (user name + the agency's
    domain) the one the provider knows her by."""
    user = make_user("ada.lovelace", ROLE_STAFF, units["OFF-A1"])
    assert user.person.email == ADA
    return user


def test_sign_in_with_pkce_matches_the_person_and_sets_roles_from_the_claim(
    live_server, sso_settings, ada, caplog
):
    with caplog.at_level("INFO", logger="execcoord.auth"):
        browser, landed = sign_in_through_provider(live_server.url, "ada")

    # the authorization request carried a PKCE challenge (the provider requires one)
    authorize = next(r for r in browser.start.history if "/o/authorize/" in r.url)
    query = parse_qs(urlsplit(authorize.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["response_type"] == ["code"] and "nonce" in query and "state" in query

    # back at the app, on My work, as Ada's own account
    assert landed.status_code == 200
    assert landed.url == f"{live_server.url}/"
    assert any("/oidc/callback/" in r.url for r in landed.history)
    assert signed_in_user_ids() == {ada.pk}
    assert "<title>My work" in landed.text and ada.get_full_name() in landed.text

    # the provider's groups claim made her a Manager (and no longer Staff)
    assert set(User.objects.get(pk=ada.pk).groups.values_list("name", flat=True)) == {ROLE_MANAGER}
    successes = [m for m in auth_messages(caplog) if "sign-in success" in m]
    assert len(successes) == 1
    assert "user=ada.lovelace" in successes[0] and "method=sso" in successes[0]


def test_a_used_state_is_refused(live_server, sso_settings, ada, caplog):
    browser, landed = sign_in_through_provider(live_server.url, "ada")
    callback = next(r for r in landed.history if "/oidc/callback/" in r.url)
    browser.cookies.clear(domain=urlsplit(live_server.url).hostname + ".local")
    with caplog.at_level("INFO", logger="execcoord.auth"):
        again = browser.get(callback.url, timeout=30)
    assert again.url.startswith(f"{live_server.url}/accounts/login/")
    assert "Sign-in with Test ID failed" in again.text
    assert any("method=sso reason=the state is unknown" in m for m in auth_messages(caplog))


def _tamper_payload(token):
    """The same token with the e-mail changed, the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "mallory@agency.example.gov"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _resign_with_another_key(token):
    """The same claims and key id, signed with a key the provider never published."""
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, new_rsa_key(), algorithm="RS256", headers={"kid": kid})


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_tamper_payload, "Signature verification failed"),
        (_resign_with_another_key, "Signature verification failed"),
    ],
    ids=["modified-claims", "signed-by-another-key"],
)
def test_a_tampered_id_token_is_refused(
    live_server, sso_settings, ada, units, monkeypatch, caplog, tamper, reason
):
    make_user("mallory", ROLE_MANAGER, units["OFF-A1"])
    real_get_token = sso.OIDCBackend.get_token

    def get_token(self, payload):
        answer = real_get_token(self, payload)  # the provider's real answer, over HTTP
        return {**answer, "id_token": tamper(answer["id_token"])}

    monkeypatch.setattr(sso.OIDCBackend, "get_token", get_token)
    with caplog.at_level("INFO", logger="execcoord.auth"):
        browser, landed = sign_in_through_provider(live_server.url, "ada")
    assert landed.url.startswith(f"{live_server.url}/accounts/login/")
    assert "Sign-in with Test ID failed" in landed.text
    assert signed_in_user_ids() == set()
    failures = [m for m in auth_messages(caplog) if "sign-in failure" in m]
    assert len(failures) == 1 and "method=sso" in failures[0] and reason in failures[0]


def test_no_account_and_no_creation_is_refused(live_server, sso_settings, ada, caplog):
    with caplog.at_level("INFO", logger="execcoord.auth"):
        _, landed = sign_in_through_provider(live_server.url, "newcomer")
    assert landed.url.startswith(f"{live_server.url}/accounts/login/")
    assert "no account matches email new.comer@agency.example.gov" in landed.text
    assert not User.objects.filter(email="new.comer@agency.example.gov").exists()
    assert any(
        "sign-in failure user=new.comer@agency.example.gov" in m for m in auth_messages(caplog)
    )


def test_sign_out_ends_the_session_here_and_at_the_provider(live_server, sso_settings, ada):
    browser, landed = sign_in_through_provider(live_server.url, "ada")
    assert signed_in_user_ids() == {ada.pk}
    token = browser.cookies.get("csrftoken")
    out = browser.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/"},
        timeout=30,
    )
    # through the provider's end-session endpoint, back to the sign-in page
    end_session = next(r for r in out.history if "/o/logout/" in r.url)
    sent = parse_qs(urlsplit(end_session.url).query)
    assert sent["client_id"] == ["execcoord-test-client"] and "id_token_hint" in sent
    assert sent["post_logout_redirect_uri"] == [f"{live_server.url}/accounts/login/"]
    assert out.status_code == 200 and out.url == f"{live_server.url}/accounts/login/"
    assert signed_in_user_ids() == set()

    # the provider's session is over too: signing in again asks for the password
    again = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=30)
    assert "Test identity provider" in again.text
    assert "/accounts/login/" in again.url


def test_a_first_sign_in_creates_the_account_when_allowed(live_server, sso_settings, units):
    sso_settings.OIDC_CREATE_USERS = True
    _, landed = sign_in_through_provider(live_server.url, "newcomer")
    assert landed.url == f"{live_server.url}/"
    user = User.objects.get(email="new.comer@agency.example.gov")
    assert signed_in_user_ids() == {user.pk}
    assert (user.username, user.person.first_name, user.person.last_name) == (
        "newcomer",
        "Nia",
        "Comer",
    )
    assert list(user.groups.values_list("name", flat=True)) == [ROLE_STAFF]
    assert not user.has_usable_password()
