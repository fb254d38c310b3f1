"""Single sign-on in Chromium (issue 19): the sign-in page with the provider's button passes
axe-core, and a person signs in through the test provider and out again (the sign-out's
redirect to the provider is allowed by the page's Content-Security-Policy)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from partners.access import ROLE_MANAGER, ROLE_STAFF
from tests.browser.conftest import BROWSER_DB
from tests.browser.test_accessibility import check
from tests.conftest import make_user
from tests.sso_support import PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def provider_form_action(sso_settings, oidc_provider):
    """The policy settings.py builds when OIDC_ISSUER is set: the provider's origin may
    receive the sign-out form's redirect."""
    policy = sso_settings.CONTENT_SECURITY_POLICY
    directives = dict(policy["DIRECTIVES"])
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(oidc_provider.issuer))
    directives["form-action"] = [*directives["form-action"], origin]
    sso_settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    return sso_settings


def test_sign_in_page_with_the_provider_button(page, sso_settings):
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Test ID")).to_be_visible()
    check(page, "sign-in-sso")


def test_sign_in_page_refusing_a_password_sign_in(page, sso_settings, alice, password):
    sso_settings.PASSWORD_SIGN_IN = "break-glass"
    sso_settings.BREAK_GLASS_USERS = ["root-admin"]
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Break-glass administrator sign-in")).to_be_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Password sign-in is switched off")
    check(page, "sign-in-sso-refused")


def test_a_person_signs_in_through_the_provider_and_out_again(
    page, units, provider_form_action, oidc_provider
):
    user = make_user("ada.lovelace", ROLE_STAFF, units["OFF-A1"])
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("My work · Executive Coordination")
    assert user.groups.get().name == ROLE_MANAGER  # from the provider's groups claim

    page.get_by_role("button", name=user.get_full_name()).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Test ID")).to_be_visible()
    # the provider's session ended too: its sign-in form asks again
    page.get_by_role("link", name="Sign in with Test ID").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
