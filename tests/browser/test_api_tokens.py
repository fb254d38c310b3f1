"""A token's life in a real browser (issue 19): made on the API tokens page from the user
menu, used from Python's HTTP client against the live server, revoked, refused (401). The
page and the API docs page are axe-clean, and the docs page runs under the site's CSP."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_DB, sign_in
from tests.browser.test_accessibility import check

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_make_use_and_revoke_a_token(page, live_server, alice, password):
    sign_in(page, "alice", password)
    menu = alice.get_full_name() or alice.get_username()
    page.get_by_role("button", name=menu, exact=True).click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    check(page, "api_tokens")
    page.get_by_label("Name").fill("Reporting script")
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_label(re.compile("shown only this once")).input_value()
    assert secret.startswith("ec_")
    check(page, "api_tokens_made")

    headers = {"Authorization": f"Bearer {secret}"}
    url = f"{live_server.url}/api/v1/taskers/"
    answer = requests.get(url, headers=headers, timeout=30)
    assert answer.status_code == 200 and "results" in answer.json()

    page.goto("/api-tokens/")  # shown once: not on the page any more
    expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.get_by_role("cell", name="never")).to_have_count(0)  # last used: now
    page.get_by_role("button", name="Revoke Reporting script").click()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()

    refused = requests.get(url, headers=headers, timeout=30)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


def test_the_api_docs_page_runs_under_the_csp(page, live_server, alice, password):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, "alice", password)
    page.goto("/api/docs/")
    expect(page.get_by_text("/api/v1/taskers/{id}/transition/").first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p], problems
