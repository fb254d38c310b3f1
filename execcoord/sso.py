"""Single sign-on with OpenID Connect (issue 19): the agency's identity provider signs people in.

Built on mozilla-django-oidc: the authorization-code flow with PKCE (``OIDC_USE_PKCE``), a
``state`` and a ``nonce`` per attempt (kept in the session, used once), and the ID token's
RS256 signature checked against the provider's published keys (JWKS). What this module adds:

- **Discovery.** Only the issuer is configured (``OIDC_ISSUER``); the endpoints come from
  ``<issuer>/.well-known/openid-configuration``, read on first use and kept
  ``OIDC_DISCOVERY_MAX_AGE`` seconds. The document must name the configured issuer. The keys
  are kept too and read again once when a token names a key id they lack (key rotation).
- **Stricter ID tokens.** The audience (this client), the issuer, the expiry and the nonce
  are checked, not only the signature; claims from the user-info endpoint are accepted only
  for the ID token's subject.
- **People, not just users.** The signed-in person is matched by one configured claim
  (``OIDC_MATCH_CLAIM``, e.g. ``email``) to a user (``OIDC_MATCH_FIELD``: the e-mail of their
  Person, or the user name). A user is created on first sign-in only when
  ``OIDC_CREATE_USERS`` allows it. The shared layer knows no Person: the domain app that
  defines it registers the matching with :func:`register_accounts` (``partners.sso``).
- **Roles from a claim.** With ``OIDC_GROUPS_CLAIM`` set, the role groups named in
  ``OIDC_GROUP_MAP`` are set from the claim's values at every sign-in.
- **Break-glass passwords.** ``PASSWORD_SIGN_IN = "break-glass"`` refuses password sign-in
  to everyone but the users named in ``BREAK_GLASS_USERS`` (the sign-in form says so, and
  the password backend refuses too, for the admin's form).
- **Sign-out at the provider.** Signing out of a session made here sends the browser to the
  provider's ``end_session_endpoint`` with ``id_token_hint``, ``client_id`` and
  ``post_logout_redirect_uri`` (RP-initiated logout), where the provider supports it.
- **Audit.** Every success and failure reaches the sign-in audit log
  (``execcoord/signals.py``) with ``method=sso`` and, for a failure, the reason.
- **Client authentication.** ``client_secret_basic``, ``client_secret_post``,
  ``private_key_jwt`` (a signed assertion, RFC 7523, as Login.gov asks of web apps) or
  ``none`` (a public client proving itself by PKCE alone) at the token endpoint.
"""

import logging
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

logger = logging.getLogger("execcoord.auth")

BACKEND = "execcoord.sso.OIDCBackend"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_cache = {}
_cache_lock = threading.Lock()
_accounts = {}


# --- configuration -------------------------------------------------------------------------


def enabled():
    """Is single sign-on configured (an issuer and a client id)?"""
    return bool(getattr(settings, "OIDC_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name():
    """The name on the sign-in button: ``OIDC_PROVIDER_NAME``, else the issuer's host."""
    return getattr(settings, "OIDC_PROVIDER_NAME", "") or urlsplit(settings.OIDC_ISSUER).hostname


def password_sign_in_allowed(username):
    """May ``username`` sign in with a password? Everyone, unless ``PASSWORD_SIGN_IN`` is
    ``"break-glass"``: then only the users named in ``BREAK_GLASS_USERS``."""
    if getattr(settings, "PASSWORD_SIGN_IN", "all") != "break-glass":
        return True
    allowed = {name.casefold() for name in getattr(settings, "BREAK_GLASS_USERS", ())}
    return (username or "").strip().casefold() in allowed


def register_accounts(find_users, create_user, admin_site_groups=()):
    """Called by the domain app that links users to people (``partners``, in ``ready``).

    Args:
        find_users: ``find_users(field, value)`` → the users whose ``field`` (``"email"``: the
            e-mail of their Person, or their own; ``"username"``) equals ``value``.
        create_user: ``create_user(claims, field, value)`` → a new user (and their Person)
            for a first sign-in, when ``OIDC_CREATE_USERS`` allows it.
        admin_site_groups: role groups that open Django admin (``is_staff``) when a user's
            roles come from the provider.
    """
    _accounts.update(find=find_users, create=create_user, admin_groups=tuple(admin_site_groups))


def clear_cache():
    """Forget the discovery document and keys (tests; a changed provider)."""
    with _cache_lock:
        _cache.clear()


def _get_json(url):
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
    response.raise_for_status()
    return response.json()


def discovery():
    """The provider's discovery document, read on first use and kept for
    ``OIDC_DISCOVERY_MAX_AGE`` seconds."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    with _cache_lock:
        entry = _cache.get(("discovery", issuer))
        if entry and time.monotonic() - entry[0] < settings.OIDC_DISCOVERY_MAX_AGE:
            return entry[1]
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer asked.
        raise ImproperlyConfigured(
            f"The provider's discovery document names issuer {document.get('issuer')!r}, "
            f"not OIDC_ISSUER {settings.OIDC_ISSUER!r}."
        )
    with _cache_lock:
        _cache[("discovery", issuer)] = (time.monotonic(), document)
    return document


def endpoint(name):
    """One endpoint of the discovery document (``token_endpoint`` ...), or ``None``."""
    return discovery().get(name)


def signing_keys(refresh=False):
    """The provider's JSON Web Key Set, kept with the discovery document."""
    uri = endpoint("jwks_uri")
    with _cache_lock:
        entry = _cache.get(("jwks", uri))
        if entry and not refresh:
            return entry
    keys = _get_json(uri)
    with _cache_lock:
        _cache[("jwks", uri)] = keys
    return keys


# --- the authentication backend -------------------------------------------------------------


def _claim(claims, path):
    """The value at a dotted ``path`` in the claims (``realm_access.roles``), or ``None``."""
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _refuse(request, reason, user="-"):
    """Note why a sign-in is refused (the audit log reads it) and refuse it."""
    if request is not None:
        request.sign_in_audit = {"method": "sso", "user": user, "reason": reason}
    raise PermissionDenied(reason)


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with discovered endpoints, strict ID-token checks,
    people matched by a configured claim, roles from a claim and the choice of client
    authentication. It signs nobody in with a password and grants no permission itself
    (the model backend answers those, in one query)."""

    def __init__(self, *args, **kwargs):
        # The parent reads every endpoint here; this backend reads them when a sign-in
        # needs them, so building it (Django does for every authenticate()) costs nothing.
        self.UserModel = auth.get_user_model()

    OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr, *args):
        if attr == "OIDC_TOKEN_USE_BASIC_AUTH":  # follows the one choice, OIDC_CLIENT_AUTH
            return settings.OIDC_CLIENT_AUTH == "client_secret_basic"
        return OIDCAuthenticationBackend.get_settings(attr, *args)

    @property
    def OIDC_RP_CLIENT_ID(self):  # noqa: N802 - the parent's attribute names
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):  # noqa: N802
        return settings.OIDC_RP_SIGN_ALGO

    @cached_property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802
        return endpoint("token_endpoint")

    @cached_property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return endpoint("userinfo_endpoint")

    @cached_property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return endpoint("jwks_uri")

    # permissions: none from here (the model backend reads them in one query)
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user(self, user_id):
        """The session's user while they are active (as Django's model backend answers)."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request, **kwargs):
        """Only the callback of a sign-in started here (it passes the ``nonce``) reaches the
        provider; a password sign-in passes through."""
        if request is None or "nonce" not in kwargs or "password" in kwargs or not enabled():
            return None
        request.sign_in_audit = {"method": "sso"}
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            _refuse(request, str(exc))
        except requests.RequestException as exc:
            _refuse(request, f"the provider could not be reached or refused: {exc}")

    def get_token(self, payload):
        """Exchange the code at the token endpoint, authenticating as
        ``OIDC_CLIENT_AUTH`` says."""
        method = settings.OIDC_CLIENT_AUTH
        if method in ("private_key_jwt", "none"):
            # no secret: a signed assertion, or (a public client) the PKCE verifier alone
            payload = {k: v for k, v in payload.items() if k != "client_secret"}
        if method == "private_key_jwt":
            payload["client_assertion_type"] = ASSERTION_TYPE
            payload["client_assertion"] = client_assertion(self.OIDC_OP_TOKEN_ENDPOINT)
        # client_secret_basic or _post: the parent reads OIDC_TOKEN_USE_BASIC_AUTH
        return super().get_token(payload)

    def retrieve_matching_jwk(self, token):
        """The provider's key the token names, from the kept key set; read once more when the
        key id is unknown (the provider rotated its keys)."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        for refresh in (False, True):
            for jwk in signing_keys(refresh=refresh).get("keys", []):
                if jwk.get("kid") != header.get("kid"):
                    continue
                if jwk.get("alg", header.get("alg")) != header.get("alg"):
                    continue
                if jwk.get("use", "sig") != "sig":
                    continue
                return jwt.PyJWK(jwk)
        raise SuspiciousOperation(
            "The ID token is signed with a key the provider does not publish."
        )

    def _verify_jws(self, payload, key):
        """Signature (only ``OIDC_RP_SIGN_ALGO``), audience, issuer, expiry and issue time."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery()["issuer"],
                leeway=settings.OIDC_CLOCK_SKEW,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The ID token is refused: {exc}.") from exc
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1:
            if claims.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SuspiciousOperation("The ID token was issued to another client (azp).")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        """The user the provider vouched for: matched by the configured claim, created when
        allowed, their roles set from the groups claim."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                _refuse(self.request, "the user-info answer is about another subject")
            claims.update(info)
        self.request.session["oidc_sub"] = claims["sub"]
        return self.match_user(claims)

    def match_user(self, claims):
        request = self.request
        claim, field = settings.OIDC_MATCH_CLAIM, settings.OIDC_MATCH_FIELD
        value = _claim(claims, claim)
        if not isinstance(value, str) or not value.strip():
            _refuse(request, f"the provider sent no {claim!r} claim")
        value = value.strip()
        if claim == "email" and claims.get("email_verified") is False:
            _refuse(request, "the provider has not verified the e-mail address", value)
        if not _accounts:
            raise ImproperlyConfigured("No app registered the accounts of single sign-on.")
        users = list(_accounts["find"](field, value))
        if len(users) > 1:
            _refuse(request, f"more than one account matches {claim} {value}", value)
        if users:
            user = users[0]
            if not user.is_active:
                _refuse(request, "the account is deactivated", value)
        elif settings.OIDC_CREATE_USERS:
            try:
                with transaction.atomic():
                    user = _accounts["create"](claims, field, value)
            except (ValueError, ValidationError) as exc:
                _refuse(request, f"the account could not be created: {exc}", value)
            logger.info("sso account created user=%s %s=%s", user.get_username(), claim, value)
        else:
            _refuse(request, f"no account matches {claim} {value}", value)
        set_roles(user, claims)
        return user


def set_roles(user, claims):
    """With ``OIDC_GROUPS_CLAIM`` set, the user's role groups named in ``OIDC_GROUP_MAP``
    become exactly the ones the claim maps to; other groups are left alone."""
    claim = settings.OIDC_GROUPS_CLAIM
    if not claim:
        return
    values = _claim(claims, claim) or []
    if isinstance(values, str):
        values = [values]
    mapping = settings.OIDC_GROUP_MAP
    wanted = {mapping[v] for v in values if isinstance(v, str) and v in mapping}
    managed = set(mapping.values())
    groups = {g.name: g for g in Group.objects.filter(name__in=managed)}
    missing = managed - set(groups)
    if missing:
        raise ImproperlyConfigured(f"OIDC_GROUP_MAP names groups that do not exist: {missing}")
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    if current - wanted:
        user.groups.remove(*(groups[name] for name in current - wanted))
    if wanted - current:
        user.groups.add(*(groups[name] for name in wanted - current))
    admin_groups = set(_accounts.get("admin_groups", ()))
    is_staff = bool(wanted & admin_groups) or user.is_superuser
    if admin_groups & managed and user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def client_assertion(audience):
    """A ``private_key_jwt`` client assertion (RFC 7523) for ``audience`` (the token
    endpoint), signed with ``OIDC_CLIENT_PRIVATE_KEY``."""
    now = int(time.time())
    claims = {
        "iss": settings.OIDC_RP_CLIENT_ID,
        "sub": settings.OIDC_RP_CLIENT_ID,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 300,
    }
    headers = (
        {"kid": settings.OIDC_CLIENT_PRIVATE_KEY_ID}
        if settings.OIDC_CLIENT_PRIVATE_KEY_ID
        else None
    )
    return jwt.encode(claims, settings.OIDC_CLIENT_PRIVATE_KEY, algorithm="RS256", headers=headers)


# --- views -----------------------------------------------------------------------------------


def report_failure(request, reason, user="-"):
    """A sign-in that failed before it reached the backend: the audit log and throttling
    hear of it as of a wrong password."""
    request.sign_in_audit = {"method": "sso", "user": user, "reason": reason}
    user_login_failed.send(sender=__name__, credentials={"sso": provider_name()}, request=request)


class AuthenticateView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: send the browser to the provider (code flow, PKCE)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        self.OIDC_OP_AUTH_ENDPOINT = endpoint("authorization_endpoint")
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if settings.OIDC_ACR_VALUES:
            params["acr_values"] = settings.OIDC_ACR_VALUES
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: the provider's answer. A refusal of the provider, an unknown or
    reused ``state``, or any failed check is logged and shown on the sign-in page."""

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        error = request.GET.get("error")
        state = request.GET.get("state")
        states = request.session.get("oidc_states") or {}
        if error:
            reason = f"the provider answered {error}: {request.GET.get('error_description', '')}"
            super().get(request)  # forgets the state and any session
        elif not request.GET.get("code") or not state:
            reason = "the provider's answer has no code or no state"
        elif state not in states:
            reason = "the state is unknown here (not started here, used already or expired)"
        else:
            # whatever refuses it from here (the throttle too) is logged as single sign-on
            request.sign_in_audit = {"method": "sso"}
            return super().get(request)
        report_failure(request, reason.strip().rstrip(":"))
        return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, "sign_in_audit", {}).get("reason", "")
        text = f"Sign-in with {provider_name()} failed"
        messages.error(self.request, f"{text}: {reason}." if reason else f"{text}.")
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form, refusing users whose password sign-in is switched off."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and not password_sign_in_allowed(username):
            name = provider_name() if enabled() else "single sign-on"
            if self.request is not None:
                self.request.sign_in_audit = {"reason": "password sign-in is switched off"}
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            raise ValidationError(
                f"Password sign-in is switched off for this account. Use “Sign in with {name}”.",
                code="password_sign_in_off",
            )
        return super().clean()


class SignInView(auth_views.LoginView):
    """The sign-in page: the password form, and "Sign in with <provider>" when configured."""

    authentication_form = PasswordSignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if enabled():
            target = reverse("oidc_authentication_init")
            next_url = context.get("next")
            if next_url:
                target += "?" + urlencode({"next": next_url})
            context["sso"] = {"name": provider_name(), "url": target}
        context["break_glass_only"] = getattr(settings, "PASSWORD_SIGN_IN", "all") == "break-glass"
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out here and, for a session made by single sign-on, at the provider too when it
    publishes an ``end_session_endpoint`` (RP-initiated logout)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        target = None
        if id_token and enabled() and settings.OIDC_PROVIDER_LOGOUT:
            target = provider_logout_url(request, id_token)
        if target is None:
            return super().post(request, *args, **kwargs)
        auth.logout(request)
        return HttpResponseRedirect(target)


def provider_logout_url(request, id_token):
    """The provider's end-session address for this session, or ``None`` when it has none."""
    try:
        end_session = endpoint("end_session_endpoint")
    except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
        logger.warning("sign-out at the provider skipped: %s", exc)
        return None
    if not end_session:
        return None
    back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": back}
    if settings.OIDC_LOGOUT_ID_TOKEN_HINT:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in end_session else "?"
    url = f"{end_session}{separator}{urlencode(params)}"
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={urlsplit(end_session).netloc}):
        return None
    return url
